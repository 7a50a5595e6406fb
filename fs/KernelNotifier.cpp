#include "fs/KernelNotifier.h"

namespace fastio::fs {

KernelNotifier::KernelNotifier(KernelInvalidator& target) : target_(target) {
  thread_ = std::thread([this] { loop(); });
}

KernelNotifier::~KernelNotifier() {
  stop();
}

void KernelNotifier::inode(uint64_t ino) {
  push(Item{ino, {}});
}

void KernelNotifier::entry(uint64_t parent, std::string name) {
  if (name.empty()) return;
  push(Item{parent, std::move(name)});
}

void KernelNotifier::push(Item item) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    queue_.push_back(std::move(item));
  }
  cv_.notify_one();
}

void KernelNotifier::drain() {
  std::unique_lock lock(mu_);
  idle_.wait(lock, [&] { return stopping_ || (queue_.empty() && !busy_); });
}

void KernelNotifier::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  idle_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void KernelNotifier::loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    Item item = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    if (item.name.empty()) {
      target_.invalidateInode(item.ino);
    } else {
      target_.invalidateEntry(item.ino, item.name);
    }
    lock.lock();
    busy_ = false;
    if (queue_.empty()) idle_.notify_all();
  }
}

}  // namespace fastio::fs
