#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>

#include "client/testing/FaultInjectingRemoteStore.h"
#include "client/testing/InMemoryRemoteStore.h"
#include "tests/client/StoreTestUtil.h"

namespace fastio::testing {
namespace {

using testutil::outcome;
using testutil::patternBytes;
using testutil::readAll;
using testutil::soon;

class FaultInjectingRemoteStoreTest : public ::testing::Test {
 protected:
  InMemoryRemoteStore memory_;
  std::string ws_ = memory_.addWorkspace("faults-ws");
  Node file_ = memory_.seedFile(ws_, "f.bin", patternBytes(10000));
};

TEST_F(FaultInjectingRemoteStoreTest, FailsExactlyTheNextNCallsOfOneMethod) {
  FaultInjectingRemoteStore faults(memory_);
  faults.failNext("read", 2);
  Result<std::string> first = readAll(faults, ws_, file_.id);
  ASSERT_EQ(outcome(first), "unavailable");
  EXPECT_EQ(first.error().httpStatus, 503);
  EXPECT_THAT(first.error().message, ::testing::HasSubstr("read"));
  EXPECT_TRUE(first.error().isRetryable());
  EXPECT_EQ(outcome(readAll(faults, ws_, file_.id)), "unavailable");
  EXPECT_EQ(outcome(readAll(faults, ws_, file_.id)), "ok");
  EXPECT_TRUE(faults.listWorkspaces(soon()).ok());  // other methods untouched
  // Failures before the call never reached the service.
  EXPECT_EQ(memory_.callCount(RemoteMethod::kRead), 1u);
  EXPECT_EQ(faults.calls().count(RemoteMethod::kRead), 3u);
  EXPECT_EQ(faults.injectedFailures(), 2u);
  EXPECT_EQ(faults.injectedFailures(RemoteMethod::kRead), 2u);
}

TEST_F(FaultInjectingRemoteStoreTest, AFaultAfterTheCallAppliesTheChangeButLosesTheAnswer) {
  FaultInjectingRemoteStore faults(memory_);
  faults.failNext(RemoteMethod::kCreateFolder, 1, ErrorCode::kUnavailable, FaultTiming::kAfterCall);
  EXPECT_EQ(outcome(faults.createFolder(ws_, "root", "made", soon())), "unavailable");
  EXPECT_TRUE(memory_.nodeAt(ws_, "made").has_value());
  EXPECT_EQ(memory_.callCount(RemoteMethod::kCreateFolder), 1u);
  // A retry of the idempotent call then finds the same folder.
  Result<Node> retried = faults.createFolder(ws_, "root", "made", soon());
  ASSERT_TRUE(retried.ok());
  EXPECT_EQ(retried->id, memory_.nodeAt(ws_, "made")->id);
}

TEST_F(FaultInjectingRemoteStoreTest, ScriptedCodesComeOutInOrder) {
  FaultInjectingRemoteStore faults(memory_);
  faults.failNext("nodeDetails", 1, ErrorCode::kRateLimited);
  faults.failNext("nodeDetails", 1, ErrorCode::kConflict);
  Result<NodeDetailsBatch> a = faults.nodeDetails(ws_, {file_.id}, soon());
  Result<NodeDetailsBatch> b = faults.nodeDetails(ws_, {file_.id}, soon());
  EXPECT_EQ(outcome(a), "rate_limited");
  EXPECT_EQ(a.error().httpStatus, 429);
  EXPECT_EQ(outcome(b), "conflict");
  EXPECT_EQ(outcome(faults.nodeDetails(ws_, {file_.id}, soon())), "ok");
}

TEST_F(FaultInjectingRemoteStoreTest, ARandomRateIsReproducibleFromItsSeed) {
  auto pattern = [&](uint64_t seed) {
    FaultInjectingRemoteStore faults(memory_, seed);
    faults.setErrorRate(0.3);
    std::string out;
    for (int i = 0; i < 1000; ++i) out += faults.currentUser(soon()).ok() ? '.' : 'x';
    return out;
  };
  const std::string first = pattern(42);
  EXPECT_EQ(first, pattern(42));
  EXPECT_NE(first, pattern(43));
  const auto failures = std::count(first.begin(), first.end(), 'x');
  EXPECT_GT(failures, 200);
  EXPECT_LT(failures, 400);
}

TEST_F(FaultInjectingRemoteStoreTest, APerMethodRateOverridesTheGlobalOne) {
  FaultInjectingRemoteStore faults(memory_, 7);
  faults.setErrorRate(1.0, ErrorCode::kUnavailable);
  faults.setErrorRate(RemoteMethod::kRead, 0.0);
  EXPECT_EQ(outcome(faults.listOrgs(soon())), "unavailable");
  for (int i = 0; i < 20; ++i) EXPECT_EQ(outcome(readAll(faults, ws_, file_.id)), "ok");
  faults.setErrorRate(RemoteMethod::kRead, 1.0, ErrorCode::kDenied);
  EXPECT_EQ(outcome(readAll(faults, ws_, file_.id)), "denied");
  faults.clearFaults();
  EXPECT_EQ(outcome(faults.listOrgs(soon())), "ok");
  EXPECT_EQ(outcome(readAll(faults, ws_, file_.id)), "ok");
}

TEST_F(FaultInjectingRemoteStoreTest, LatencyWaitsOnTheGivenClock) {
  FakeClock clock;
  FaultInjectingRemoteStore faults(memory_, 1, clock);
  faults.setLatency(RemoteMethod::kListOrgs, Seconds(5));
  std::atomic<bool> done{false};
  std::thread caller([&] {
    EXPECT_TRUE(faults.listOrgs(soon()).ok());
    done = true;
  });
  while (clock.sleepers() == 0) std::this_thread::sleep_for(Millis(1));
  EXPECT_FALSE(done.load());
  EXPECT_EQ(memory_.callCount(RemoteMethod::kListOrgs), 0u);
  clock.advance(Seconds(5));
  caller.join();
  EXPECT_TRUE(done.load());
  EXPECT_EQ(memory_.callCount(RemoteMethod::kListOrgs), 1u);
  EXPECT_TRUE(faults.listWorkspaces(soon()).ok());  // no latency on other methods
}

TEST_F(FaultInjectingRemoteStoreTest, LatencyBeyondTheDeadlineFailsWithDeadline) {
  FaultInjectingRemoteStore faults(memory_);
  faults.setLatency(Millis(500));
  EXPECT_EQ(outcome(faults.listOrgs(Deadline::after(Millis(20)))), "deadline");
  EXPECT_EQ(memory_.callCount(RemoteMethod::kListOrgs), 0u);
}

TEST_F(FaultInjectingRemoteStoreTest, ACutReadDeliversAPrefixThenFails) {
  memory_.setReadPieceSize(3000);
  FaultInjectingRemoteStore faults(memory_);
  faults.cutNextReads(1, 4500);
  std::string got;
  ReadRequest request{ws_, file_.id, "", 0, 0};
  Result<ReadOutcome> cut = faults.read(
      request,
      [&](uint64_t offset, std::string_view bytes) {
        EXPECT_EQ(offset, got.size());
        got.append(bytes);
        return okStatus();
      },
      soon());
  EXPECT_EQ(outcome(cut), "unavailable");
  EXPECT_EQ(got, memory_.contentOf(ws_, file_.id)->substr(0, 4500));
  EXPECT_EQ(faults.injectedFailures(RemoteMethod::kRead), 1u);
  EXPECT_EQ(readAll(faults, ws_, file_.id).valueOr(""), *memory_.contentOf(ws_, file_.id));
}

TEST_F(FaultInjectingRemoteStoreTest, ACutUploadFailsMidwayAndItsSessionIsCancelled) {
  constexpr uint64_t kMiB = 1024 * 1024;
  memory_.setUploadLimits(UploadLimits{1 * kMiB, 0, 550});
  FaultInjectingRemoteStore faults(memory_);
  faults.cutNextUploads(1, 2 * kMiB + 10);
  const std::string content = patternBytes(5 * kMiB, 9);
  testutil::RecordingObserver observer;
  Result<UploadResult> cut =
      testutil::uploadString(faults, ws_, "root", "big.bin", content, &observer);
  EXPECT_EQ(outcome(cut), "unavailable");
  EXPECT_EQ(faults.injectedFailures(RemoteMethod::kUpload), 1u);
  EXPECT_EQ(observer.acknowledged, (std::set<uint32_t>{1, 2}));
  ASSERT_EQ(observer.sessions.size(), 1u);
  // The source failed, so the store gave the session up: it cannot be resumed.
  EXPECT_FALSE(memory_.uploadSession(observer.sessions[0]).has_value());
  UploadRequest resume{ws_, "root", "big.bin", content.size(), "", observer.sessions[0], 0, ""};
  EXPECT_EQ(outcome(faults.upload(resume, testutil::stringSource(content), nullptr, soon())),
            "not_found");

  Result<UploadResult> again = testutil::uploadString(faults, ws_, "root", "big.bin", content);
  ASSERT_TRUE(again.ok()) << testutil::describe(again);
  EXPECT_EQ(memory_.contentOf(ws_, again->node.id), content);
}

TEST_F(FaultInjectingRemoteStoreTest, AMisspeltMethodNameIsRefusedLoudly) {
  FaultInjectingRemoteStore faults(memory_);
  EXPECT_THROW(faults.failNext("reed", 1), std::invalid_argument);
}

}  // namespace
}  // namespace fastio::testing
