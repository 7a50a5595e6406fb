// The two durability levels: close-level commits go to the write-ahead log without a flush
// and survive kill -9; power-level commits and checkpoints go to LMDB after fdatasync. The
// replay at open takes each file's newest record whose staging bytes survived.
//
// Destroying a DirtyJournal makes nothing durable, so reopening one leaves the disk exactly as
// kill -9 would; a power cut is simulated by cutting or deleting what was never fsync'd.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "tests/cache/JournalTesting.h"

namespace fastio::cache {
namespace {

using testing::bytesOf;
using testing::CapturedLog;
using testing::contentOf;
using testing::logsIn;

// Counts how often a point is reached without changing what happens there.
void countHits(std::string_view point) {
  faults::Spec spec;
  spec.action = faults::Action::kDelay;
  spec.times = 0;
  faults::arm(point, spec);
}

std::string readFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void writeFile(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << bytes;
}

class JournalDurabilityTest : public testing::JournalFixture {};

TEST_F(JournalDurabilityTest, ACloseLevelSyncNeitherFlushesNorCommitsToLmdb) {
  countHits("journal.fdatasync");
  countHits("journal.commit");
  countHits("journal.wal_append");
  FileKey k = newFile();
  ASSERT_TRUE(put(k, 0, "closed").ok());
  ASSERT_TRUE(journal_->sync(k, Durability::kProcess).ok());
  EXPECT_EQ(faults::hits("journal.fdatasync"), 0u);
  EXPECT_EQ(faults::hits("journal.commit"), 0u);
  EXPECT_EQ(faults::hits("journal.wal_append"), 1u);
  ASSERT_TRUE(journal_->sync(k, Durability::kPower).ok());
  EXPECT_GE(faults::hits("journal.fdatasync"), 1u);
  EXPECT_EQ(faults::hits("journal.commit"), 1u);
}

TEST_F(JournalDurabilityTest, ACloseLevelSyncSurvivesKillNine) {
  journal_.reset();  // the child opens the directory; LMDB must not cross the fork open
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto j = DirtyJournal::open(tmp_.path(), {}, RealClock::instance());
    if (!j.ok()) ::_exit(2);
    auto a = (*j)->begin({"ws", "root", "a", "", "", 0});
    auto b = (*j)->begin({"ws", "root", "b", "", "", 0});
    if (!a.ok() || !b.ok()) ::_exit(3);
    if (!(*j)->write(*a, 0, bytesOf("acknowledged at close")).ok()) ::_exit(4);
    if (!(*j)->write(*b, 0, bytesOf("also")).ok()) ::_exit(4);
    if (!(*j)->syncAll(Durability::kProcess).ok()) ::_exit(5);
    if (!(*j)->write(*a, 0, bytesOf("NOT ACKNOWLEDGED")).ok()) ::_exit(4);
    ::raise(SIGKILL);
    ::_exit(6);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "child exited with " << WEXITSTATUS(status);
  reopen();
  auto files = journal_->list();
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(contentOf(*journal_, files[0].key), "acknowledged at close");
  EXPECT_EQ(contentOf(*journal_, files[1].key), "also");
  EXPECT_EQ(testing::bytesIn(tmp_.path() / "staging"), journal_->stagingBytes());
}

TEST_F(JournalDurabilityTest, ReplayTakesEachFilesNewestRecord) {
  FileKey a = newFile("a");
  FileKey b = newFile("b");
  ASSERT_TRUE(put(a, 0, "one").ok());
  ASSERT_TRUE(journal_->sync(a, Durability::kPower).ok());
  ASSERT_TRUE(put(a, 0, "two").ok());
  ASSERT_TRUE(journal_->sync(a, Durability::kProcess).ok());
  ASSERT_TRUE(put(a, 3, "+three").ok());
  ASSERT_TRUE(put(b, 0, "bee").ok());
  ASSERT_TRUE(journal_->syncAll(Durability::kProcess).ok());
  ASSERT_TRUE(journal_->setPlacement(b, "folder", "renamed").ok());
  ASSERT_TRUE(journal_->sync(b, Durability::kProcess).ok());
  ASSERT_TRUE(put(a, 0, "unsynced").ok());
  EXPECT_GT(walSize(), 0u);
  reopen();
  EXPECT_EQ(contentOf(*journal_, a), "two+three");
  EXPECT_EQ(contentOf(*journal_, b), "bee");
  EXPECT_EQ(journal_->state(b)->name, "renamed");
  EXPECT_EQ(walSize(), 0u) << "the open checkpoints what it replayed";
  // Now power-durable: the write-ahead log is no longer needed.
  journal_.reset();
  std::filesystem::remove(walPath());
  reopen();
  EXPECT_EQ(contentOf(*journal_, a), "two+three");
  EXPECT_EQ(journal_->state(b)->parentId, "folder");
}

TEST_F(JournalDurabilityTest, ATornTailEndsTheReplay) {
  FileKey a = newFile("a");
  FileKey b = newFile("b");
  ASSERT_TRUE(put(a, 0, "one").ok());
  ASSERT_TRUE(journal_->sync(a, Durability::kProcess).ok());
  ASSERT_TRUE(put(b, 0, "bee").ok());
  ASSERT_TRUE(journal_->sync(b, Durability::kProcess).ok());
  ASSERT_TRUE(put(a, 0, "two!").ok());
  ASSERT_TRUE(journal_->sync(a, Durability::kProcess).ok());
  uint64_t end = walSize();
  journal_.reset();
  std::filesystem::resize_file(walPath(), end - 3);
  {
    CapturedLog log;
    reopen();
    EXPECT_NE(log.text().find("cut short"), std::string::npos) << log.text();
  }
  EXPECT_EQ(contentOf(*journal_, a), "one");
  EXPECT_EQ(contentOf(*journal_, b), "bee");
  // A flipped byte inside a frame is a tear too: a file that only it held is gone.
  FileKey c = newFile("c");
  ASSERT_TRUE(put(c, 0, "sea").ok());
  ASSERT_TRUE(journal_->sync(c, Durability::kProcess).ok());
  ASSERT_EQ(walSize() > 20, true);
  journal_.reset();
  std::string wal = readFile(walPath());
  wal[20] = static_cast<char>(wal[20] ^ 0x40);
  writeFile(walPath(), wal);
  reopen();
  EXPECT_FALSE(journal_->state(c).ok());
  EXPECT_EQ(journal_->list().size(), 2u);
}

TEST_F(JournalDurabilityTest, ARecordWhoseStagingBytesWereLostFallsBackToTheOlderOne) {
  FileKey a = newFile("a.txt");
  ASSERT_TRUE(put(a, 0, "durable").ok());
  ASSERT_TRUE(journal_->sync(a, Durability::kPower).ok());
  ASSERT_TRUE(put(a, 0, "close-level").ok());
  ASSERT_TRUE(journal_->sync(a, Durability::kProcess).ok());
  FileKey b = newFile("b.txt");
  ASSERT_TRUE(put(b, 0, "never flushed").ok());
  ASSERT_TRUE(journal_->sync(b, Durability::kProcess).ok());
  journal_.reset();
  // A power cut: the page cache held the new bytes, the disk did not.
  std::filesystem::resize_file(stagingDir() / (std::to_string(a) + "-0.log"), 7);
  std::filesystem::remove(stagingDir() / (std::to_string(b) + "-0.log"));
  CapturedLog log;
  reopen();
  EXPECT_EQ(contentOf(*journal_, a), "durable");
  EXPECT_FALSE(journal_->state(b).ok());
  EXPECT_NE(log.text().find("dropping the close-level record"), std::string::npos) << log.text();
  EXPECT_NE(log.text().find("dropping new dirty file " + std::to_string(b) + " 'b.txt'"),
            std::string::npos)
      << log.text();
  EXPECT_EQ(logsIn(stagingDir()), std::vector<std::string>{std::to_string(a) + "-0.log"});
}

TEST_F(JournalDurabilityTest, APowerLevelRecordWithoutItsBytesFailsTheOpen) {
  FileKey a = newFile("a.txt");
  ASSERT_TRUE(put(a, 0, "durable").ok());
  ASSERT_TRUE(journal_->sync(a, Durability::kPower).ok());
  journal_.reset();
  std::filesystem::resize_file(stagingDir() / (std::to_string(a) + "-0.log"), 3);
  auto j = DirtyJournal::open(tmp_.path(), {}, clock_);
  ASSERT_FALSE(j.ok());
  EXPECT_NE(j.error().message.find("holds 3 of the 7 bytes"), std::string::npos)
      << j.error().message;
}

TEST_F(JournalDurabilityTest, CheckpointEmptiesTheLogAndOnlyThenDeletesDiscardedLogs) {
  FileKey a = newFile("a");
  FileKey b = newFile("b");
  ASSERT_TRUE(put(a, 0, "gone soon").ok());
  ASSERT_TRUE(put(b, 0, "stays").ok());
  ASSERT_TRUE(journal_->syncAll(Durability::kProcess).ok());
  ASSERT_TRUE(journal_->discard(a).ok());
  EXPECT_EQ(logsIn(stagingDir()).size(), 2u);
  faults::arm("journal.commit", {});
  EXPECT_FALSE(journal_->checkpoint().ok());
  EXPECT_EQ(logsIn(stagingDir()).size(), 2u) << "deleted before the removal was durable";
  EXPECT_GT(walSize(), 0u);
  ASSERT_TRUE(journal_->checkpoint().ok());
  EXPECT_EQ(logsIn(stagingDir()), std::vector<std::string>{std::to_string(b) + "-0.log"});
  EXPECT_EQ(walSize(), 0u);
  journal_.reset();
  std::filesystem::remove(walPath());
  reopen();
  EXPECT_EQ(journal_->list().size(), 1u);
  EXPECT_EQ(contentOf(*journal_, b), "stays");
}

TEST_F(JournalDurabilityTest, ALostEmptyingCannotResurrectARemovedFile) {
  FileKey empty = newFile("empty");  // needs no staging bytes, so only the floor can stop it
  FileKey b = newFile("b");
  ASSERT_TRUE(put(b, 0, "bee").ok());
  ASSERT_TRUE(journal_->syncAll(Durability::kProcess).ok());
  std::string before = readFile(walPath());
  ASSERT_TRUE(journal_->discard(empty).ok());
  ASSERT_TRUE(journal_->checkpoint().ok());
  journal_.reset();
  writeFile(walPath(), before);  // the emptying did not reach the disk
  reopen();
  auto files = journal_->list();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].key, b);
}

TEST_F(JournalDurabilityTest, AGrowingWriteAheadLogIsCheckpointed) {
  DirtyJournalOptions options;
  options.walCheckpointBytes = 4096;
  reopen(options);
  bool shrank = false;
  uint64_t last = 0;
  for (int i = 0; i < 100; ++i) {
    FileKey k = newFile("f" + std::to_string(i));
    ASSERT_TRUE(put(k, 0, "data " + std::to_string(i)).ok());
    ASSERT_TRUE(journal_->sync(k, Durability::kProcess).ok());
    ASSERT_LE(walSize(), 4096u + 512u);
    if (walSize() < last) shrank = true;
    last = walSize();
  }
  EXPECT_TRUE(shrank);
  journal_.reset();
  std::filesystem::remove(walPath());
  reopen(options);
  EXPECT_GT(journal_->list().size(), 60u) << "checkpoints put most files in LMDB";
}

TEST_F(JournalDurabilityTest, UploadCallsHaveTheirLevels) {
  FileKey k = newFile();
  ASSERT_TRUE(put(k, 0, "payload").ok());
  countHits("journal.fdatasync");
  countHits("journal.commit");
  ASSERT_TRUE(journal_->beginUpload(k).ok());
  EXPECT_EQ(faults::hits("journal.commit"), 0u) << "beginUpload is close-level";
  ASSERT_TRUE(journal_->setUploadSession(k, "s1", 1 << 20).ok());
  EXPECT_EQ(faults::hits("journal.fdatasync"), 1u) << "a session needs the snapshot on disk";
  EXPECT_EQ(faults::hits("journal.commit"), 1u);
  ASSERT_TRUE(journal_->ackChunk(k, 1).ok());
  ASSERT_TRUE(journal_->recordFailure(k, "503", true).ok());
  EXPECT_EQ(faults::hits("journal.commit"), 1u);
  reopen();
  auto st = journal_->state(k);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->upload->sessionId, "s1");
  EXPECT_EQ(st->upload->ackedChunks, std::vector<uint32_t>{1});
  EXPECT_EQ(st->attempts, 1u);
  countHits("journal.commit");
  auto clean = journal_->completeUpload(k, "node1", "v1");
  ASSERT_TRUE(clean.ok());
  EXPECT_TRUE(*clean);
  EXPECT_EQ(faults::hits("journal.commit"), 0u);
  reopen();
  EXPECT_TRUE(journal_->list().empty());
  EXPECT_TRUE(logsIn(stagingDir()).empty());
}

TEST_F(JournalDurabilityTest, UnlinkedFilesAreListedAfterARestartButNotFoundByNode) {
  auto k = journal_->begin({"ws", "root", "doc", "node5", "v1", 10});
  ASSERT_TRUE(k.ok());
  auto unlink = [](DirtyFileState& st) {
    st.unlinked = true;
    return okStatus();
  };
  ASSERT_TRUE(journal_->amend(*k, unlink).ok());
  EXPECT_FALSE(journal_->findByNode("node5").has_value());
  ASSERT_TRUE(journal_->sync(*k, Durability::kProcess).ok());
  reopen();
  auto files = journal_->list();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_TRUE(files[0].unlinked);
}

TEST_F(JournalDurabilityTest, ConcurrentCloseLevelSyncsAndCheckpoints) {
  constexpr int kThreads = 4;
  constexpr int kWrites = 60;
  std::vector<FileKey> keys;
  for (int t = 0; t < kThreads; ++t) keys.push_back(newFile(std::to_string(t)));
  std::atomic<bool> stop{false};
  std::thread checkpointer([&] {
    while (!stop) ASSERT_TRUE(journal_->checkpoint().ok());
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      FileKey k = keys[static_cast<size_t>(t)];
      for (int i = 0; i < kWrites; ++i) {
        std::string chunk(50, static_cast<char>('a' + t));
        ASSERT_TRUE(put(k, static_cast<uint64_t>(i) * 50, chunk).ok());
        ASSERT_TRUE(journal_->sync(k, i % 5 == 0 ? Durability::kPower : Durability::kProcess).ok());
      }
    });
  }
  for (auto& w : writers) w.join();
  stop = true;
  checkpointer.join();
  reopen();
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(contentOf(*journal_, keys[static_cast<size_t>(t)]),
              std::string(50 * kWrites, static_cast<char>('a' + t)));
  }
}

}  // namespace
}  // namespace fastio::cache
