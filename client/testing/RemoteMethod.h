#pragma once
// Names the RemoteStore methods so fakes can count, fail or gate them one by one.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace fastio::testing {

enum class RemoteMethod : std::uint8_t {
  kCurrentUser,
  kListOrgs,
  kListWorkspaces,
  kCreateWorkspace,
  kListFolder,
  kNodeDetails,
  kCreateFolder,
  kRename,
  kMove,
  kDeleteNode,
  kRead,
  kUploadLimits,
  kUpload,
  kCancelUpload,
  kSearch,
  kAsk,
  kPollActivity,
  kAcquireLock,
  kLockStatus,
  kHeartbeatLock,
  kReleaseLock,
};

inline constexpr std::size_t kRemoteMethodCount = 21;

// The lower-camel-case name of the RemoteStore method ("read", "listFolder", ...).
std::string_view remoteMethodName(RemoteMethod method);
std::optional<RemoteMethod> remoteMethodFromName(std::string_view name);
// Like remoteMethodFromName, but a misspelt name throws std::invalid_argument: a test helper
// given a typo must not silently gate or fail nothing.
RemoteMethod requireRemoteMethod(std::string_view name);

// Lock-free per-method call counters.
class CallCounter {
 public:
  void record(RemoteMethod method) {
    counts_[static_cast<std::size_t>(method)].fetch_add(1, std::memory_order_relaxed);
  }
  std::uint64_t count(RemoteMethod method) const {
    return counts_[static_cast<std::size_t>(method)].load(std::memory_order_relaxed);
  }
  std::uint64_t total() const;
  void reset();

 private:
  std::array<std::atomic<std::uint64_t>, kRemoteMethodCount> counts_{};
};

}  // namespace fastio::testing
