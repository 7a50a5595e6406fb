// Concurrent callers share remote work (docs/SEMANTICS.md "Reads", "Freshness").
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "client/testing/GatedRemoteStore.h"
#include "tests/fs/FsTestSupport.h"

namespace fastio::fs {
namespace {

using namespace testsupport;
using testing::GatedRemoteStore;
using testing::InMemoryRemoteStore;

class ConcurrencyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    wsId = memory.addWorkspace("shared-ws");
    content = patterned(3 * 4096);
    memory.seedFile(wsId, "dir/file.bin", content);
  }
  InMemoryRemoteStore memory;
  GatedRemoteStore gate{memory};
  MemoryContentCache cache{16ull << 20};
  std::string wsId;
  std::string content;
};

TEST_F(ConcurrencyTest, ConcurrentReadsOfOneBlockCauseOneRemoteFetch) {
  FsOptions o = testOptions();
  o.readAheadThreads = 0;  // only the readers below fetch
  FileSystem fs(gate, cache, nullptr, o);
  ASSERT_TRUE(fs.start(nullptr).ok());
  auto file = walk(fs, "shared-ws/dir/file.bin");
  ASSERT_TRUE(file.ok());

  gate.hold("read");
  constexpr int kReaders = 8;
  std::vector<std::thread> readers;
  std::vector<std::string> got(kReaders);
  for (int i = 0; i < kReaders; ++i) {
    readers.emplace_back([&, i] {
      auto opened = fs.open(file->attr.ino, false);
      ASSERT_TRUE(opened.ok());
      auto data = fs.read(opened->handle, 4096 + 100 * i, 100);
      ASSERT_TRUE(data.ok());
      got[i] = *data;
      fs.release(opened->handle);
    });
  }
  ASSERT_TRUE(gate.waitForBlocked("read", 1));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let every reader arrive
  EXPECT_EQ(gate.blocked("read"), 1) << "the other readers wait for the first fetch";
  gate.release("read");
  for (auto& t : readers) t.join();
  EXPECT_EQ(memory.callCount("read"), 1u);
  for (int i = 0; i < kReaders; ++i) EXPECT_EQ(got[i], content.substr(4096 + 100 * i, 100));
}

TEST_F(ConcurrencyTest, ConcurrentLookupsInOneFolderCauseOneListing) {
  FileSystem fs(gate, cache, nullptr, testOptions());
  ASSERT_TRUE(fs.start(nullptr).ok());
  auto ws = walk(fs, "shared-ws");
  ASSERT_TRUE(ws.ok());
  gate.hold("listFolder");
  constexpr int kThreads = 6;
  std::vector<std::thread> threads;
  std::atomic<int> found{0};
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      // Half look up a name that exists, half one that does not: both need the listing.
      auto r = fs.lookup(ws->attr.ino, i % 2 == 0 ? "dir" : "missing");
      if (r.ok()) found++;
    });
  }
  ASSERT_TRUE(gate.waitForBlocked("listFolder", 1));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(gate.blocked("listFolder"), 1);
  gate.release("listFolder");
  for (auto& t : threads) t.join();
  EXPECT_EQ(found.load(), kThreads / 2);
  EXPECT_EQ(memory.callCount("listFolder"), 1u);
}

TEST_F(ConcurrencyTest, SequentialReadsPrefetchAheadAndSeeksDoNot) {
  ReadAheadWindow w(4096, 4 * 4096);
  auto r1 = w.onRead(0, 4096, 1 << 20);
  EXPECT_EQ(r1.first, 4096u);
  EXPECT_EQ(r1.second, 8192u);
  auto r2 = w.onRead(4096, 4096, 1 << 20);
  EXPECT_EQ(r2.second - r2.first, 2u * 4096) << "window doubles";
  w.onRead(8192, 4096, 1 << 20);
  auto r4 = w.onRead(12288, 4096, 1 << 20);
  EXPECT_EQ(r4.second - r4.first, 4u * 4096) << "capped at the maximum";
  auto seek = w.onRead(500000, 4096, 1 << 20);
  EXPECT_EQ(seek.first, seek.second) << "a seek resets the window";
  auto clipped = w.onRead(504096, 4096, 510000);
  EXPECT_EQ(clipped.second, 510000u) << "never past the end of the file";
}

TEST_F(ConcurrencyTest, ReadAheadFillsTheCacheInTheBackground) {
  FileSystem fs(memory, cache, nullptr, testOptions());
  ASSERT_TRUE(fs.start(nullptr).ok());
  auto file = walk(fs, "shared-ws/dir/file.bin");
  ASSERT_TRUE(file.ok());
  auto opened = fs.open(file->attr.ino, false);
  ASSERT_TRUE(opened.ok());
  ASSERT_TRUE(fs.read(opened->handle, 0, 4096).ok());
  // The next block arrives in the cache without anybody reading it.
  auto node = memory.nodeAt(wsId, "dir/file.bin");
  const ContentKey next{node->id, node->version, 1};
  for (int i = 0; i < 500 && !cache.contains(next); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(cache.contains(next));
  EXPECT_FALSE(cache.contains(ContentKey{node->id, node->version, 2}))
      << "the first window is one block";
  auto data = fs.read(opened->handle, 4096, 4096);
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(*data, content.substr(4096, 4096));
  fs.release(opened->handle);
}

}  // namespace
}  // namespace fastio::fs
