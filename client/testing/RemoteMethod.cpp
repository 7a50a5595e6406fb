#include "client/testing/RemoteMethod.h"

#include <stdexcept>
#include <string>

namespace fastio::testing {
namespace {

constexpr std::array<std::string_view, kRemoteMethodCount> kNames = {
    "currentUser",  "listOrgs",     "listWorkspaces", "createWorkspace",
    "listFolder",   "nodeDetails",  "createFolder",   "rename",
    "move",         "deleteNode",   "read",           "uploadLimits",
    "upload",       "cancelUpload", "search",         "ask",
    "pollActivity", "acquireLock",  "lockStatus",     "heartbeatLock",
    "releaseLock",
};

static_assert(static_cast<std::size_t>(RemoteMethod::kReleaseLock) + 1 == kRemoteMethodCount);

}  // namespace

std::string_view remoteMethodName(RemoteMethod method) {
  return kNames[static_cast<std::size_t>(method)];
}

std::optional<RemoteMethod> remoteMethodFromName(std::string_view name) {
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<RemoteMethod>(i);
  }
  return std::nullopt;
}

RemoteMethod requireRemoteMethod(std::string_view name) {
  if (auto method = remoteMethodFromName(name)) return *method;
  throw std::invalid_argument("not a RemoteStore method: '" + std::string(name) + "'");
}

std::uint64_t CallCounter::total() const {
  std::uint64_t sum = 0;
  for (const auto& c : counts_) sum += c.load(std::memory_order_relaxed);
  return sum;
}

void CallCounter::reset() {
  for (auto& c : counts_) c.store(0, std::memory_order_relaxed);
}

}  // namespace fastio::testing
