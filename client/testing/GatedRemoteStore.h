#pragma once
// GatedRemoteStore: wraps any RemoteStore; calls of a held method wait at a gate until the test
// releases them, so a test can line concurrent callers up deterministically:
//
//   GatedRemoteStore gate(memory);
//   gate.hold("read");
//   ... start readers ...
//   ASSERT_TRUE(gate.waitForBlocked("read", 1));   // the first fetch is in flight
//   ... prove the other readers wait on that fetch instead of fetching themselves ...
//   gate.release("read");
//   EXPECT_EQ(memory.callCount("read"), 1u);
//
// A call waiting at the gate still honours its deadline (it fails with kDeadline). Destroying
// the gate opens every gate and waits until no call is using it any more.

#include <array>
#include <condition_variable>
#include <mutex>
#include <string_view>

#include "client/testing/ForwardingRemoteStore.h"

namespace fastio::testing {

// Where a held call waits: before the inner call (nothing has reached the service yet) or after
// it (the service answered, but the answer is not yet delivered to the caller).
enum class GatePoint { kBeforeCall, kAfterCall };

class GatedRemoteStore final : public ForwardingRemoteStore {
 public:
  explicit GatedRemoteStore(RemoteStore& inner) : ForwardingRemoteStore(inner) {}
  ~GatedRemoteStore() override;

  GatedRemoteStore(const GatedRemoteStore&) = delete;
  GatedRemoteStore& operator=(const GatedRemoteStore&) = delete;

  // Closes the gate of `method`: its calls from now on wait at `point`.
  void hold(RemoteMethod method, GatePoint point = GatePoint::kBeforeCall);
  void hold(std::string_view method, GatePoint point = GatePoint::kBeforeCall);
  // Opens the gate: every waiting call proceeds, and so do later calls until the next hold().
  void release(RemoteMethod method);
  void release(std::string_view method);
  // Lets exactly one call through (one waiting now, or the next to arrive); the gate stays shut.
  void releaseOne(RemoteMethod method);
  void releaseOne(std::string_view method);
  void releaseAll();
  // Waits (real time) until at least `count` calls of `method` wait at its gate.
  bool waitForBlocked(RemoteMethod method, int count, Duration timeout = Seconds(10));
  bool waitForBlocked(std::string_view method, int count, Duration timeout = Seconds(10));
  int blocked(RemoteMethod method) const;
  int blocked(std::string_view method) const;
  // Calls that reached the gate (waiting, passed or failed), per method.
  uint64_t callCount(RemoteMethod method) const { return calls().count(method); }
  uint64_t callCount(std::string_view method) const;

 protected:
  Status beforeCall(RemoteMethod method, const Deadline& deadline) override;
  Status afterCall(RemoteMethod method, const Deadline& deadline) override;

 private:
  struct Gate {
    bool held = false;
    GatePoint point = GatePoint::kBeforeCall;
    int blocked = 0;
    int passes = 0;           // releaseOne() credits
    uint64_t generation = 0;  // bumped by release(): frees everyone waiting at that moment
  };

  Status waitAtGate(std::unique_lock<std::mutex>& lock, RemoteMethod method, GatePoint point,
                    const Deadline& deadline);
  void leaveLocked();
  Gate& gate(RemoteMethod method) { return gates_[static_cast<std::size_t>(method)]; }

  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::array<Gate, kRemoteMethodCount> gates_{};
  bool closing_ = false;
  int active_ = 0;  // calls between beforeCall and the end of afterCall
};

}  // namespace fastio::testing
