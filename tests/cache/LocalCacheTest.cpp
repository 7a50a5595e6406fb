#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstring>
#include <thread>

#include "cache/LocalCache.h"
#include "tests/support/TempDir.h"

namespace fastio::cache {
namespace {

using fastio::testing::TempDir;

LocalCacheOptions optionsFor(const std::filesystem::path& dir, uint32_t blockSize = 64 * 1024) {
  LocalCacheOptions o;
  o.dir = dir;
  o.cacheSizeBytes = 32ull << 20;
  o.blockSize = blockSize;
  return o;
}

void overwrite(const std::filesystem::path& file, char fill, size_t bytes) {
  FILE* f = std::fopen(file.c_str(), "r+");
  ASSERT_NE(f, nullptr) << file;
  std::string junk(bytes, fill);
  std::fwrite(junk.data(), 1, junk.size(), f);
  std::fclose(f);
}

std::vector<std::byte> bytesOf(std::string_view s) {
  std::vector<std::byte> out(s.size());
  std::memcpy(out.data(), s.data(), s.size());
  return out;
}

class LocalCacheTest : public ::testing::Test {
 protected:
  std::unique_ptr<LocalCache> open(uint32_t blockSize = 64 * 1024) {
    auto c = LocalCache::open(optionsFor(tmp_.path() / "c", blockSize), clock_);
    EXPECT_TRUE(c.ok()) << c.error().describe();
    return c.ok() ? std::move(*c) : nullptr;
  }
  // Puts one node, one block and one synced dirty file.
  void populate(LocalCache& c) {
    CachedNode n;
    n.id = "n1";
    n.parentId = "root";
    n.name = "a.txt";
    n.version = "v1";
    ASSERT_TRUE(c.metadata().putNode(n).ok());
    ASSERT_TRUE(c.blocks().put({"n1", "v1", 0}, "block zero").ok());
    auto k = c.journal().begin({"ws", "root", "d.txt", "", "", 0});
    ASSERT_TRUE(c.journal().write(*k, 0, bytesOf("dirty bytes")).ok());
    ASSERT_TRUE(c.journal().sync(*k).ok());
    ASSERT_TRUE(c.flush().ok());
  }
  bool hasDirtyFile(LocalCache& c) {
    auto all = c.journal().list();
    if (all.size() != 1) return false;
    std::vector<std::byte> buf(64);
    auto plan = c.journal().read(all[0].key, 0, buf);
    return plan.ok() &&
           std::string(reinterpret_cast<char*>(buf.data()), plan->length) == "dirty bytes";
  }
  size_t brokenCopies() {
    size_t n = 0;
    for (auto& e : std::filesystem::directory_iterator(tmp_.path() / "c")) {
      if (e.path().filename().string().starts_with("clean.broken-")) ++n;
    }
    return n;
  }
  TempDir tmp_;
  FakeClock clock_;
};

TEST_F(LocalCacheTest, RestartFindsEverythingValid) {
  {
    auto c = open();
    ASSERT_NE(c, nullptr);
    populate(*c);
  }
  auto c = open();
  ASSERT_NE(c, nullptr);
  EXPECT_FALSE(c->cleanCacheRebuilt());
  EXPECT_TRUE(c->metadata().node("n1")->has_value());
  EXPECT_EQ(**c->blocks().get({"n1", "v1", 0}), "block zero");
  EXPECT_TRUE(hasDirtyFile(*c));
}

TEST_F(LocalCacheTest, DirectoryAndFilesArePrivate) {
  auto c = open();
  ASSERT_NE(c, nullptr);
  populate(*c);
  for (auto& e : std::filesystem::recursive_directory_iterator(tmp_.path() / "c")) {
    struct stat st {};
    ASSERT_EQ(::stat(e.path().c_str(), &st), 0);
    if (S_ISDIR(st.st_mode)) {
      EXPECT_EQ(st.st_mode & 0777, 0700u) << e.path();
    } else {
      EXPECT_EQ(st.st_mode & 0777, 0600u) << e.path();
    }
  }
}

TEST_F(LocalCacheTest, SecondOpenOfTheSameDirectoryFails) {
  auto c = open();
  ASSERT_NE(c, nullptr);
  auto second = LocalCache::open(optionsFor(tmp_.path() / "c"), clock_);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kExists);
  EXPECT_NE(second.error().message.find((tmp_.path() / "c").string()), std::string::npos);
}

TEST_F(LocalCacheTest, CorruptCleanCacheIsMovedAsideAndRebuiltButTheJournalIsKept) {
  {
    auto c = open();
    ASSERT_NE(c, nullptr);
    populate(*c);
  }
  overwrite(tmp_.path() / "c" / "clean" / "data.mdb", '\x7f', 16384);
  auto c = open();
  ASSERT_NE(c, nullptr);
  EXPECT_TRUE(c->cleanCacheRebuilt());
  EXPECT_EQ(brokenCopies(), 1u);
  EXPECT_FALSE(c->metadata().node("n1")->has_value());
  EXPECT_FALSE(c->blocks().get({"n1", "v1", 0})->has_value());
  EXPECT_TRUE(hasDirtyFile(*c));
  // The rebuilt cache works.
  ASSERT_TRUE(c->blocks().put({"n2", "v", 0}, "fresh").ok());
  c.reset();
  // A second corruption keeps only the newest broken copy.
  overwrite(tmp_.path() / "c" / "clean" / "data.mdb", '\x7f', 16384);
  clock_.advance(std::chrono::seconds(5));
  c = open();
  ASSERT_NE(c, nullptr);
  EXPECT_TRUE(c->cleanCacheRebuilt());
  EXPECT_EQ(brokenCopies(), 1u);
  EXPECT_TRUE(hasDirtyFile(*c));
}

TEST_F(LocalCacheTest, AnotherBlockSizeIsAnIncompatibleFormat) {
  {
    auto c = open(64 * 1024);
    ASSERT_NE(c, nullptr);
    populate(*c);
  }
  auto c = open(128 * 1024);
  ASSERT_NE(c, nullptr);
  EXPECT_TRUE(c->cleanCacheRebuilt());
  EXPECT_FALSE(c->blocks().get({"n1", "v1", 0})->has_value());
  EXPECT_TRUE(hasDirtyFile(*c));
}

TEST_F(LocalCacheTest, ACorruptJournalIsNeverRebuilt) {
  {
    auto c = open();
    ASSERT_NE(c, nullptr);
    populate(*c);
  }
  overwrite(tmp_.path() / "c" / "journal" / "records" / "data.mdb", '\x7f', 16384);
  auto c = LocalCache::open(optionsFor(tmp_.path() / "c"), clock_);
  ASSERT_FALSE(c.ok());
  // Its staging data is still on disk for a person to recover.
  EXPECT_FALSE(std::filesystem::is_empty(tmp_.path() / "c" / "journal" / "staging"));
}

TEST_F(LocalCacheTest, DirtyDataHasItsOwnShareOfTheCacheSize) {
  auto c = open();
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->dirtyLimitBytes(), 8ull << 20) << "a quarter of 32 MiB";
  // The clean share (24 MiB) less 1 MiB of lock files and directories, less 10 % for LMDB.
  EXPECT_EQ(c->blocks().stats().capacityBytes, (23ull << 20) - (23ull << 20) / 10);
  std::string block(64 * 1024, 'b');
  for (uint64_t i = 0; i < 250; ++i) ASSERT_TRUE(c->blocks().put({"f", "v", i}, block).ok());
  uint64_t before = c->blocks().stats().chargedBytes;
  auto k = c->journal().begin({"ws", "root", "big", "", "", 0});
  std::vector<std::byte> dirty(6 << 20, std::byte{1});
  ASSERT_TRUE(c->journal().write(*k, 0, dirty).ok());
  ASSERT_TRUE(c->journal().sync(*k).ok());
  ASSERT_TRUE(c->refreshBudget().ok());
  EXPECT_EQ(c->blocks().stats().chargedBytes, before) << "dirty data evicted clean blocks";
  EXPECT_LE(c->journal().footprintBytes(), c->dirtyLimitBytes());
}

TEST_F(LocalCacheTest, TheDirtyLimitIsConfigurableWithinBounds) {
  LocalCacheOptions o = optionsFor(tmp_.path() / "c");
  o.dirtyLimitBytes = 12ull << 20;
  {
    auto c = LocalCache::open(o, clock_);
    ASSERT_TRUE(c.ok()) << c.error().describe();
    EXPECT_EQ((*c)->dirtyLimitBytes(), 12ull << 20);
  }
  o.dirtyLimitBytes = 1ull << 20;
  EXPECT_EQ(LocalCache::open(o, clock_).error().code, ErrorCode::kInvalid);
  o.dirtyLimitBytes = 30ull << 20;  // would leave the clean cache 2 MiB
  EXPECT_EQ(LocalCache::open(o, clock_).error().code, ErrorCode::kInvalid);
}

TEST_F(LocalCacheTest, ACleanFileLargerThanItsShareIsCompactedAtOpen) {
  LocalCacheOptions big = optionsFor(tmp_.path() / "c");
  big.cacheSizeBytes = 96ull << 20;
  std::string block(64 * 1024, 'b');
  {
    auto c = LocalCache::open(big, clock_);
    ASSERT_TRUE(c.ok());
    populate(**c);
    for (uint64_t i = 0; i < 800; ++i) {
      block[0] = static_cast<char>(i);
      ASSERT_TRUE((*c)->blocks().put({"big", "v", i}, block).ok());
    }
  }
  auto dataFile = tmp_.path() / "c" / "clean" / "data.mdb";
  ASSERT_GT(std::filesystem::file_size(dataFile), 48ull << 20);
  auto c = open();  // 32 MiB: the clean share's files may take 23 MiB
  ASSERT_NE(c, nullptr);
  EXPECT_LE(std::filesystem::file_size(dataFile), 23ull << 20);
  EXPECT_FALSE(std::filesystem::exists(tmp_.path() / "c" / "clean.compact"));
  EXPECT_FALSE(c->cleanCacheRebuilt());
  EXPECT_TRUE(c->metadata().node("n1")->has_value()) << "metadata survives the compaction";
  block[0] = static_cast<char>(799);
  EXPECT_EQ(**c->blocks().get({"big", "v", 799}), block) << "the newest blocks stay";
  EXPECT_FALSE(c->blocks().get({"big", "v", 0})->has_value());
  EXPECT_TRUE(hasDirtyFile(*c));
  EXPECT_LE(c->blocks().stats().chargedBytes, c->blocks().stats().capacityBytes);
}

TEST_F(LocalCacheTest, MaintenanceFlushesAndPurges) {
  auto c = open();
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(
      c->metadata().putAnswer(AnswerKind::kSearch, "ws", "q", "p", std::chrono::seconds(1)).ok());
  clock_.advance(std::chrono::seconds(2));
  c->startMaintenance(std::chrono::milliseconds(5));
  c->startMaintenance(std::chrono::milliseconds(5));  // a second start is a no-op
  for (int i = 0; i < 400 && c->metadata().answer(AnswerKind::kSearch, "ws", "q")->has_value();
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_FALSE(c->metadata().answer(AnswerKind::kSearch, "ws", "q")->has_value());
  c->stopMaintenance();
  EXPECT_TRUE(c->maintain().ok());
}

// `du -sb` of the whole directory, as a user would check it.
uint64_t duOf(const std::filesystem::path& dir) {
  std::string cmd = "du -sb '" + dir.string() + "'";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return ~0ull;
  unsigned long long bytes = ~0ull;
  if (std::fscanf(p, "%llu", &bytes) != 1) bytes = ~0ull;
  ::pclose(p);
  return bytes;
}

TEST_F(LocalCacheTest, DuOfTheCacheDirectoryStaysWithinTheCacheSize) {
  auto c = open();
  ASSERT_NE(c, nullptr);
  const uint64_t cacheSize = 32ull << 20;
  std::string block(64 * 1024, 'b');
  auto fillClean = [&](uint64_t from) {
    for (uint64_t i = from; i < from + 3 * cacheSize / block.size(); ++i) {
      block[0] = static_cast<char>(i);
      ASSERT_TRUE(c->blocks().put({"f" + std::to_string(i % 7), "v", i}, block).ok());
      if (i % 50 == 0) {
        CachedNode n;
        n.id = "n" + std::to_string(i);
        n.parentId = "root";
        n.name = n.id;
        ASSERT_TRUE(c->metadata().putNode(n).ok());
        ASSERT_TRUE(c->refreshBudget().ok());
      }
    }
  };
  fillClean(0);
  // Dirty data up to the limit, as the fs layer admits it: overwrites (dead bytes), many
  // small files, both levels, checkpoints now and then.
  std::vector<std::byte> chunk(256 * 1024, std::byte{7});
  std::vector<FileKey> keys;
  for (int i = 0; i < 8; ++i) keys.push_back(*c->journal().begin({"ws", "root", "d", "", "", 0}));
  for (int i = 0; i < 400; ++i) {
    if (c->journal().footprintBytes() + 2 * chunk.size() > c->dirtyLimitBytes()) {
      ASSERT_TRUE(c->journal().checkpoint().ok());
      if (c->journal().footprintBytes() + 2 * chunk.size() > c->dirtyLimitBytes()) break;
    }
    FileKey k = keys[static_cast<size_t>(i) % keys.size()];
    ASSERT_TRUE(c->journal().write(k, (i % 3) * chunk.size(), chunk).ok());
    ASSERT_TRUE(c->journal().sync(k, i % 4 == 0 ? Durability::kPower : Durability::kProcess).ok());
  }
  EXPECT_GT(c->journal().stagingBytes(), c->dirtyLimitBytes() / 2) << "the share is used";
  fillClean(100000);
  ASSERT_TRUE(c->maintain().ok());
  uint64_t du = duOf(tmp_.path() / "c");
  EXPECT_LE(du, cacheSize) << "du -sb says " << du;
  EXPECT_GT(du, cacheSize / 2) << "the cache should be used, not starved";
  EXPECT_EQ(c->diskFootprintBytes(), du);
}

TEST_F(LocalCacheTest, NonsenseOptionsAreRefused) {
  LocalCacheOptions o = optionsFor(tmp_.path() / "c");
  o.cacheSizeBytes = 1024;
  EXPECT_EQ(LocalCache::open(o, clock_).error().code, ErrorCode::kInvalid);
  o = optionsFor("");
  EXPECT_EQ(LocalCache::open(o, clock_).error().code, ErrorCode::kInvalid);
}

}  // namespace
}  // namespace fastio::cache
