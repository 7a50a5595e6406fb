#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <thread>
#include <vector>

#include "cache/BlockCache.h"
#include "tests/support/TempDir.h"

namespace fastio::cache {
namespace {

using fastio::testing::TempDir;

constexpr uint32_t kBlock = 64 * 1024;

std::string blockBytes(uint64_t index, char salt, size_t size = kBlock) {
  std::string s(size, '\0');
  for (size_t i = 0; i < size; ++i) s[i] = static_cast<char>((index * 31 + i + salt) & 0xff);
  return s;
}

class BlockCacheTest : public ::testing::Test {
 protected:
  void SetUp() override { reopen(); }
  void reopen(uint64_t capacity = 4ull << 20) {
    cache_.reset();
    env_.reset();
    LmdbEnvOptions envOptions;
    envOptions.mapSizeBytes = 64ull << 20;
    envOptions.durableCommits = false;
    auto env = LmdbEnv::open(tmp_.path(), envOptions);
    ASSERT_TRUE(env.ok()) << env.error().describe();
    env_ = std::move(*env);
    BlockCacheOptions options;
    options.capacityBytes = capacity;
    options.blockSize = kBlock;
    auto cache = BlockCache::open(*env_, options);
    ASSERT_TRUE(cache.ok()) << cache.error().describe();
    cache_ = std::move(*cache);
  }
  TempDir tmp_;
  std::unique_ptr<LmdbEnv> env_;
  std::unique_ptr<BlockCache> cache_;
};

TEST_F(BlockCacheTest, PutThenReadAndGet) {
  BlockKey k{"node1", "v1", 3};
  ASSERT_TRUE(cache_->put(k, blockBytes(3, 'a')).ok());
  auto whole = cache_->get(k);
  ASSERT_TRUE(whole.ok());
  ASSERT_TRUE(whole->has_value());
  EXPECT_EQ(**whole, blockBytes(3, 'a'));
  std::vector<std::byte> out(100);
  auto n = cache_->read(k, kBlock - 40, out);
  ASSERT_TRUE(n.ok());
  ASSERT_TRUE(n->has_value());
  EXPECT_EQ(**n, 40u);
  EXPECT_EQ(std::memcmp(out.data(), blockBytes(3, 'a').data() + kBlock - 40, 40), 0);
  auto past = cache_->read(k, kBlock + 5, out);
  EXPECT_EQ(**past, 0u);
  EXPECT_EQ(cache_->stats().hits, 3u);
}

TEST_F(BlockCacheTest, APinnedBlockStaysIntactWhileItIsRemovedAndOverwritten) {
  BlockKey k{"node1", "v1", 0};
  ASSERT_TRUE(cache_->put(k, blockBytes(0, 'a')).ok());
  auto missing = cache_->pin({"node1", "v1", 1});
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  auto pinned = cache_->pin(k);
  ASSERT_TRUE(pinned.ok());
  ASSERT_TRUE(pinned->has_value());
  EXPECT_EQ((*pinned)->bytes, blockBytes(0, 'a'));
  // The read transaction keeps its snapshot: removing the block and filling the cache past its
  // cap (eviction reuses freed pages) must not change the pinned bytes.
  ASSERT_TRUE(cache_->invalidateNode("node1").ok());
  for (uint64_t i = 0; i < 100; ++i) {
    ASSERT_TRUE(cache_->put({"other", "v", i}, blockBytes(i, 'z')).ok());
  }
  EXPECT_EQ((*pinned)->bytes, blockBytes(0, 'a'));
  pinned->reset();
  EXPECT_EQ(cache_->stats().hits, 1u);
  EXPECT_EQ(cache_->stats().misses, 1u);
}

TEST_F(BlockCacheTest, AnotherVersionIsNeverServed) {
  ASSERT_TRUE(cache_->put({"n", "v1", 0}, blockBytes(0, 'a')).ok());
  auto other = cache_->get({"n", "v2", 0});
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->has_value());
  // A node id that is a prefix of another does not collide either.
  EXPECT_FALSE(cache_->get({"n", "v", 0})->has_value());
  EXPECT_FALSE(cache_->get({"n1", "v1", 0})->has_value());
  EXPECT_EQ(cache_->stats().misses, 3u);
}

TEST_F(BlockCacheTest, ShortLastBlockAndBadBlocksAreRefused) {
  ASSERT_TRUE(cache_->put({"n", "v", 9}, "tail").ok());
  EXPECT_EQ(**cache_->get({"n", "v", 9}), "tail");
  EXPECT_EQ(cache_->put({"n", "v", 1}, std::string(kBlock + 1, 'x')).error().code,
            ErrorCode::kInvalid);
  EXPECT_EQ(cache_->put({"n", "v", 1}, "").error().code, ErrorCode::kInvalid);
  EXPECT_EQ(cache_->put({"", "v", 1}, "x").error().code, ErrorCode::kInvalid);
  EXPECT_EQ(cache_->put({std::string(256, 'n'), "v", 1}, "x").error().code, ErrorCode::kInvalid);
}

TEST_F(BlockCacheTest, NeverExceedsTheCapAndEvictsLeastRecentlyUsed) {
  const uint64_t cap = cache_->stats().capacityBytes;
  // Keep block 0 hot while filling far past the cap.
  ASSERT_TRUE(cache_->put({"hot", "v", 0}, blockBytes(0, 'h')).ok());
  for (uint64_t i = 0; i < 200; ++i) {
    ASSERT_TRUE(cache_->put({"cold", "v", i}, blockBytes(i, 'c')).ok());
    ASSERT_LE(cache_->stats().chargedBytes, cap);
    ASSERT_TRUE(cache_->get({"hot", "v", 0})->has_value()) << "hot block evicted at " << i;
  }
  auto s = cache_->stats();
  EXPECT_GT(s.evictedBlocks, 100u);
  EXPECT_LE(s.chargedBytes, cap);
  // The oldest cold blocks went first; the newest are still there.
  EXPECT_FALSE(cache_->get({"cold", "v", 0})->has_value());
  EXPECT_TRUE(cache_->get({"cold", "v", 199})->has_value());
  EXPECT_EQ(s.blocks * cache_->chargeFor(kBlock), s.chargedBytes);
}

TEST_F(BlockCacheTest, EvictionUnderTheCapWithConcurrentReaders) {
  const uint64_t cap = cache_->stats().capacityBytes;
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> served{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&, t] {
      std::vector<std::byte> buf(kBlock);
      uint64_t i = static_cast<uint64_t>(t);
      while (!stop) {
        uint64_t index = (i++ * 7) % 300;
        auto n = cache_->read({"f", "v", index}, 0, buf);
        ASSERT_TRUE(n.ok()) << n.error().describe();
        if (n->has_value()) {
          // Whatever is served is the right block, whole.
          ASSERT_EQ(**n, kBlock);
          ASSERT_EQ(std::memcmp(buf.data(), blockBytes(index, 'x').data(), kBlock), 0);
          ++served;
        }
      }
    });
  }
  std::vector<std::thread> writers;
  for (int t = 0; t < 2; ++t) {
    writers.emplace_back([&, t] {
      for (uint64_t i = static_cast<uint64_t>(t); i < 300; i += 2) {
        ASSERT_TRUE(cache_->put({"f", "v", i}, blockBytes(i, 'x')).ok());
        ASSERT_LE(cache_->stats().chargedBytes, cap);
      }
    });
  }
  for (auto& w : writers) w.join();
  stop = true;
  for (auto& r : readers) r.join();
  EXPECT_LE(cache_->stats().chargedBytes, cap);
  EXPECT_GT(cache_->stats().evictedBlocks, 0u);
  EXPECT_GT(served.load(), 0u);
}

TEST_F(BlockCacheTest, EverythingIsStillValidAfterARestart) {
  for (uint64_t i = 0; i < 20; ++i)
    ASSERT_TRUE(cache_->put({"f", "v", i}, blockBytes(i, 'r')).ok());
  ASSERT_TRUE(cache_->get({"f", "v", 0})->has_value());  // a hit: 0 becomes most recent
  ASSERT_TRUE(cache_->flushAccessTimes().ok());
  auto before = cache_->stats();
  ASSERT_TRUE(env_->sync().ok());
  reopen();
  auto after = cache_->stats();
  EXPECT_EQ(after.blocks, before.blocks);
  EXPECT_EQ(after.chargedBytes, before.chargedBytes);
  for (uint64_t i = 0; i < 20; ++i) {
    auto b = cache_->get({"f", "v", i});
    ASSERT_TRUE(b->has_value()) << i;
    EXPECT_EQ(**b, blockBytes(i, 'r'));
  }
  // Recency survived: evicting one block takes block 1, not the re-read block 0.
  ASSERT_TRUE(cache_->evictTo(after.chargedBytes - 1).ok());
  EXPECT_TRUE(cache_->contains({"f", "v", 0}).value());
  EXPECT_FALSE(cache_->contains({"f", "v", 1}).value());
}

TEST_F(BlockCacheTest, InvalidateAndDropOtherVersions) {
  for (uint64_t i = 0; i < 3; ++i) {
    ASSERT_TRUE(cache_->put({"f", "old", i}, blockBytes(i, 'o')).ok());
    ASSERT_TRUE(cache_->put({"f", "new", i}, blockBytes(i, 'n')).ok());
    ASSERT_TRUE(cache_->put({"g", "old", i}, blockBytes(i, 'g')).ok());
  }
  auto dropped = cache_->dropOtherVersions("f", "new");
  ASSERT_TRUE(dropped.ok());
  EXPECT_EQ(*dropped, 3u);
  EXPECT_FALSE(cache_->contains({"f", "old", 0}).value());
  EXPECT_TRUE(cache_->contains({"f", "new", 0}).value());
  EXPECT_EQ(*cache_->invalidateNode("f"), 3u);
  EXPECT_TRUE(cache_->contains({"g", "old", 2}).value());
  EXPECT_EQ(cache_->stats().blocks, 3u);
  EXPECT_EQ(cache_->stats().chargedBytes, 3 * cache_->chargeFor(kBlock));
}

TEST_F(BlockCacheTest, ReservedBytesShrinkTheBudget) {
  for (uint64_t i = 0; i < 40; ++i)
    ASSERT_TRUE(cache_->put({"f", "v", i}, blockBytes(i, 'z')).ok());
  uint64_t cap = cache_->stats().capacityBytes;
  ASSERT_TRUE(cache_->setReservedBytes(cap / 2).ok());
  EXPECT_LE(cache_->stats().chargedBytes, cap / 2);
  ASSERT_TRUE(cache_->put({"f", "v", 100}, blockBytes(100, 'z')).ok());
  EXPECT_LE(cache_->stats().chargedBytes, cap / 2);
  ASSERT_TRUE(cache_->setReservedBytes(cap).ok());
  EXPECT_EQ(cache_->stats().blocks, 0u);
  EXPECT_EQ(cache_->put({"f", "v", 1}, "x").error().code, ErrorCode::kNoSpace);
}

TEST(BlockCacheMapFullTest, MapFullEvictsAndRetries) {
  TempDir tmp;
  LmdbEnvOptions envOptions;
  envOptions.mapSizeBytes = 2ull << 20;  // far below the byte cap
  envOptions.durableCommits = false;
  auto env = LmdbEnv::open(tmp.path(), envOptions);
  ASSERT_TRUE(env.ok());
  BlockCacheOptions options;
  options.capacityBytes = 64ull << 20;
  options.blockSize = kBlock;
  auto cache = BlockCache::open(**env, options);
  ASSERT_TRUE(cache.ok());
  for (uint64_t i = 0; i < 100; ++i) {
    Status s = (*cache)->put({"f", "v", i}, blockBytes(i, 'm'));
    ASSERT_TRUE(s.ok()) << i << ": " << s.error().describe();
  }
  EXPECT_GT((*cache)->stats().evictedBlocks, 0u);
  EXPECT_TRUE((*cache)->contains({"f", "v", 99}).value());
}

// The byte cap counts the blocks; LMDB's file also holds branch pages and free pages not yet
// reusable, so a cache whose blocks stay under the cap can still grow its file past it. With a
// file limit, the file itself stays within, also when the blocks alone would fill it.
TEST(BlockCacheFileLimitTest, TheFileStaysWithinItsLimitWhileInsertsChurn) {
  TempDir tmp;
  LmdbEnvOptions envOptions;
  envOptions.mapSizeBytes = 64ull << 20;
  envOptions.durableCommits = false;
  auto env = LmdbEnv::open(tmp.path(), envOptions);
  ASSERT_TRUE(env.ok());
  const uint64_t fileLimit = 8ull << 20;
  BlockCacheOptions options;
  options.capacityBytes = fileLimit;  // no margin for LMDB's own pages
  options.fileLimitBytes = fileLimit;
  options.blockSize = kBlock;
  auto cache = BlockCache::open(**env, options);
  ASSERT_TRUE(cache.ok());
  uint64_t peak = 0;
  for (uint64_t i = 0; i < 1000; ++i) {
    Status s = (*cache)->put({"f", "v", i}, blockBytes(i, 'c'));
    ASSERT_TRUE(s.ok()) << i << ": " << s.error().describe();
    peak = std::max(peak, (*env)->usedBytes());
  }
  EXPECT_LE(peak, fileLimit);
  EXPECT_GT((*cache)->stats().blocks, 80u) << "the limit is kept by evicting, not by emptying";
  EXPECT_TRUE((*cache)->contains({"f", "v", 999}).value());
}

TEST(BlockCacheOptionsTest, BadOptionsAreRefused) {
  TempDir tmp;
  auto env = LmdbEnv::open(tmp.path(), {});
  ASSERT_TRUE(env.ok());
  BlockCacheOptions tiny;
  tiny.blockSize = 100;
  EXPECT_FALSE(BlockCache::open(**env, tiny).ok());
  BlockCacheOptions marks;
  marks.lowWatermark = 0.99;
  EXPECT_FALSE(BlockCache::open(**env, marks).ok());
}

}  // namespace
}  // namespace fastio::cache
