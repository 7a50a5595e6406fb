#pragma once
// Where clean file blocks are kept between reads. The filesystem core talks to this small
// interface; LmdbContentCache adapts cache/BlockCache to it (tests use an in-memory one,
// tests/fs/MemoryContentCache).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

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

// Bytes that stay valid while `owner` is held.
struct BlockView {
  std::string_view bytes;
  std::shared_ptr<const void> owner;
};

class ContentCache {
 public:
  virtual ~ContentCache() = default;
  virtual std::optional<std::string> get(const ContentKey& key) = 0;
  // The block without a copy where the cache can do that (LMDB pins it in the map); nullopt
  // on a miss. The read path replies straight from it.
  virtual std::optional<BlockView> view(const ContentKey& key) {
    auto block = get(key);
    if (!block) return std::nullopt;
    auto owned = std::make_shared<const std::string>(std::move(*block));
    return BlockView{*owned, owned};
  }
  virtual bool contains(const ContentKey& key) = 0;
  // Best effort: a block that cannot be stored is simply fetched again next time.
  virtual Status put(const ContentKey& key, std::string_view data) = 0;
  virtual uint64_t bytesUsed() const = 0;
};

}  // namespace fastio::fs
