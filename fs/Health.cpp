#include "fs/Health.h"

#include "common/Log.h"

namespace fastio::fs {

bool Health::meansOffline(const Error& err) {
  return err.code == ErrorCode::kUnavailable || err.code == ErrorCode::kRateLimited ||
         err.code == ErrorCode::kDeadline;
}

void Health::recordSuccess() {
  std::lock_guard lock(mu_);
  if (!online_) FASTIO_LOG_INFO("server reachable again; leaving offline mode");
  online_ = true;
  offlineReason_.clear();
}

bool Health::recordFailure(const std::string& what, const Error& err) {
  const bool offline = meansOffline(err);
  std::lock_guard lock(mu_);
  recent_.push_back(what + ": " + redactSecrets(err.describe()));
  if (recent_.size() > kKeep) recent_.pop_front();
  if (offline) {
    if (online_) FASTIO_LOG_WARN("server unreachable ({}); serving cached data", err.describe());
    online_ = false;
    offlineReason_ = redactSecrets(err.describe());
  }
  return offline;
}

bool Health::shouldProbe(SteadyTime now) {
  std::lock_guard lock(mu_);
  if (online_) return true;
  if (now - lastProbe_ < probeInterval_) return false;
  lastProbe_ = now;
  return true;
}

bool Health::online() const {
  std::lock_guard lock(mu_);
  return online_;
}

std::string Health::offlineReason() const {
  std::lock_guard lock(mu_);
  return offlineReason_;
}

std::vector<std::string> Health::recentErrors() const {
  std::lock_guard lock(mu_);
  return {recent_.begin(), recent_.end()};
}

}  // namespace fastio::fs
