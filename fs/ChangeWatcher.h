#pragma once
// One thread per watched workspace running the activity long-poll (/activity/poll/). Each batch
// of activity keys is handed to a callback (the FileSystem invalidates what changed). Failures
// back off exponentially (1 s doubling to 30 s) so an unreachable server is not hammered.

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "client/RemoteStore.h"
#include "common/Clock.h"

namespace fastio::fs {

class ChangeWatcher {
 public:
  using OnActivity =
      std::function<void(const std::string& workspaceId, const std::vector<std::string>& keys)>;

  ChangeWatcher(RemoteStore& remote, int waitSeconds, OnActivity onActivity);
  ~ChangeWatcher();
  ChangeWatcher(const ChangeWatcher&) = delete;
  ChangeWatcher& operator=(const ChangeWatcher&) = delete;

  // Starts watching (idempotent per workspace).
  void watch(const std::string& workspaceId);
  // Stops every thread; returns within about one poll wait.
  void stop();
  uint64_t batchesSeen() const { return batches_; }

 private:
  void loop(std::string workspaceId);
  bool sleepUnlessStopped(Duration d);

  RemoteStore& remote_;
  int waitSeconds_;
  OnActivity onActivity_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::map<std::string, std::thread> threads_;
  std::atomic<uint64_t> batches_{0};
};

}  // namespace fastio::fs
