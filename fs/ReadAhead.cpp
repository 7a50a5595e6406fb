#include "fs/ReadAhead.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <optional>

namespace fastio::fs {

std::pair<uint64_t, uint64_t> ReadAheadWindow::onRead(uint64_t offset, uint64_t length,
                                                      uint64_t fileSize) {
  // The kernel sends read-ahead requests concurrently, so they may arrive slightly out of
  // order: a read within one initial window of where the last one ended still counts as
  // sequential.
  const uint64_t end = offset + length;
  const bool sequential =
      (offset == next_) || (next_ > 0 && offset + initial_ >= next_ && offset <= next_ + initial_);
  if (!sequential) {
    next_ = end;
    window_ = 0;
    return {next_, next_};
  }
  next_ = std::max(next_, end);
  window_ = window_ == 0 ? initial_ : std::min(window_ * 2, max_);
  const uint64_t from = std::min(next_, fileSize);
  const uint64_t to = std::min(fileSize, next_ + window_);
  return {from, to};
}

std::pair<uint64_t, uint64_t> ReadAheadWindow::nextBatch(uint64_t offset, uint64_t length,
                                                         uint64_t fileSize) {
  const auto [from, to] = onRead(offset, length, fileSize);
  if (from >= to) {
    scheduledEnd_ = 0;
    return {from, from};
  }
  if (scheduledEnd_ < from || scheduledEnd_ > to) scheduledEnd_ = from;
  if (scheduledEnd_ == to || scheduledEnd_ - from > (to - from) / 2) {
    return {scheduledEnd_, scheduledEnd_};
  }
  uint64_t end = to;
  if (granule_ > 0 && to < fileSize && to / granule_ * granule_ > scheduledEnd_) {
    end = to / granule_ * granule_;
  }
  const std::pair<uint64_t, uint64_t> batch{scheduledEnd_, end};
  scheduledEnd_ = end;
  return batch;
}

PrefetchPool::PrefetchPool(unsigned threads, size_t maxQueued) : maxQueued_(maxQueued) {
  for (unsigned i = 0; i < threads; ++i) threads_.emplace_back([this] { loop(); });
}

PrefetchPool::~PrefetchPool() {
  stop();
}

void PrefetchPool::submit(std::string key, std::function<void()> job,
                          std::function<void()> dropped) {
  std::optional<Job> evicted;
  {
    std::unique_lock lock(mu_);
    if (stopping_ || threads_.empty() || keys_.count(key) != 0) {
      lock.unlock();
      if (dropped) dropped();
      return;
    }
    if (queue_.size() >= maxQueued_ && !queue_.empty()) {
      keys_.erase(queue_.front().key);
      evicted = std::move(queue_.front());
      queue_.pop_front();
    }
    keys_.insert(key);
    queue_.push_back(Job{std::move(key), std::move(job), std::move(dropped)});
  }
  cv_.notify_one();
  if (evicted && evicted->dropped) evicted->dropped();
}

void PrefetchPool::stop() {
  std::deque<Job> abandoned;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    abandoned.swap(queue_);
    keys_.clear();
  }
  cv_.notify_all();
  for (auto& job : abandoned) {
    if (job.dropped) job.dropped();
  }
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
