#include "fs/ChangeWatcher.h"

#include <algorithm>

#include "common/Log.h"

namespace fastio::fs {

ChangeWatcher::ChangeWatcher(RemoteStore& remote, int waitSeconds, OnActivity onActivity)
    : remote_(remote), waitSeconds_(std::max(1, waitSeconds)), onActivity_(std::move(onActivity)) {}

ChangeWatcher::~ChangeWatcher() {
  stop();
}

void ChangeWatcher::watch(const std::string& workspaceId) {
  std::lock_guard lock(mu_);
  if (stopping_ || threads_.count(workspaceId) != 0) return;
  threads_.emplace(workspaceId, std::thread([this, workspaceId] { loop(workspaceId); }));
}

void ChangeWatcher::stop() {
  std::map<std::string, std::thread> threads;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    threads.swap(threads_);
  }
  cv_.notify_all();
  for (auto& [ws, t] : threads) {
    if (t.joinable()) t.join();
  }
}

bool ChangeWatcher::sleepUnlessStopped(Duration d) {
  std::unique_lock lock(mu_);
  return !cv_.wait_for(lock, d, [&] { return stopping_; });
}

void ChangeWatcher::loop(std::string workspaceId) {
  std::string last;
  Duration backoff = std::chrono::seconds(1);
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
    auto batch = remote_.pollActivity(workspaceId, last, waitSeconds_,
                                      Deadline::after(std::chrono::seconds(waitSeconds_ + 30)));
    if (!batch.ok()) {
      FASTIO_LOG_DEBUG("activity poll of workspace {} failed: {}", workspaceId,
                       batch.error().describe());
      if (!sleepUnlessStopped(backoff)) return;
      backoff = std::min<Duration>(backoff * 2, std::chrono::seconds(30));
      continue;
    }
    backoff = std::chrono::seconds(1);
    if (!batch->lastActivity.empty()) last = batch->lastActivity;
    // Keys are applied even on the first poll: an extra invalidation costs one re-list,
    // a missed one would serve stale data for a whole TTL.
    if (!batch->keys.empty()) {
      batches_++;
      onActivity_(workspaceId, batch->keys);
    }
  }
}

}  // namespace fastio::fs
