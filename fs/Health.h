#pragma once
// Whether the server is reachable, and the last few errors, for .fastio/status. A remote
// failure of the "unavailable" kind switches the mount to offline (served from the cache); the
// next successful remote call switches it back.

#include <algorithm>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "common/Clock.h"
#include "common/Error.h"

namespace fastio::fs {

class Health {
 public:
  void recordSuccess();
  // Records err (one line) and returns whether it means the server is unreachable.
  bool recordFailure(const std::string& what, const Error& err);
  bool online() const;
  std::string offlineReason() const;
  std::vector<std::string> recentErrors() const;

  static bool meansOffline(const Error& err);

  // While offline, callers that can answer from what they hold ask the server again only this
  // often (each attempt may cost the client's whole retry budget).
  bool shouldProbe(SteadyTime now);
  void setProbeInterval(Duration d) { probeInterval_ = d; }
  // The time a metadata call may take: short while offline, when a stale answer is at hand.
  Duration callTimeout(Duration normal) const {
    return online() ? normal : std::min<Duration>(normal, std::chrono::seconds(3));
  }

 private:
  static constexpr size_t kKeep = 10;
  mutable std::mutex mu_;
  Duration probeInterval_ = std::chrono::seconds(10);
  SteadyTime lastProbe_{};
  bool online_ = true;
  std::string offlineReason_;
  std::deque<std::string> recent_;
};

}  // namespace fastio::fs
