// Injected failures at the journal's fault points: a failed fdatasync is sticky until the data
// is rewritten; LMDB commit and write-ahead append failures fail only that sync; a failed
// compaction or staging write changes nothing.

#include "tests/cache/JournalTesting.h"

namespace fastio::cache {
namespace {

using testing::CapturedLog;
using testing::contentOf;
using testing::logsIn;

// Fails the next `times` hits of the point.
void failNext(std::string_view point, uint64_t times = 1) {
  faults::Spec spec;
  spec.times = times;
  faults::arm(point, spec);
}

class JournalFaultTest : public testing::JournalFixture {};

TEST_F(JournalFaultTest, AFailedFdatasyncIsStickyUntilTheBytesAreRewritten) {
  FileKey k = newFile("report.txt");
  ASSERT_TRUE(put(k, 0, "good").ok());
  ASSERT_TRUE(journal_->sync(k).ok());
  ASSERT_TRUE(put(k, 4, "lost").ok());
  failNext("journal.fdatasync");
  Status first = journal_->sync(k, Durability::kPower);
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.error().code, ErrorCode::kIo);
  EXPECT_NE(first.error().message.find("report.txt"), std::string::npos) << first.error().message;
  // New bytes elsewhere flush fine now (Linux reports the error only once), yet the file
  // still holds bytes that may never have reached the disk.
  ASSERT_TRUE(put(k, 100, "later").ok());
  Status second = journal_->sync(k, Durability::kPower);
  EXPECT_EQ(faults::hits("journal.fdatasync"), 2u) << "the second sync flushed successfully";
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kIo);
  ASSERT_TRUE(put(k, 200, "more").ok());
  EXPECT_FALSE(journal_->sync(k, Durability::kProcess).ok()) << "close level too";
  EXPECT_FALSE(journal_->syncAll(Durability::kPower).ok());
  EXPECT_TRUE(journal_->checkpoint().ok()) << "one bad file does not fail a checkpoint";
  EXPECT_FALSE(journal_->state(k)->syncError.empty());
  EXPECT_EQ(journal_->beginUpload(k).error().code, ErrorCode::kIo);
  // A restart (kill -9) keeps the error: the write-ahead log carries it.
  ASSERT_TRUE(put(k, 210, "!").ok());
  EXPECT_FALSE(journal_->sync(k, Durability::kProcess).ok());
  reopen();
  EXPECT_FALSE(journal_->state(k)->syncError.empty());
  EXPECT_FALSE(journal_->sync(k).ok());
  // Rewriting part of the suspect bytes is not enough; all of them is.
  ASSERT_TRUE(put(k, 4, "lo").ok());
  EXPECT_FALSE(journal_->sync(k).ok());
  ASSERT_TRUE(put(k, 6, "ST").ok());
  ASSERT_TRUE(journal_->sync(k).ok());
  EXPECT_TRUE(journal_->state(k)->syncError.empty());
  std::string expected(211, '\0');
  expected.replace(0, 8, "goodloST").replace(100, 5, "later").replace(200, 4, "more");
  expected[210] = '!';
  EXPECT_EQ(contentOf(*journal_, k), expected);
  // Power-durable now: LMDB alone has it.
  journal_.reset();
  std::filesystem::remove(walPath());
  reopen();
  EXPECT_EQ(contentOf(*journal_, k), expected);
}

TEST_F(JournalFaultTest, WhileSuspectNothingNewReachesLmdb) {
  FileKey k = newFile("a");
  ASSERT_TRUE(put(k, 0, "old").ok());
  ASSERT_TRUE(journal_->sync(k).ok());
  ASSERT_TRUE(put(k, 0, "new").ok());
  failNext("journal.fdatasync");
  EXPECT_FALSE(journal_->sync(k).ok());
  EXPECT_FALSE(journal_->sync(k).ok());
  // A power cut loses the write-ahead log: LMDB still has the last good record.
  journal_.reset();
  std::filesystem::remove(walPath());
  reopen();
  EXPECT_EQ(contentOf(*journal_, k), "old");
  EXPECT_TRUE(journal_->state(k)->syncError.empty());
}

TEST_F(JournalFaultTest, OtherFilesOfTheBatchStillCommit) {
  FileKey bad = newFile("bad");
  FileKey good = newFile("good");
  ASSERT_TRUE(put(bad, 0, "old").ok());
  ASSERT_TRUE(put(good, 0, "fine").ok());
  ASSERT_TRUE(journal_->syncAll().ok());
  ASSERT_TRUE(put(bad, 0, "new").ok());
  ASSERT_TRUE(journal_->setPlacement(good, "folder", "renamed").ok());  // needs no flush
  failNext("journal.fdatasync");
  Status s = journal_->syncAll(Durability::kPower);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("'bad'"), std::string::npos) << s.error().message;
  EXPECT_EQ(faults::hits("journal.fdatasync"), 1u);
  EXPECT_TRUE(journal_->sync(good).ok());
  journal_.reset();
  std::filesystem::remove(walPath());
  reopen();
  EXPECT_EQ(journal_->state(good)->name, "renamed");
  EXPECT_EQ(contentOf(*journal_, bad), "old");
}

TEST_F(JournalFaultTest, ASnapshotOfSuspectBytesKeepsTheErrorUntilItIsDropped) {
  FileKey k = newFile("a");
  ASSERT_TRUE(put(k, 0, "abc").ok());
  ASSERT_TRUE(journal_->beginUpload(k).ok());
  failNext("journal.fdatasync");
  EXPECT_EQ(journal_->setUploadSession(k, "s", 1024).error().code, ErrorCode::kIo);
  ASSERT_TRUE(put(k, 0, "XYZ").ok());
  EXPECT_FALSE(journal_->state(k)->syncError.empty()) << "the snapshot still reads them";
  ASSERT_TRUE(journal_->recordFailure(k, "data lost", false).ok());
  EXPECT_TRUE(journal_->state(k)->syncError.empty());
  EXPECT_TRUE(journal_->sync(k).ok());
}

TEST_F(JournalFaultTest, AFailedLmdbCommitFailsTheSyncAndTheNextOneCommits) {
  FileKey k = newFile();
  ASSERT_TRUE(put(k, 0, "precious").ok());
  failNext("journal.commit");
  Status s = journal_->sync(k);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("journal.commit"), std::string::npos);
  EXPECT_EQ(contentOf(*journal_, k), "precious");
  ASSERT_TRUE(journal_->sync(k).ok());
  journal_.reset();
  std::filesystem::remove(walPath());
  reopen();
  EXPECT_EQ(contentOf(*journal_, k), "precious");
}

TEST_F(JournalFaultTest, AFailedWriteAheadAppendFailsTheCloseAndLeavesNoTornFrame) {
  FileKey k = newFile();
  ASSERT_TRUE(put(k, 0, "first").ok());
  ASSERT_TRUE(journal_->sync(k, Durability::kProcess).ok());
  uint64_t size = walSize();
  ASSERT_TRUE(put(k, 0, "second").ok());
  failNext("journal.wal_append");
  EXPECT_FALSE(journal_->sync(k, Durability::kProcess).ok());
  EXPECT_EQ(walSize(), size);
  ASSERT_TRUE(journal_->sync(k, Durability::kProcess).ok());
  reopen();
  EXPECT_EQ(contentOf(*journal_, k), "second");
}

TEST_F(JournalFaultTest, AFailedCompactionIsLoggedAndKeepsTheOldLog) {
  DirtyJournalOptions options;
  options.compactSlackBytes = 1024;
  reopen(options);
  FileKey k = newFile();
  std::string block(1000, 'q');
  for (int i = 0; i < 20; ++i) {
    block[0] = static_cast<char>('a' + i);
    ASSERT_TRUE(put(k, 0, block).ok());
  }
  CapturedLog log;
  failNext("journal.staging_write", 0);
  ASSERT_TRUE(journal_->sync(k).ok());
  EXPECT_NE(log.text().find("compaction of dirty file"), std::string::npos) << log.text();
  EXPECT_EQ(logsIn(stagingDir()), std::vector<std::string>{std::to_string(k) + "-0.log"});
  EXPECT_EQ(journal_->stagingBytes(), 20000u);
  faults::disarmAll();
  ASSERT_TRUE(put(k, 0, "x").ok());
  ASSERT_TRUE(journal_->sync(k).ok());
  EXPECT_EQ(logsIn(stagingDir()), std::vector<std::string>{std::to_string(k) + "-1.log"});
  EXPECT_EQ(journal_->stagingBytes(), 1000u);
  reopen(options);
  block[0] = 'x';
  EXPECT_EQ(contentOf(*journal_, k), block);
}

TEST_F(JournalFaultTest, AFailedStagingWriteChangesNothing) {
  FileKey k = newFile();
  ASSERT_TRUE(put(k, 0, "kept").ok());
  failNext("journal.staging_write");
  EXPECT_EQ(put(k, 0, "LOST").error().code, ErrorCode::kIo);
  EXPECT_EQ(contentOf(*journal_, k), "kept");
  EXPECT_EQ(journal_->stagingBytes(), 4u);
  EXPECT_EQ(journal_->state(k)->generation, 1u);
}

}  // namespace
}  // namespace fastio::cache
