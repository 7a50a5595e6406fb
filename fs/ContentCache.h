#pragma once
// Where clean file blocks are kept between reads. The filesystem core talks to this small
// interface; LmdbContentCache adapts cache/BlockCache to it, MemoryContentCache serves tests
// and mounts without a cache directory.

#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/Result.h"

namespace fastio::fs {

struct ContentKey {
  std::string nodeId;
  std::string version;
  uint64_t index = 0;

  bool operator<(const ContentKey& o) const {
    if (nodeId != o.nodeId) return nodeId < o.nodeId;
    if (version != o.version) return version < o.version;
    return index < o.index;
  }
  bool operator==(const ContentKey&) const = default;
};

class ContentCache {
 public:
  virtual ~ContentCache() = default;
  virtual std::optional<std::string> get(const ContentKey& key) = 0;
  // Appends up to `length` bytes of the block from `offsetInBlock` to `out`; false on a miss.
  // The read path uses this so a 128 KiB kernel read does not copy the whole block.
  virtual bool appendRange(const ContentKey& key, uint64_t offsetInBlock, size_t length,
                           std::string& out) {
    auto block = get(key);
    if (!block) return false;
    if (offsetInBlock < block->size()) out.append(*block, offsetInBlock, length);
    return true;
  }
  virtual bool contains(const ContentKey& key) = 0;
  // Best effort: a block that cannot be stored is simply fetched again next time.
  virtual Status put(const ContentKey& key, std::string_view data) = 0;
  virtual uint64_t bytesUsed() const = 0;
};

// LRU in memory with a byte cap.
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

}  // namespace fastio::fs
