#pragma once
// The block cache of the filesystem tests: an LRU in memory with a byte cap.

#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "fs/ContentCache.h"

namespace fastio::fs::testsupport {

class MemoryContentCache final : public ContentCache {
 public:
  explicit MemoryContentCache(uint64_t capacityBytes) : capacity_(capacityBytes) {}
  std::optional<std::string> get(const ContentKey& key) override;
  bool contains(const ContentKey& key) override;
  Status put(const ContentKey& key, std::string_view data) override;
  uint64_t bytesUsed() const override;

 private:
  static std::string flat(const ContentKey& key);
  struct Entry {
    std::string key;
    std::string data;
  };
  mutable std::mutex mu_;
  uint64_t capacity_;
  uint64_t used_ = 0;
  std::list<Entry> lru_;  // front = most recent
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

}  // namespace fastio::fs::testsupport
