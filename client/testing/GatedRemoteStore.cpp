#include "client/testing/GatedRemoteStore.h"

#include <algorithm>

namespace fastio::testing {
namespace {

// Waiting calls re-check their deadline this often, so deadlines on a FakeClock work too.
constexpr Duration kDeadlinePollInterval = Millis(10);

}  // namespace

GatedRemoteStore::~GatedRemoteStore() {
  std::unique_lock lock(mu_);
  closing_ = true;
  changed_.notify_all();
  changed_.wait(lock, [&] { return active_ == 0; });
}

void GatedRemoteStore::hold(RemoteMethod method, GatePoint point) {
  std::lock_guard lock(mu_);
  gate(method).held = true;
  gate(method).point = point;
}

void GatedRemoteStore::release(RemoteMethod method) {
  std::lock_guard lock(mu_);
  Gate& g = gate(method);
  g.held = false;
  g.passes = 0;
  ++g.generation;
  changed_.notify_all();
}

void GatedRemoteStore::releaseOne(RemoteMethod method) {
  std::lock_guard lock(mu_);
  ++gate(method).passes;
  changed_.notify_all();
}

void GatedRemoteStore::releaseAll() {
  for (std::size_t i = 0; i < kRemoteMethodCount; ++i) release(static_cast<RemoteMethod>(i));
}

bool GatedRemoteStore::waitForBlocked(RemoteMethod method, int count, Duration timeout) {
  std::unique_lock lock(mu_);
  return changed_.wait_for(lock, timeout, [&] { return gate(method).blocked >= count; });
}

int GatedRemoteStore::blocked(RemoteMethod method) const {
  std::lock_guard lock(mu_);
  return gates_[static_cast<std::size_t>(method)].blocked;
}

void GatedRemoteStore::hold(std::string_view method, GatePoint point) {
  hold(requireRemoteMethod(method), point);
}
void GatedRemoteStore::release(std::string_view method) {
  release(requireRemoteMethod(method));
}
void GatedRemoteStore::releaseOne(std::string_view method) {
  releaseOne(requireRemoteMethod(method));
}
bool GatedRemoteStore::waitForBlocked(std::string_view method, int count, Duration timeout) {
  return waitForBlocked(requireRemoteMethod(method), count, timeout);
}
int GatedRemoteStore::blocked(std::string_view method) const {
  return blocked(requireRemoteMethod(method));
}
uint64_t GatedRemoteStore::callCount(std::string_view method) const {
  return callCount(requireRemoteMethod(method));
}

// beforeCall and afterCall bracket every call (afterCall is skipped only when beforeCall
// fails), so active_ counts the calls still using this object.
Status GatedRemoteStore::beforeCall(RemoteMethod method, const Deadline& deadline) {
  std::unique_lock lock(mu_);
  ++active_;
  Status passed = waitAtGate(lock, method, GatePoint::kBeforeCall, deadline);
  if (!passed.ok()) leaveLocked();
  return passed;
}

Status GatedRemoteStore::afterCall(RemoteMethod method, const Deadline& deadline) {
  std::unique_lock lock(mu_);
  Status passed = waitAtGate(lock, method, GatePoint::kAfterCall, deadline);
  leaveLocked();
  return passed;
}

void GatedRemoteStore::leaveLocked() {
  --active_;
  changed_.notify_all();
}

Status GatedRemoteStore::waitAtGate(std::unique_lock<std::mutex>& lock, RemoteMethod method,
                                    GatePoint point, const Deadline& deadline) {
  Gate& g = gate(method);
  if (!g.held || g.point != point || closing_) return okStatus();
  const uint64_t arrivedIn = g.generation;
  ++g.blocked;
  changed_.notify_all();
  Status outcome;
  while (true) {
    if (closing_ || g.generation != arrivedIn || !g.held) break;
    if (g.passes > 0) {
      --g.passes;
      break;
    }
    if (deadline.expired()) {
      outcome = makeError(ErrorCode::kDeadline, std::string(remoteMethodName(method)) +
                                                    ": the deadline passed at a held gate");
      break;
    }
    changed_.wait_for(lock, std::min(kDeadlinePollInterval, deadline.remaining()));
  }
  --g.blocked;
  changed_.notify_all();
  return outcome;
}

}  // namespace fastio::testing
