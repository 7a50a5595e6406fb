#pragma once
// Read-ahead: a per-open-file window that doubles on each sequential read (up to a ceiling)
// and closes on a seek, and a small pool of low-priority threads that fetch the window's blocks
// so interactive reads find them cached. Fetches go through BlockReader, so a read-ahead fetch
// and a reader waiting for the same block share one request.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace fastio::fs {

class ReadAheadWindow {
 public:
  // nextBatch ends its batches on multiples of granuleBytes when the batch reaches that far, so
  // successive batches split into whole runs of that size.
  ReadAheadWindow(uint64_t initialBytes, uint64_t maxBytes, uint64_t granuleBytes = 0)
      : initial_(initialBytes), max_(std::max(initialBytes, maxBytes)), granule_(granuleBytes) {}

  // Records a read; returns the byte range [first, second) worth fetching ahead (empty after a
  // seek). The range starts where the read ended and is clipped at fileSize.
  std::pair<uint64_t, uint64_t> onRead(uint64_t offset, uint64_t length, uint64_t fileSize);
  // onRead, shaped for scheduling: the part of the window not handed out before, and only once
  // less than half of the window is still ahead of the reader. A sequential reader's
  // read-ahead thus goes out in a few long runs rather than a block at a time.
  std::pair<uint64_t, uint64_t> nextBatch(uint64_t offset, uint64_t length, uint64_t fileSize);
  uint64_t window() const { return window_; }

 private:
  uint64_t scheduledEnd_ = 0;  // end of what nextBatch has handed out
  uint64_t initial_;
  uint64_t max_;
  uint64_t granule_;
  uint64_t next_ = 0;  // where a sequential reader reads next
  uint64_t window_ = 0;
};

// Runs queued jobs on `threads` background threads at a lower CPU priority. Jobs with a key
// already queued are dropped; when the queue is full the oldest job is dropped (read-ahead is
// only a hint).
class PrefetchPool {
 public:
  PrefetchPool(unsigned threads, size_t maxQueued);
  ~PrefetchPool();
  PrefetchPool(const PrefetchPool&) = delete;
  PrefetchPool& operator=(const PrefetchPool&) = delete;

  // `dropped` runs instead of `job` when the job is dropped (queue full, stop) or refused.
  void submit(std::string key, std::function<void()> job, std::function<void()> dropped = {});
  // Stops the threads after the running jobs; queued jobs are dropped. Idempotent.
  void stop();
  size_t queued() const;

 private:
  void loop();
  struct Job {
    std::string key;
    std::function<void()> run;
    std::function<void()> dropped;
  };
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  std::set<std::string> keys_;
  size_t maxQueued_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace fastio::fs
