#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "client/testing/GatedRemoteStore.h"
#include "client/testing/InMemoryRemoteStore.h"
#include "tests/client/StoreTestUtil.h"

namespace fastio::testing {
namespace {

using testutil::outcome;
using testutil::readAll;
using testutil::soon;

class GatedRemoteStoreTest : public ::testing::Test {
 protected:
  InMemoryRemoteStore memory_;
  std::string ws_ = memory_.addWorkspace("gated-ws");
  Node file_ = memory_.seedFile(ws_, "f.txt", "gated content");
};

TEST_F(GatedRemoteStoreTest, AHeldCallWaitsBeforeReachingTheStoreUntilReleased) {
  GatedRemoteStore gate(memory_);
  gate.hold("read");
  Result<std::string> got = makeError(ErrorCode::kInternal, "not run");
  std::thread reader([&] { got = readAll(gate, ws_, file_.id); });
  ASSERT_TRUE(gate.waitForBlocked("read", 1));
  EXPECT_EQ(memory_.callCount(RemoteMethod::kRead), 0u);
  EXPECT_TRUE(gate.listWorkspaces(soon()).ok());  // other methods pass
  gate.release("read");
  reader.join();
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, "gated content");
  EXPECT_EQ(memory_.callCount(RemoteMethod::kRead), 1u);
  EXPECT_EQ(gate.callCount("read"), 1u);
  EXPECT_EQ(gate.blocked("read"), 0);
}

TEST_F(GatedRemoteStoreTest, AfterCallGateHoldsTheAnswerOfACallTheStoreAlreadyServed) {
  GatedRemoteStore gate(memory_);
  gate.hold(RemoteMethod::kCreateFolder, GatePoint::kAfterCall);
  std::atomic<bool> returned{false};
  std::thread creator([&] {
    EXPECT_TRUE(gate.createFolder(ws_, "root", "made", soon()).ok());
    returned = true;
  });
  ASSERT_TRUE(gate.waitForBlocked(RemoteMethod::kCreateFolder, 1));
  EXPECT_TRUE(memory_.nodeAt(ws_, "made").has_value());  // served...
  EXPECT_FALSE(returned.load());                         // ...but not answered yet
  gate.release(RemoteMethod::kCreateFolder);
  creator.join();
  EXPECT_TRUE(returned.load());
}

TEST_F(GatedRemoteStoreTest, ReleaseOneLetsExactlyOneCallThrough) {
  GatedRemoteStore gate(memory_);
  gate.hold("read");
  std::atomic<int> finished{0};
  std::vector<std::thread> readers;
  for (int i = 0; i < 3; ++i) {
    readers.emplace_back([&] {
      EXPECT_TRUE(readAll(gate, ws_, file_.id).ok());
      ++finished;
    });
  }
  ASSERT_TRUE(gate.waitForBlocked("read", 3));
  gate.releaseOne("read");
  while (finished.load() < 1) std::this_thread::sleep_for(Millis(1));
  EXPECT_EQ(gate.blocked("read"), 2);
  EXPECT_EQ(memory_.callCount(RemoteMethod::kRead), 1u);
  // A pass given before a call arrives is used by the next call.
  gate.releaseOne("read");
  gate.releaseOne("read");
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(finished.load(), 3);
  EXPECT_EQ(memory_.callCount(RemoteMethod::kRead), 3u);
}

TEST_F(GatedRemoteStoreTest, ReleaseOpensTheGateUntilTheNextHold) {
  GatedRemoteStore gate(memory_);
  gate.hold("read");
  gate.release("read");
  EXPECT_TRUE(readAll(gate, ws_, file_.id).ok());  // does not block
  gate.hold("read");
  std::thread reader([&] { EXPECT_TRUE(readAll(gate, ws_, file_.id).ok()); });
  ASSERT_TRUE(gate.waitForBlocked("read", 1));
  gate.releaseAll();
  reader.join();
}

TEST_F(GatedRemoteStoreTest, AHeldCallStillHonoursItsDeadline) {
  GatedRemoteStore gate(memory_);
  gate.hold("read");
  ReadRequest request{ws_, file_.id, "", 0, 0};
  Result<ReadOutcome> late = gate.read(
      request, [](uint64_t, std::string_view) { return okStatus(); }, Deadline::after(Millis(30)));
  EXPECT_EQ(outcome(late), "deadline");
  EXPECT_EQ(gate.blocked("read"), 0);
  EXPECT_EQ(memory_.callCount(RemoteMethod::kRead), 0u);
}

TEST_F(GatedRemoteStoreTest, WaitForBlockedTimesOutWhenNobodyComes) {
  GatedRemoteStore gate(memory_);
  gate.hold("upload");
  EXPECT_FALSE(gate.waitForBlocked("upload", 1, Millis(20)));
}

TEST_F(GatedRemoteStoreTest, DestroyingTheGateLetsWaitingCallsFinish) {
  auto gate = std::make_unique<GatedRemoteStore>(memory_);
  gate->hold("listOrgs");
  Result<std::vector<Org>> orgs = makeError(ErrorCode::kInternal, "not run");
  std::thread caller([&, g = gate.get()] { orgs = g->listOrgs(soon()); });
  ASSERT_TRUE(gate->waitForBlocked("listOrgs", 1));
  gate.reset();
  caller.join();
  EXPECT_TRUE(orgs.ok());
}

// The pattern the filesystem tests use: N concurrent callers, one fetch. Here a tiny
// single-flight cache stands in for the code under test.
TEST_F(GatedRemoteStoreTest, LinesUpConcurrentCallersBehindOneFetch) {
  GatedRemoteStore gate(memory_);
  std::mutex mu;
  std::condition_variable cv;
  bool fetching = false;
  std::optional<std::string> cached;
  auto cachedRead = [&]() -> std::string {
    std::unique_lock lock(mu);
    if (!cached && !fetching) {
      fetching = true;
      lock.unlock();
      std::string bytes = readAll(gate, ws_, file_.id).valueOr("");
      lock.lock();
      cached = bytes;
      cv.notify_all();
    }
    cv.wait(lock, [&] { return cached.has_value(); });
    return *cached;
  };
  gate.hold("read");
  std::vector<std::thread> readers;
  std::atomic<int> right{0};
  for (int i = 0; i < 8; ++i) {
    readers.emplace_back([&] { right += cachedRead() == "gated content" ? 1 : 0; });
  }
  ASSERT_TRUE(gate.waitForBlocked("read", 1));
  gate.release("read");
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(right.load(), 8);
  EXPECT_EQ(memory_.callCount(RemoteMethod::kRead), 1u);
}

}  // namespace
}  // namespace fastio::testing
