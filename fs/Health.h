#pragma once
// Whether the server is reachable, and the last few errors, for .fastio/status. A remote
// failure of the "unavailable" kind switches the mount to offline (served from the cache); the
// next successful remote call switches it back.

#include <deque>
#include <mutex>
#include <string>
#include <vector>

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

 private:
  static constexpr size_t kKeep = 10;
  mutable std::mutex mu_;
  bool online_ = true;
  std::string offlineReason_;
  std::deque<std::string> recent_;
};

}  // namespace fastio::fs
