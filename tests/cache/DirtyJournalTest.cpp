#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

#include "cache/DirtyJournal.h"
#include "cache/StagingFiles.h"
#include "tests/support/TempDir.h"

namespace fastio::cache {
namespace {

using fastio::testing::TempDir;

std::vector<std::byte> bytesOf(std::string_view s) {
  std::vector<std::byte> out(s.size());
  std::memcpy(out.data(), s.data(), s.size());
  return out;
}

std::string baseByte(uint64_t offset) {
  return std::string(1, static_cast<char>('A' + offset % 26));
}

// Reads [offset, offset+length) of the file, filling base ranges from a synthetic base.
std::string readAll(const DirtyJournal& j, FileKey key, uint64_t offset, uint64_t length,
                    bool snapshot = false) {
  std::vector<std::byte> buf(length);
  auto plan = snapshot ? j.readSnapshot(key, offset, buf) : j.read(key, offset, buf);
  EXPECT_TRUE(plan.ok()) << plan.error().describe();
  if (!plan.ok()) return "<error>";
  for (const auto& r : plan->fromBase) {
    for (uint64_t i = 0; i < r.length; ++i) {
      buf[r.offset - offset + i] = static_cast<std::byte>(baseByte(r.offset + i)[0]);
    }
  }
  return std::string(reinterpret_cast<const char*>(buf.data()), plan->length);
}

std::string baseString(uint64_t size) {
  std::string s;
  for (uint64_t i = 0; i < size; ++i) s += baseByte(i);
  return s;
}

class DirtyJournalTest : public ::testing::Test {
 protected:
  void SetUp() override { reopen(); }
  void reopen(DirtyJournalOptions options = {}) {
    journal_.reset();
    auto j = DirtyJournal::open(tmp_.path(), options, clock_);
    ASSERT_TRUE(j.ok()) << j.error().describe();
    journal_ = std::move(*j);
  }
  FileKey newFile(std::string name = "f.txt") {
    auto k = journal_->begin({"ws", "root", std::move(name), "", "", 0});
    EXPECT_TRUE(k.ok());
    return *k;
  }
  size_t stagingFiles() const {
    size_t n = 0;
    for (auto& e : std::filesystem::directory_iterator(tmp_.path() / "staging")) {
      if (!StagingFiles::isSpareName(e.path().filename().string())) ++n;
    }
    return n;
  }
  TempDir tmp_;
  FakeClock clock_;
  std::unique_ptr<DirtyJournal> journal_;
};

TEST_F(DirtyJournalTest, WritesAreReadBackBeforeAndAfterSync) {
  FileKey k = newFile();
  ASSERT_TRUE(journal_->write(k, 0, bytesOf("hello world")).ok());
  ASSERT_TRUE(journal_->write(k, 6, bytesOf("WORLD")).ok());
  EXPECT_EQ(readAll(*journal_, k, 0, 100), "hello WORLD");
  ASSERT_TRUE(journal_->sync(k).ok());
  reopen();
  EXPECT_EQ(readAll(*journal_, k, 0, 100), "hello WORLD");
  EXPECT_EQ(journal_->state(k)->size, 11u);
}

TEST_F(DirtyJournalTest, UnsyncedChangesAreGoneAfterReopenAndNewFilesToo) {
  FileKey k = newFile();
  ASSERT_TRUE(journal_->write(k, 0, bytesOf("kept")).ok());
  ASSERT_TRUE(journal_->sync(k).ok());
  ASSERT_TRUE(journal_->write(k, 0, bytesOf("LOST!")).ok());
  FileKey unsynced = newFile("g");
  ASSERT_TRUE(journal_->write(unsynced, 0, bytesOf("never synced")).ok());
  reopen();
  EXPECT_EQ(readAll(*journal_, k, 0, 100), "kept");
  EXPECT_FALSE(journal_->state(unsynced).ok());
  EXPECT_EQ(stagingFiles(), 1u);  // the orphaned log of `unsynced` was removed
  // A key reused after the restart starts empty.
  FileKey again = newFile("h");
  EXPECT_EQ(readAll(*journal_, again, 0, 100), "");
}

TEST_F(DirtyJournalTest, OverwriteOfABaseFileReadsBaseThroughTheHoles) {
  auto k = journal_->begin({"ws", "root", "b.bin", "node7", "ver1", 50});
  ASSERT_TRUE(k.ok());
  ASSERT_TRUE(journal_->write(*k, 10, bytesOf("xyz")).ok());
  std::string expected = baseString(50);
  expected.replace(10, 3, "xyz");
  EXPECT_EQ(readAll(*journal_, *k, 0, 100), expected);
  std::vector<std::byte> buf(50);
  auto plan = journal_->read(*k, 0, buf);
  ASSERT_EQ(plan->fromBase.size(), 2u);
  EXPECT_EQ(plan->fromBase[0], (ByteRange{0, 10}));
  EXPECT_EQ(plan->fromBase[1], (ByteRange{13, 37}));
  EXPECT_EQ(journal_->findByNode("node7"), *k);
  EXPECT_EQ(journal_->dirtyBytes(), 3u);
}

TEST_F(DirtyJournalTest, TruncateHidesBaseBytesAndExtendingReadsZeros) {
  auto k = journal_->begin({"ws", "root", "b.bin", "node7", "ver1", 20});
  ASSERT_TRUE(journal_->truncate(*k, 5).ok());
  ASSERT_TRUE(journal_->truncate(*k, 10).ok());
  EXPECT_EQ(readAll(*journal_, *k, 0, 100), baseString(5) + std::string(5, '\0'));
  ASSERT_TRUE(journal_->write(*k, 12, bytesOf("Z")).ok());
  EXPECT_EQ(readAll(*journal_, *k, 0, 100), baseString(5) + std::string(7, '\0') + "Z");
  ASSERT_TRUE(journal_->sync(*k).ok());
  reopen();
  EXPECT_EQ(readAll(*journal_, *k, 0, 100), baseString(5) + std::string(7, '\0') + "Z");
}

TEST_F(DirtyJournalTest, RandomOperationsMatchAModelAcrossReopens) {
  std::mt19937_64 rng(7);
  auto k = journal_->begin({"ws", "root", "r", "node", "v", 3000});
  ASSERT_TRUE(k.ok());
  std::string model = baseString(3000);
  DirtyJournalOptions small;
  small.compactSlackBytes = 4096;  // compact often
  for (int op = 0; op < 400; ++op) {
    int what = static_cast<int>(rng() % 10);
    if (what == 0) {
      uint64_t size = rng() % 5000;
      ASSERT_TRUE(journal_->truncate(*k, size).ok());
      model.resize(size, '\0');
    } else {
      uint64_t off = rng() % 5000;
      std::string data(1 + rng() % 300, '\0');
      for (auto& c : data) c = static_cast<char>('a' + rng() % 26);
      ASSERT_TRUE(journal_->write(*k, off, bytesOf(data)).ok());
      if (model.size() < off + data.size()) model.resize(off + data.size(), '\0');
      model.replace(off, data.size(), data);
    }
    if (op % 37 == 0) {
      ASSERT_TRUE(journal_->sync(*k).ok());
      reopen(small);
    }
    ASSERT_EQ(readAll(*journal_, *k, 0, 10000), model) << "op " << op;
  }
  ASSERT_TRUE(journal_->sync(*k).ok());
  // Compaction kept the log near the live size.
  EXPECT_LT(journal_->stagingBytes(), journal_->dirtyBytes() * 2 + 4096 + 400 * 300);
}

TEST_F(DirtyJournalTest, CompactionShrinksTheLogAndKeepsContent) {
  DirtyJournalOptions options;
  options.compactSlackBytes = 1024;
  reopen(options);
  FileKey k = newFile();
  std::string block(1000, 'q');
  for (int i = 0; i < 100; ++i) {
    block[0] = static_cast<char>('a' + i % 26);
    ASSERT_TRUE(journal_->write(k, 0, bytesOf(block)).ok());
  }
  EXPECT_EQ(journal_->stagingBytes(), 100000u);
  ASSERT_TRUE(journal_->sync(k).ok());
  EXPECT_EQ(journal_->stagingBytes(), 1000u);
  EXPECT_EQ(stagingFiles(), 1u);
  reopen(options);
  EXPECT_EQ(readAll(*journal_, k, 0, 5000), block);
}

TEST_F(DirtyJournalTest, ManySmallOutOfOrderWritesAreMergedByCompaction) {
  DirtyJournalOptions options;
  options.compactExtentCount = 100;
  reopen(options);
  FileKey k = newFile();
  std::string expected(4000, '\0');
  for (int i = 999; i >= 0; --i) {  // backwards: adjacent in the file, never in the log
    std::string piece(4, static_cast<char>('a' + i % 26));
    expected.replace(static_cast<size_t>(i) * 4, 4, piece);
    ASSERT_TRUE(journal_->write(k, static_cast<uint64_t>(i) * 4, bytesOf(piece)).ok());
  }
  EXPECT_EQ(journal_->state(k)->extents.size(), 1000u);
  ASSERT_TRUE(journal_->sync(k).ok());
  EXPECT_EQ(journal_->state(k)->extents.size(), 1u);
  reopen(options);
  EXPECT_EQ(readAll(*journal_, k, 0, 5000), expected);
  EXPECT_EQ(journal_->state(k)->extents.size(), 1u);
}

TEST_F(DirtyJournalTest, SparseWritesAreNotCompactedForNothing) {
  DirtyJournalOptions options;
  options.compactExtentCount = 10;
  reopen(options);
  FileKey k = newFile();
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(journal_->write(k, static_cast<uint64_t>(i) * 100, bytesOf("x")).ok());
  }
  ASSERT_TRUE(journal_->sync(k).ok());
  EXPECT_EQ(journal_->state(k)->extents.size(), 50u);
  EXPECT_EQ(stagingFiles(), 1u);
  // Still the first log generation: no rewrite happened.
  EXPECT_TRUE(std::filesystem::exists(tmp_.path() / "staging" / (std::to_string(k) + "-0.log")));
}

TEST_F(DirtyJournalTest, UploadLifecycleCleanCompletionRemovesTheFile) {
  FileKey k = newFile();
  ASSERT_TRUE(journal_->write(k, 0, bytesOf("payload")).ok());
  auto snap = journal_->beginUpload(k);
  ASSERT_TRUE(snap.ok());
  EXPECT_EQ(journal_->beginUpload(k).error().code, ErrorCode::kConflict);
  ASSERT_TRUE(journal_->setUploadSession(k, "sess-1", 4 << 20).ok());
  ASSERT_TRUE(journal_->ackChunk(k, 2).ok());
  ASSERT_TRUE(journal_->ackChunk(k, 1).ok());
  ASSERT_TRUE(journal_->ackChunk(k, 2).ok());
  // Upload state is durable without an explicit sync: it survives a reopen.
  reopen();
  auto st = journal_->state(k);
  ASSERT_TRUE(st.ok());
  ASSERT_TRUE(st->upload.has_value());
  EXPECT_EQ(st->upload->sessionId, "sess-1");
  EXPECT_EQ(st->upload->ackedChunks, (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(readAll(*journal_, k, 0, 100, true), "payload");
  auto clean = journal_->completeUpload(k, "newnode", "v1");
  ASSERT_TRUE(clean.ok());
  EXPECT_TRUE(*clean);
  EXPECT_FALSE(journal_->state(k).ok());
  // The log goes once the removal is power-durable (the next checkpoint).
  EXPECT_EQ(stagingFiles(), 1u);
  ASSERT_TRUE(journal_->checkpoint().ok());
  EXPECT_EQ(stagingFiles(), 0u);
  reopen();
  EXPECT_TRUE(journal_->list().empty());
}

TEST_F(DirtyJournalTest, WritesDuringAnUploadStayDirtyOverTheNewVersion) {
  auto k = journal_->begin({"ws", "root", "f", "node", "v1", 10});
  ASSERT_TRUE(journal_->write(*k, 0, bytesOf("AB")).ok());
  ASSERT_TRUE(journal_->beginUpload(*k).ok());
  ASSERT_TRUE(journal_->write(*k, 8, bytesOf("yz")).ok());
  ASSERT_TRUE(journal_->write(*k, 0, bytesOf("C")).ok());
  // The snapshot still reads the frozen content; the live file reads the new writes.
  std::string frozen = baseString(10);
  frozen.replace(0, 2, "AB");
  EXPECT_EQ(readAll(*journal_, *k, 0, 100, true), frozen);
  auto clean = journal_->completeUpload(*k, "node", "v2");
  ASSERT_TRUE(clean.ok());
  EXPECT_FALSE(*clean);
  auto st = journal_->state(*k);
  EXPECT_EQ(st->baseVersion, "v2");
  EXPECT_FALSE(st->upload.has_value());
  std::string live = frozen;
  live.replace(0, 1, "C");
  live.replace(8, 2, "yz");
  EXPECT_EQ(readAll(*journal_, *k, 0, 100), live);
}

TEST_F(DirtyJournalTest, FailuresAreCountedAndSessionsCanBeDropped) {
  FileKey k = newFile();
  ASSERT_TRUE(journal_->write(k, 0, bytesOf("x")).ok());
  ASSERT_TRUE(journal_->beginUpload(k).ok());
  ASSERT_TRUE(journal_->recordFailure(k, "unavailable: 503", true).ok());
  ASSERT_TRUE(journal_->recordFailure(k, "session expired", false).ok());
  reopen();
  auto st = journal_->state(k);
  EXPECT_EQ(st->attempts, 2u);
  EXPECT_EQ(st->lastError, "session expired");
  EXPECT_FALSE(st->upload.has_value());
  EXPECT_TRUE(journal_->beginUpload(k).ok());
}

TEST_F(DirtyJournalTest, DiscardForgetsTheFileAndItsLog) {
  FileKey k = newFile();
  ASSERT_TRUE(journal_->write(k, 0, bytesOf("bye")).ok());
  ASSERT_TRUE(journal_->sync(k).ok());
  ASSERT_TRUE(journal_->discard(k).ok());
  EXPECT_FALSE(journal_->write(k, 0, bytesOf("x")).ok());
  EXPECT_TRUE(journal_->list().empty());
  // Durable for kill -9 at once; the log stays until a checkpoint makes the removal
  // power-durable (the reopen runs one).
  EXPECT_EQ(stagingFiles(), 1u);
  reopen();
  EXPECT_TRUE(journal_->list().empty());
  EXPECT_EQ(stagingFiles(), 0u);
}

TEST_F(DirtyJournalTest, PlacementAndListSurviveReopen) {
  FileKey a = newFile("a");
  FileKey b = newFile("b");
  ASSERT_TRUE(journal_->setPlacement(b, "folder9", "renamed").ok());
  ASSERT_TRUE(journal_->syncAll().ok());
  reopen();
  auto all = journal_->list();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].key, a);
  EXPECT_EQ(all[1].parentId, "folder9");
  EXPECT_EQ(all[1].name, "renamed");
}

TEST_F(DirtyJournalTest, ManyFilesNeverHoldManyDescriptors) {
  DirtyJournalOptions options;
  options.maxOpenLogs = 8;
  reopen(options);
  std::vector<FileKey> keys;
  for (int i = 0; i < 300; ++i) {
    keys.push_back(newFile(std::to_string(i)));
    ASSERT_TRUE(journal_->write(keys.back(), 0, bytesOf("file " + std::to_string(i))).ok());
  }
  ASSERT_TRUE(journal_->syncAll().ok());
  for (int i = 0; i < 300; ++i) {
    ASSERT_EQ(readAll(*journal_, keys[static_cast<size_t>(i)], 0, 100),
              "file " + std::to_string(i));
  }
  size_t fds = 0;
  for (auto& e : std::filesystem::directory_iterator("/proc/self/fd")) {
    (void)e;
    ++fds;
  }
  EXPECT_LT(fds, 100u);
}

TEST_F(DirtyJournalTest, ConcurrentWritersWithGroupCommit) {
  constexpr int kThreads = 6;
  constexpr int kWrites = 50;
  std::vector<FileKey> keys;
  for (int t = 0; t < kThreads; ++t) keys.push_back(newFile(std::to_string(t)));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWrites; ++i) {
        std::string chunk(100, static_cast<char>('a' + t));
        ASSERT_TRUE(journal_
                        ->write(keys[static_cast<size_t>(t)], static_cast<uint64_t>(i) * 100,
                                bytesOf(chunk))
                        .ok());
        ASSERT_TRUE(
            (i % 2 == 0 ? journal_->sync(keys[static_cast<size_t>(t)]) : journal_->syncAll()).ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  reopen();
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(readAll(*journal_, keys[static_cast<size_t>(t)], 0, 100000),
              std::string(100 * kWrites, static_cast<char>('a' + t)));
  }
}

TEST_F(DirtyJournalTest, BadCallsAreErrorsNotCrashes) {
  EXPECT_EQ(journal_->write(999, 0, bytesOf("x")).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(journal_->sync(999).error().code, ErrorCode::kNotFound);
  FileKey k = newFile();
  EXPECT_EQ(journal_->write(k, ~0ull - 2, bytesOf("xyz")).error().code, ErrorCode::kTooLarge);
  EXPECT_EQ(journal_->ackChunk(k, 1).error().code, ErrorCode::kInvalid);
  EXPECT_EQ(journal_->completeUpload(k, "n", "v").error().code, ErrorCode::kInvalid);
  std::vector<std::byte> buf(10);
  EXPECT_EQ(journal_->read(k, 1000, buf)->length, 0u);
}

TEST_F(DirtyJournalTest, MissingStagingLogFailsTheOpenLoudly) {
  FileKey k = newFile();
  ASSERT_TRUE(journal_->write(k, 0, bytesOf("precious")).ok());
  ASSERT_TRUE(journal_->sync(k).ok());
  journal_.reset();
  for (auto& e : std::filesystem::directory_iterator(tmp_.path() / "staging")) {
    std::filesystem::remove(e.path());
  }
  auto j = DirtyJournal::open(tmp_.path(), {}, clock_);
  ASSERT_FALSE(j.ok());
  EXPECT_NE(j.error().message.find("missing"), std::string::npos);
}

}  // namespace
}  // namespace fastio::cache
