#include "fs/ReadAhead.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>

namespace fastio::fs {

std::pair<uint64_t, uint64_t> ReadAheadWindow::onRead(uint64_t offset, uint64_t length,
                                                      uint64_t fileSize) {
  const bool sequential = (offset == next_);
  next_ = offset + length;
  if (!sequential) {
    window_ = 0;
    return {next_, next_};
  }
  window_ = window_ == 0 ? initial_ : std::min(window_ * 2, max_);
  const uint64_t from = std::min(next_, fileSize);
  const uint64_t to = std::min(fileSize, next_ + window_);
  return {from, to};
}

PrefetchPool::PrefetchPool(unsigned threads, size_t maxQueued) : maxQueued_(maxQueued) {
  for (unsigned i = 0; i < threads; ++i) threads_.emplace_back([this] { loop(); });
}

PrefetchPool::~PrefetchPool() {
  stop();
}

void PrefetchPool::submit(std::string key, std::function<void()> job) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || threads_.empty() || keys_.count(key) != 0) return;
    if (queue_.size() >= maxQueued_ && !queue_.empty()) {
      keys_.erase(queue_.front().key);
      queue_.pop_front();
    }
    keys_.insert(key);
    queue_.push_back(Job{std::move(key), std::move(job)});
  }
  cv_.notify_one();
}

void PrefetchPool::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    queue_.clear();
    keys_.clear();
  }
  cv_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

size_t PrefetchPool::queued() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

void PrefetchPool::loop() {
  // Interactive reads run on the FUSE threads at normal priority; read-ahead yields to them.
  setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 10);
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job.run();
    std::lock_guard lock(mu_);
    keys_.erase(job.key);
  }
}

}  // namespace fastio::fs
