// Staging logs: removed ones are kept empty as spares and renamed into place by the next
// create, never over a log that exists; spares left by a previous process are reused.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstddef>
#include <filesystem>
#include <string>

#include "cache/StagingFiles.h"
#include "tests/support/TempDir.h"

namespace fastio::cache {
namespace {

using fastio::testing::TempDir;

std::span<const std::byte> bytes(const std::string& s) {
  return std::as_bytes(std::span<const char>(s.data(), s.size()));
}

ino_t inodeOf(const std::filesystem::path& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_ino;
}

TEST(StagingFilesTest, ARemovedLogBecomesTheNextCreatedOneEmpty) {
  TempDir tmp;
  StagingFiles files(tmp.path(), 8);
  auto a = files.get("1-0.log", true);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE((*a)->writeAt(0, bytes("old content")).ok());
  const ino_t reused = inodeOf(tmp.path() / "1-0.log");
  a->reset();
  ASSERT_TRUE(files.remove("1-0.log").ok());
  EXPECT_FALSE(std::filesystem::exists(tmp.path() / "1-0.log"));
  EXPECT_EQ(files.spareCount(), 1u);

  auto b = files.get("2-0.log", true);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(inodeOf(tmp.path() / "2-0.log"), reused);
  EXPECT_EQ((*b)->size().valueOr(99), 0u) << "a spare starts empty";
  EXPECT_EQ(files.spareCount(), 0u);
}

TEST(StagingFilesTest, ASpareNeverReplacesALogThatExists) {
  TempDir tmp;
  StagingFiles files(tmp.path(), 1);  // one descriptor: reopening goes to the filesystem
  auto keep = files.get("keep.log", true);
  ASSERT_TRUE(keep.ok());
  ASSERT_TRUE((*keep)->writeAt(0, bytes("kept")).ok());
  keep->reset();
  ASSERT_TRUE(files.get("gone.log", true).ok());  // evicts keep.log's descriptor
  ASSERT_TRUE(files.remove("gone.log").ok());
  ASSERT_EQ(files.spareCount(), 1u);
  auto again = files.get("keep.log", true);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->size().valueOr(0), 4u) << "the log was opened, not replaced";
  EXPECT_EQ(files.spareCount(), 1u);
}

TEST(StagingFilesTest, AFileSomeoneHoldsIsUnlinkedNotReused) {
  TempDir tmp;
  StagingFiles files(tmp.path(), 8);
  auto held = files.get("1-0.log", true);
  ASSERT_TRUE(held.ok());
  ASSERT_TRUE(files.remove("1-0.log").ok());
  EXPECT_EQ(files.spareCount(), 0u);
  ASSERT_TRUE((*held)->writeAt(0, bytes("late write")).ok());
  auto fresh = files.get("2-0.log", true);
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ((*fresh)->size().valueOr(99), 0u) << "the late write went nowhere else";
}

TEST(StagingFilesTest, SparesBeyondTheLimitAreDeleted) {
  TempDir tmp;
  StagingFiles files(tmp.path(), 8, 2);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(files.get(std::to_string(i), true).ok());
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(files.remove(std::to_string(i)).ok());
  EXPECT_EQ(files.spareCount(), 2u);
  size_t inDir = 0;
  for (const auto& e : std::filesystem::directory_iterator(tmp.path())) {
    EXPECT_TRUE(StagingFiles::isSpareName(e.path().filename().string()));
    ++inDir;
  }
  EXPECT_EQ(inDir, 2u);
}

TEST(StagingFilesTest, SparesOfAPreviousProcessAreAdoptedEmpty) {
  TempDir tmp;
  {
    StagingFiles first(tmp.path(), 8);
    auto f = first.get("1-0.log", true);
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE((*f)->writeAt(0, bytes("bytes")).ok());
    f->reset();
    ASSERT_TRUE(first.remove("1-0.log").ok());
  }
  StagingFiles second(tmp.path(), 8);
  for (const auto& e : std::filesystem::directory_iterator(tmp.path())) {
    second.adoptSpare(e.path().filename().string());
  }
  EXPECT_EQ(second.spareCount(), 1u);
  auto g = second.get("9-0.log", true);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ((*g)->size().valueOr(99), 0u);
  g->reset();
  ASSERT_TRUE(second.remove("9-0.log").ok());
  EXPECT_EQ(second.spareCount(), 1u);
}

}  // namespace
}  // namespace fastio::cache
