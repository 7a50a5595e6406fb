#pragma once
// Invalidations for the kernel's caches, sent from one dedicated thread. libfuse documents a
// deadlock when a request handler sends them itself, so the core only queues them here.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

namespace fastio::fs {

// Implemented by the FUSE adapter (fuse_lowlevel_notify_inval_*); tests record the calls.
class KernelInvalidator {
 public:
  virtual ~KernelInvalidator() = default;
  // Drops the kernel's cached attributes and page cache of ino.
  virtual void invalidateInode(uint64_t ino) = 0;
  // Drops the kernel's cached name → inode entry (and negative entry) of name in parent.
  virtual void invalidateEntry(uint64_t parent, const std::string& name) = 0;
};

class KernelNotifier {
 public:
  explicit KernelNotifier(KernelInvalidator& target);
  ~KernelNotifier();
  KernelNotifier(const KernelNotifier&) = delete;
  KernelNotifier& operator=(const KernelNotifier&) = delete;

  void inode(uint64_t ino);
  void entry(uint64_t parent, std::string name);
  // Returns once everything queued before the call was sent (tests, shutdown).
  void drain();
  void stop();

 private:
  struct Item {
    uint64_t ino;
    std::string name;  // empty: an inode invalidation
  };
  void push(Item item);
  void loop();

  KernelInvalidator& target_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable idle_;
  std::deque<Item> queue_;
  bool busy_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace fastio::fs
