#pragma once
// The signals the mount daemon acts on besides libfuse's own (SIGTERM, SIGINT and SIGHUP end
// the request loop, after which the daemon drains its uploads): SIGUSR1 uploads everything
// pending now (`fastiofs sync`, `fastiofs unmount`); SIGUSR2 ends a drain at once, leaving
// what is left in the journal. The handler only writes to a pipe; a thread acts on it.

#include <atomic>
#include <functional>
#include <thread>

namespace fastio::cli {

class DaemonSignals {
 public:
  explicit DaemonSignals(std::function<void()> uploadNow);
  ~DaemonSignals();
  DaemonSignals(const DaemonSignals&) = delete;
  DaemonSignals& operator=(const DaemonSignals&) = delete;

  bool stopDrainRequested() const { return stopDrain_.load(); }

 private:
  void loop();
  std::function<void()> uploadNow_;
  std::atomic<bool> stopDrain_{false};
  int pipe_[2] = {-1, -1};
  std::thread thread_;
};

}  // namespace fastio::cli
