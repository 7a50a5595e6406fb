#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>
#include <thread>
#include <vector>

#include "cache/Codec.h"
#include "cache/LmdbEnv.h"
#include "tests/support/TempDir.h"

namespace fastio::cache {
namespace {

using fastio::testing::TempDir;

TEST(LmdbEnvTest, PutGetDeleteAndModes) {
  TempDir tmp;
  auto env = LmdbEnv::open(tmp.path() / "env", {});
  ASSERT_TRUE(env.ok()) << env.error().describe();
  auto dbi = (*env)->openDatabase("t");
  ASSERT_TRUE(dbi.ok());
  {
    auto txn = (*env)->beginWrite();
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE(txn->put(*dbi, "a", "1").ok());
    ASSERT_TRUE(txn->put(*dbi, "b", "2").ok());
    ASSERT_TRUE(txn->commit().ok());
  }
  {
    auto txn = (*env)->beginRead();
    ASSERT_TRUE(txn.ok());
    auto v = txn->get(*dbi, "a");
    ASSERT_TRUE(v.ok());
    ASSERT_TRUE(v->has_value());
    EXPECT_EQ(**v, "1");
    auto missing = txn->get(*dbi, "zz");
    ASSERT_TRUE(missing.ok());
    EXPECT_FALSE(missing->has_value());
  }
  {
    auto txn = (*env)->beginWrite();
    auto d = txn->del(*dbi, "a");
    ASSERT_TRUE(d.ok());
    EXPECT_TRUE(*d);
    auto again = txn->del(*dbi, "a");
    ASSERT_TRUE(again.ok());
    EXPECT_FALSE(*again);
    // Dropped without commit: aborted.
  }
  auto txn = (*env)->beginRead();
  EXPECT_TRUE(txn->get(*dbi, "a")->has_value());

  struct stat st {};
  ASSERT_EQ(::stat((tmp.path() / "env").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat((tmp.path() / "env" / "data.mdb").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(LmdbEnvTest, DelPrefixRemovesOnlyThePrefixAcrossManyPages) {
  TempDir tmp;
  auto env = LmdbEnv::open(tmp.path(), {});
  ASSERT_TRUE(env.ok());
  auto dbi = (*env)->openDatabase("t");
  {
    auto txn = (*env)->beginWrite();
    for (uint64_t i = 0; i < 20000; ++i) {
      ASSERT_TRUE(txn->put(*dbi, ByteWriter().u8(1).u64(i).take(), std::string(40, 'x')).ok());
      ASSERT_TRUE(txn->put(*dbi, ByteWriter().u8(2).u64(i).take(), "y").ok());
    }
    ASSERT_TRUE(txn->put(*dbi, ByteWriter().u8(0).take(), "z").ok());
    ASSERT_TRUE(txn->commit().ok());
  }
  {
    auto txn = (*env)->beginWrite();
    auto n = txn->delPrefix(*dbi, ByteWriter().u8(1).take());
    ASSERT_TRUE(n.ok()) << n.error().describe();
    EXPECT_EQ(*n, 20000u);
    ASSERT_TRUE(txn->commit().ok());
  }
  auto txn = (*env)->beginRead();
  auto c = txn->cursor(*dbi);
  ASSERT_TRUE(c.ok());
  uint64_t count = 0;
  for (auto at = c->first(); at.ok() && *at; at = c->next()) {
    EXPECT_NE(static_cast<uint8_t>(c->key()[0]), 1);
    ++count;
  }
  EXPECT_EQ(count, 20001u);
}

TEST(LmdbEnvTest, ManyThreadsReadConcurrentlyWithAWriter) {
  TempDir tmp;
  LmdbEnvOptions options;
  options.durableCommits = false;
  auto env = LmdbEnv::open(tmp.path(), options);
  ASSERT_TRUE(env.ok());
  auto dbi = (*env)->openDatabase("t");
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> reads{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 8; ++t) {
    readers.emplace_back([&] {
      while (!stop) {
        auto txn = (*env)->beginRead();
        ASSERT_TRUE(txn.ok());
        auto v = txn->get(*dbi, "k");
        ASSERT_TRUE(v.ok());
        if (v->has_value()) {
          EXPECT_EQ((*v)->size(), 100u);
        }
        ++reads;
      }
    });
  }
  for (int i = 0; i < 500 || reads.load() < 1000; ++i) {
    auto txn = (*env)->beginWrite();
    ASSERT_TRUE(txn->put(*dbi, "k", std::string(100, static_cast<char>('a' + i % 26))).ok());
    ASSERT_TRUE(txn->commit().ok());
  }
  stop = true;
  for (auto& r : readers) r.join();
  EXPECT_GT(reads.load(), 0u);
}

TEST(LmdbEnvTest, CommitWithALiveCursorIsRefusedNotADoubleFree) {
  TempDir tmp;
  auto env = LmdbEnv::open(tmp.path(), {});
  ASSERT_TRUE(env.ok());
  auto dbi = (*env)->openDatabase("t");
  auto txn = (*env)->beginWrite();
  ASSERT_TRUE(txn->put(*dbi, "k", "v").ok());
  {
    auto c = txn->cursor(*dbi);
    ASSERT_TRUE(c.ok());
    Status s = txn->commit();
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, ErrorCode::kInternal);
  }
  EXPECT_TRUE(txn->commit().ok());  // once the cursor is gone
}

TEST(LmdbEnvTest, MapFullIsReportedAsNoSpace) {
  TempDir tmp;
  LmdbEnvOptions options;
  options.mapSizeBytes = 1 << 20;
  auto env = LmdbEnv::open(tmp.path(), options);
  ASSERT_TRUE(env.ok());
  auto dbi = (*env)->openDatabase("t");
  auto txn = (*env)->beginWrite();
  Status s;
  for (int i = 0; i < 100 && s.ok(); ++i) {
    s = txn->put(*dbi, std::to_string(i), std::string(64 * 1024, 'x'));
  }
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kNoSpace);
  EXPECT_EQ(s.error().remoteCode, MDB_MAP_FULL);
}

TEST(LmdbEnvTest, GarbageFileIsReportedAsCorruption) {
  TempDir tmp;
  {
    FILE* f = std::fopen((tmp.path() / "data.mdb").c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::string junk(64 * 1024, '\x5a');
    std::fwrite(junk.data(), 1, junk.size(), f);
    std::fclose(f);
  }
  auto env = LmdbEnv::open(tmp.path(), {});
  ASSERT_FALSE(env.ok());
  EXPECT_TRUE(isCorruptionCode(static_cast<int>(env.error().remoteCode))) << env.error().describe();
}

TEST(CodecTest, ReaderRejectsTruncatedInput) {
  std::string bytes = ByteWriter().u64(7).str("hello").take();
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    ByteReader r(std::string_view(bytes).substr(0, cut));
    uint64_t v = 0;
    std::string s;
    bool ok = r.u64(v) && r.str(s);
    EXPECT_FALSE(ok) << cut;
  }
  ByteReader r(bytes);
  uint64_t v = 0;
  std::string s;
  ASSERT_TRUE(r.u64(v) && r.str(s));
  EXPECT_EQ(v, 7u);
  EXPECT_EQ(s, "hello");
}

TEST(CodecTest, BigEndianKeysSortNumerically) {
  EXPECT_LT(ByteWriter().u64(255).take(), ByteWriter().u64(256).take());
  EXPECT_LT(ByteWriter().u64(1).take(), ByteWriter().u64(1ull << 40).take());
}

}  // namespace
}  // namespace fastio::cache
