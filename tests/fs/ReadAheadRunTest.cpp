// Read-ahead in runs: one ranged request for several blocks, readers sharing it block by block
// (docs/SEMANTICS.md "Reads").
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "client/testing/FaultInjectingRemoteStore.h"
#include "client/testing/GatedRemoteStore.h"
#include "fs/BlockReader.h"
#include "fs/FolderReadAhead.h"
#include "fs/ReadAhead.h"
#include "tests/fs/FsTestSupport.h"

namespace fastio::fs {
namespace {

using namespace testsupport;
using testing::FaultInjectingRemoteStore;
using testing::GatedRemoteStore;
using testing::InMemoryRemoteStore;

constexpr uint32_t kBlock = 4096;

class ReadAheadRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    wsId = memory.addWorkspace("run-ws");
    content = patterned(10 * kBlock + 123);
    auto node = memory.seedFile(wsId, "big.bin", content);
    file = FileVersion{wsId, node.id, node.version, content.size()};
  }
  BlockReader reader(RemoteStore& store) {
    return BlockReader(store, cache, kBlock, std::chrono::seconds(10), counters);
  }
  InMemoryRemoteStore memory;
  MemoryContentCache cache{16ull << 20};
  FsCounters counters;
  std::string wsId;
  std::string content;
  FileVersion file;
};

TEST_F(ReadAheadRunTest, ARunFetchesSeveralBlocksInOneRequestAndCachesEach) {
  BlockReader blocks = reader(memory);
  auto [from, to] = blocks.claimRun(file, 2, 5);
  EXPECT_EQ(from, 2u);
  EXPECT_EQ(to, 7u);
  ASSERT_TRUE(blocks.fetchClaimed(file, from, to).ok());
  EXPECT_EQ(memory.callCount("read"), 1u);
  for (uint64_t i = 2; i < 7; ++i) EXPECT_TRUE(blocks.isCached(file, i)) << i;
  EXPECT_FALSE(blocks.isCached(file, 7));
  auto data = blocks.read(file, 2 * kBlock + 7, 5 * kBlock - 7);
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(data->str(), content.substr(2 * kBlock + 7, 5 * kBlock - 7));
  EXPECT_EQ(memory.callCount("read"), 1u) << "served from the cache";
}

TEST_F(ReadAheadRunTest, ClaimsSkipCachedBlocksAndStopAtTheNextOne) {
  BlockReader blocks = reader(memory);
  ASSERT_TRUE(blocks.read(file, 0, kBlock).ok());      // block 0 cached
  ASSERT_TRUE(blocks.read(file, 4 * kBlock, 1).ok());  // block 4 cached
  auto [from, to] = blocks.claimRun(file, 0, 8);
  EXPECT_EQ(from, 1u);
  EXPECT_EQ(to, 4u) << "a run never re-fetches a cached block in its middle";
  auto again = blocks.claimRun(file, 1, 3);
  EXPECT_EQ(again.first, again.second) << "blocks already claimed are not claimed twice";
  ASSERT_TRUE(blocks.fetchClaimed(file, from, to).ok());
  auto tail = blocks.claimRun(file, 9, 8);
  EXPECT_EQ(tail.first, 9u);
  EXPECT_EQ(tail.second, 11u) << "clipped at the last block";
  blocks.dropClaimed(file, tail.first, tail.second);
}

TEST_F(ReadAheadRunTest, AReaderWaitingForABlockOfARunGetsItFromTheRun) {
  GatedRemoteStore gate{memory};
  BlockReader blocks = reader(gate);
  auto [from, to] = blocks.claimRun(file, 0, 6);
  ASSERT_EQ(to - from, 6u);
  gate.hold("read");
  std::thread run([&] { EXPECT_TRUE(blocks.fetchClaimed(file, from, to).ok()); });
  ASSERT_TRUE(gate.waitForBlocked("read", 1));
  std::string got;
  std::thread readerThread([&] {
    auto data = blocks.read(file, 3 * kBlock + 10, 100);
    ASSERT_TRUE(data.ok());
    got = data->str();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(gate.blocked("read"), 1) << "the reader waits for the run, it does not fetch";
  gate.release("read");
  run.join();
  readerThread.join();
  EXPECT_EQ(got, content.substr(3 * kBlock + 10, 100));
  EXPECT_EQ(memory.callCount("read"), 1u);
}

TEST_F(ReadAheadRunTest, ADroppedRunLetsItsWaitingReadersFetchForThemselves) {
  BlockReader blocks = reader(memory);
  auto [from, to] = blocks.claimRun(file, 0, 4);
  ASSERT_EQ(to - from, 4u);
  std::string got;
  std::thread readerThread([&] {
    auto data = blocks.read(file, 2 * kBlock, kBlock);
    ASSERT_TRUE(data.ok()) << data.error().describe();
    got = data->str();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(memory.callCount("read"), 0u) << "the reader waits while the run is claimed";
  blocks.dropClaimed(file, from, to);
  readerThread.join();
  EXPECT_EQ(got, content.substr(2 * kBlock, kBlock));
  EXPECT_EQ(memory.callCount("read"), 1u);
}

TEST_F(ReadAheadRunTest, ARunCutShortKeepsTheWholeBlocksAndFailsOnlyTheRest) {
  FaultInjectingRemoteStore faults{memory};
  BlockReader blocks = reader(faults);
  // Every attempt of the run dies after two and a half blocks.
  faults.cutNextReads(1, 2 * kBlock + kBlock / 2, ErrorCode::kUnavailable);
  auto [from, to] = blocks.claimRun(file, 0, 5);
  std::atomic<bool> waiterFailed{false};
  std::thread waiter([&] {
    // Waits for block 3 of the run, which never arrives, then gets the run's error.
    auto data = blocks.read(file, 3 * kBlock, 10);
    if (!data.ok()) waiterFailed = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(blocks.fetchClaimed(file, from, to).ok());
  waiter.join();
  EXPECT_TRUE(waiterFailed.load()) << "an error, never a hang or wrong bytes";
  EXPECT_TRUE(blocks.isCached(file, 0));
  EXPECT_TRUE(blocks.isCached(file, 1));
  EXPECT_FALSE(blocks.isCached(file, 2)) << "a partial block is never cached";
  // Nothing is left claimed: the next read fetches and succeeds.
  auto data = blocks.read(file, 3 * kBlock, 10);
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(data->str(), content.substr(3 * kBlock, 10));
}

TEST_F(ReadAheadRunTest, ARunAgainstAServerIgnoringRangeStillDeliversAndCachesAll) {
  memory.setIgnoreRange(true);
  BlockReader blocks = reader(memory);
  auto [from, to] = blocks.claimRun(file, 4, 3);
  ASSERT_TRUE(blocks.fetchClaimed(file, from, to).ok());
  EXPECT_EQ(memory.callCount("read"), 1u);
  for (uint64_t i = 0; i < blocks.blockCount(file.size); ++i) {
    EXPECT_TRUE(blocks.isCached(file, i)) << "block " << i << " streamed past and was kept";
  }
  auto data = blocks.read(file, 0, content.size());
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(data->str(), content);
}

TEST_F(ReadAheadRunTest, ASequentialReaderIsServedByRunsNotBlockByBlock) {
  const std::string big = patterned(64 * kBlock);
  memory.seedFile(wsId, "seq.bin", big);
  FsOptions o = testOptions();
  o.readAheadMaxBytes = 16 * kBlock;
  o.readAheadRunBytes = 4 * kBlock;
  FileSystem fs(memory, cache, nullptr, o);
  ASSERT_TRUE(fs.start(nullptr).ok());
  auto entry = walk(fs, "run-ws/seq.bin");
  ASSERT_TRUE(entry.ok());
  auto opened = fs.open(entry->attr.ino, false);
  ASSERT_TRUE(opened.ok());
  std::string got;
  for (uint64_t off = 0; off < big.size(); off += kBlock / 2) {
    auto data = fs.read(opened->handle, off, kBlock / 2);
    ASSERT_TRUE(data.ok()) << data.error().describe();
    got += *data;
  }
  fs.release(opened->handle);
  EXPECT_EQ(got, big);
  EXPECT_LE(memory.callCount("read"), 64u / 4 + 4) << "64 blocks in runs of 4";
}

TEST_F(ReadAheadRunTest, OpeningAFoldersFilesInOrderFetchesTheNextFilesAhead) {
  for (int i = 0; i < 20; ++i) {
    memory.seedFile(wsId, "scan/f" + std::to_string(100 + i), patterned(3000 + i));
  }
  FileSystem fs(memory, cache, nullptr, testOptions());
  ASSERT_TRUE(fs.start(nullptr).ok());
  auto folder = walk(fs, "run-ws/scan");
  ASSERT_TRUE(folder.ok());
  auto open = [&](int i) {
    auto entry = fs.lookup(folder->attr.ino, "f" + std::to_string(100 + i));
    EXPECT_TRUE(entry.ok());
    auto opened = fs.open(entry->attr.ino, false);
    EXPECT_TRUE(opened.ok());
    auto data = fs.read(opened->handle, 0, 8192);
    EXPECT_TRUE(data.ok());
    EXPECT_EQ(*data, patterned(3000 + i));
    fs.release(opened->handle);
  };
  auto cached = [&](int i) {
    auto node = memory.nodeAt(wsId, "scan/f" + std::to_string(100 + i));
    return cache.contains(ContentKey{node->id, node->version, 0});
  };
  open(0);
  open(1);  // the second open in listing order starts the scan
  // The window's files are fetched in parallel, in any order: wait for all four.
  auto windowCached = [&] { return cached(2) && cached(3) && cached(4) && cached(5); };
  for (int i = 0; i < 500 && !windowCached(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  for (int i = 2; i <= 5; ++i) EXPECT_TRUE(cached(i)) << "file " << i << " fetched ahead";
  EXPECT_FALSE(cached(12)) << "the first window is four files";
  for (int i = 2; i < 20; ++i) open(i);  // every byte still right
}

TEST(FolderScans, WindowOpensOnInOrderOpensDoublesAndClosesOnAJump) {
  FolderScanTracker scans(4, 16);
  auto none = scans.onOpen("ws:f", 0, 100);
  EXPECT_EQ(none.first, none.second) << "one open is not a scan";
  auto first = scans.onOpen("ws:f", 1, 100);
  EXPECT_EQ(first.first, 2u);
  EXPECT_EQ(first.second, 6u);
  size_t handedOut = 6;
  for (size_t position : {2, 3, 5, 6, 7}) {  // a subfolder at 4 was skipped
    auto batch = scans.onOpen("ws:f", position, 100);
    if (batch.second == batch.first) continue;
    EXPECT_EQ(batch.first, handedOut) << "contiguous, never a position twice";
    EXPECT_LE(batch.second, position + 1 + 16) << "never past the window";
    handedOut = batch.second;
  }
  EXPECT_GT(handedOut, 12u) << "the window grew";
  auto jump = scans.onOpen("ws:f", 60, 100);
  EXPECT_EQ(jump.first, jump.second);
  auto back = scans.onOpen("ws:f", 3, 100);
  EXPECT_EQ(back.first, back.second) << "backwards is not in order";
  auto clipped = FolderScanTracker(4, 16);
  clipped.onOpen("k", 97, 100);
  auto end = clipped.onOpen("k", 98, 100);
  EXPECT_EQ(end.first, 99u);
  EXPECT_EQ(end.second, 100u) << "clipped at the listing's end";
  FolderScanTracker off(4, 0);
  off.onOpen("k", 0, 10);
  auto disabled = off.onOpen("k", 1, 10);
  EXPECT_EQ(disabled.first, disabled.second);
}

TEST(ReadAheadWindowBatches, HandOutEachByteOnceInHalfWindowRefillsOnGranules) {
  ReadAheadWindow w(kBlock, 16 * kBlock, 4 * kBlock);
  const uint64_t size = 1000 * kBlock;
  uint64_t handedOutTo = 0;
  int batches = 0;
  for (uint64_t off = 0; off < 200 * kBlock; off += kBlock / 2) {
    auto [from, to] = w.nextBatch(off, kBlock / 2, size);
    if (to == from) continue;
    ++batches;
    if (handedOutTo > 0) {
      EXPECT_EQ(from, handedOutTo) << "contiguous, never twice";
    }
    handedOutTo = to;
    if (w.window() == 16 * kBlock) {
      EXPECT_EQ(to % (4 * kBlock), 0u) << "full windows end on a granule";
      EXPECT_GE(to - from, 4 * kBlock) << "refilled in bulk, not a block at a time";
    }
  }
  EXPECT_LT(batches, 60);
  EXPECT_GE(handedOutTo, 200 * kBlock);
}

TEST(ReadAheadWindowBatches, ReadsSlightlyOutOfOrderStaySequentialAndASeekResets) {
  ReadAheadWindow w(kBlock, 8 * kBlock);
  w.onRead(0, 1024, 1 << 20);
  w.onRead(2048, 1024, 1 << 20);  // arrived before the read at 1024
  auto late = w.onRead(1024, 1024, 1 << 20);
  EXPECT_GT(late.second, late.first) << "a concurrent read arriving late is not a seek";
  EXPECT_EQ(late.first, 3072u) << "the window never moves backwards";
  auto seek = w.onRead(500000, 1024, 1 << 20);
  EXPECT_EQ(seek.first, seek.second);
  auto batch = w.nextBatch(200000, 1024, 1 << 20);
  EXPECT_EQ(batch.first, batch.second) << "no read-ahead right after a seek";
}

TEST(PrefetchPoolDrops, EvictedAndAbandonedJobsRunTheirDropCallback) {
  std::atomic<int> dropped{0};
  std::atomic<int> ran{0};
  {
    PrefetchPool pool(1, 2);
    std::atomic<bool> release{false};
    pool.submit("busy", [&] {
      while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      ran++;
    });
    for (int i = 0; i < 200 && pool.queued() != 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    for (int i = 0; i < 4; ++i) {
      pool.submit(
          "job" + std::to_string(i), [&] { ran++; }, [&] { dropped++; });
    }
    EXPECT_EQ(dropped.load(), 2) << "the two oldest queued jobs were evicted";
    pool.submit(
        "job3", [&] { ran++; }, [&] { dropped++; });
    EXPECT_EQ(dropped.load(), 3) << "a duplicate key is refused";
    release = true;
    pool.stop();
  }
  EXPECT_EQ(ran.load() + dropped.load(), 6) << "every job either ran or was dropped";
}

}  // namespace
}  // namespace fastio::fs
