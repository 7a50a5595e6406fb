// What the journal reports it occupies (stagingBytes, footprintBytes) against what is on
// disk, and a printed (never asserted) measurement of creating many small files at each
// durability level. FASTIO_CACHE_LONG_TESTS=1 measures 10,000 files instead of 300.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "tests/cache/JournalTesting.h"

namespace fastio::cache {
namespace {

using testing::bytesIn;
using testing::contentOf;

// `du -sb`: apparent sizes of every file and directory, the top one included.
uint64_t duBytes(const std::filesystem::path& dir) {
  auto size = [](const std::filesystem::path& p) {
    struct stat st {};
    return ::lstat(p.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
  };
  uint64_t total = size(dir);
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) total += size(e.path());
  return total;
}

class JournalAccountingTest : public testing::JournalFixture {};

TEST_F(JournalAccountingTest, StagingBytesMatchTheLogsOnDiskThroughTheirLife) {
  DirtyJournalOptions options;
  options.compactSlackBytes = 2048;
  reopen(options);
  FileKey a = newFile("a");
  FileKey b = newFile("b");
  std::string block(1000, 'z');
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(put(a, 0, block).ok());
  ASSERT_TRUE(put(b, 0, block).ok());
  EXPECT_EQ(journal_->stagingBytes(), 11000u);
  EXPECT_EQ(journal_->stagingBytes(), bytesIn(stagingDir()));
  ASSERT_TRUE(journal_->syncAll(Durability::kProcess).ok());
  EXPECT_EQ(journal_->stagingBytes(), 11000u) << "no compaction at close level";
  ASSERT_TRUE(journal_->syncAll(Durability::kPower).ok());  // compacts a
  EXPECT_EQ(journal_->stagingBytes(), 2000u);
  EXPECT_EQ(journal_->stagingBytes(), bytesIn(stagingDir()));
  ASSERT_TRUE(journal_->discard(b).ok());
  EXPECT_EQ(journal_->stagingBytes(), 2000u) << "b's log stays until the checkpoint";
  EXPECT_EQ(journal_->stagingBytes(), bytesIn(stagingDir()));
  ASSERT_TRUE(journal_->checkpoint().ok());
  EXPECT_EQ(journal_->stagingBytes(), 1000u);
  EXPECT_EQ(journal_->stagingBytes(), bytesIn(stagingDir()));
  ASSERT_TRUE(put(a, 500, block).ok());
  ASSERT_TRUE(journal_->sync(a, Durability::kProcess).ok());
  reopen(options);
  EXPECT_EQ(journal_->stagingBytes(), bytesIn(stagingDir()));
  EXPECT_EQ(journal_->stagingBytes(), 2000u);
}

TEST_F(JournalAccountingTest, FootprintIsWhatDuCountsForTheJournal) {
  for (int i = 0; i < 20; ++i) {
    FileKey k = newFile("f" + std::to_string(i));
    ASSERT_TRUE(put(k, 0, std::string(3000, 'x')).ok());
    ASSERT_TRUE(journal_->sync(k, i % 2 == 0 ? Durability::kProcess : Durability::kPower).ok());
  }
  EXPECT_EQ(journal_->footprintBytes(), duBytes(tmp_.path()));
  ASSERT_TRUE(journal_->checkpoint().ok());
  EXPECT_EQ(journal_->footprintBytes(), duBytes(tmp_.path()));
}

// Creating small files as a program does: begin, write 1 KiB, close (kProcess) — against the
// same with fsync (kPower) — and the checkpoint that later makes the close-level ones durable.
TEST_F(JournalAccountingTest, MeasureSmallFileCreationAtEachLevel) {
  const bool longRun = std::getenv("FASTIO_CACHE_LONG_TESTS") != nullptr;
  const int files = longRun ? 10000 : 300;
  std::string data(1024, 'd');
  auto run = [&](Durability level) {
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < files; ++i) {
      FileKey k = newFile("small" + std::to_string(i));
      EXPECT_TRUE(put(k, 0, data).ok());
      EXPECT_TRUE(journal_->sync(k, level).ok());
    }
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  // The floor, measured just before: the same files created in a plain directory (open,
  // write, close; no fsync).
  fastio::testing::TempDir plain;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < files; ++i) {
    std::string path = (plain.path() / ("small" + std::to_string(i))).string();
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, data.data(), data.size()), static_cast<ssize_t>(data.size()));
    ::close(fd);
  }
  double plainSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double closeSeconds = run(Durability::kProcess);
  start = std::chrono::steady_clock::now();
  ASSERT_TRUE(journal_->checkpoint().ok());
  double checkpointSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double fsyncSeconds = run(Durability::kPower);
  std::printf(
      "[ measure  ] %d files of 1 KiB: plain files %.0f/s; close level %.0f/s (%.1f us each), "
      "checkpoint of them %.3f s; power level %.0f/s (%.0f us each)\n",
      files, files / plainSeconds, files / closeSeconds, closeSeconds * 1e6 / files,
      checkpointSeconds, files / fsyncSeconds, fsyncSeconds * 1e6 / files);
  reopen();
  ASSERT_EQ(journal_->list().size(), static_cast<size_t>(2 * files));
  EXPECT_EQ(contentOf(*journal_, journal_->list().front().key), data);
}

}  // namespace
}  // namespace fastio::cache
