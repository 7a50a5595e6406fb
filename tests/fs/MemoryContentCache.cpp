#include "tests/fs/MemoryContentCache.h"

namespace fastio::fs::testsupport {

std::string MemoryContentCache::flat(const ContentKey& key) {
  std::string k = key.nodeId;
  k += '\0';
  k += key.version;
  k += '\0';
  k += std::to_string(key.index);
  return k;
}

std::optional<std::string> MemoryContentCache::get(const ContentKey& key) {
  std::lock_guard lock(mu_);
  auto it = index_.find(flat(key));
  if (it == index_.end()) return std::nullopt;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->data;
}

bool MemoryContentCache::contains(const ContentKey& key) {
  std::lock_guard lock(mu_);
  return index_.count(flat(key)) != 0;
}

Status MemoryContentCache::put(const ContentKey& key, std::string_view data) {
  if (data.size() > capacity_) {
    return makeError(ErrorCode::kNoSpace, "block larger than the memory cache");
  }
  std::lock_guard lock(mu_);
  std::string k = flat(key);
  if (auto it = index_.find(k); it != index_.end()) {
    used_ -= it->second->data.size();
    lru_.erase(it->second);
    index_.erase(it);
  }
  while (used_ + data.size() > capacity_ && !lru_.empty()) {
    used_ -= lru_.back().data.size();
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
  lru_.push_front(Entry{k, std::string(data)});
  index_.emplace(std::move(k), lru_.begin());
  used_ += data.size();
  return okStatus();
}

uint64_t MemoryContentCache::bytesUsed() const {
  std::lock_guard lock(mu_);
  return used_;
}

}  // namespace fastio::fs::testsupport
