#pragma once
// The read path for file content: block cache first, else one remote fetch per block shared by
// every reader waiting for it. Blocks are keyed by (node, version, index), so bytes of an old
// version are never served for a new one. When the server ignores Range and sends the whole
// body, every block that streams past is cached, so the file is downloaded once.

#include <cstdint>
#include <memory>
#include <string>

#include "client/RemoteStore.h"
#include "common/Clock.h"
#include "fs/ContentCache.h"
#include "fs/FsCounters.h"
#include "fs/Health.h"
#include "fs/ReadBuffer.h"
#include "fs/SingleFlight.h"

namespace fastio::fs {

struct FileVersion {
  std::string workspaceId;
  std::string nodeId;
  std::string version;  // empty: the server gave none, so nothing is cached for this file
  uint64_t size = 0;
};

class BlockReader {
 public:
  BlockReader(RemoteStore& remote, ContentCache& cache, uint32_t blockSize, Duration timeout,
              FsCounters& counters, Health* health = nullptr,
              const Clock& clock = RealClock::instance());

  uint32_t blockSize() const { return blockSize_; }
  uint64_t blockCount(uint64_t fileSize) const;

  // Bytes [offset, offset + length) of the file, clipped at its end, as slices of cached or
  // fetched blocks (no copy).
  Result<ReadBuffer> read(const FileVersion& file, uint64_t offset, size_t length);
  // Read-ahead in two steps. claimRun marks up to `count` blocks from `first` as being fetched
  // (skipping leading blocks that are cached or already in flight, and stopping at the next
  // such block) and returns the claimed [from, to). fetchClaimed then streams them in one
  // ranged request, each block handed to its waiting readers as soon as its last byte has
  // arrived; or dropClaimed gives them up, and their waiting readers fetch for themselves.
  // Every claim must end in exactly one of the two.
  std::pair<uint64_t, uint64_t> claimRun(const FileVersion& file, uint64_t first, uint64_t count);
  Status fetchClaimed(const FileVersion& file, uint64_t from, uint64_t to);
  void dropClaimed(const FileVersion& file, uint64_t from, uint64_t to);
  bool isCached(const FileVersion& file, uint64_t index);

 private:
  using BlockPtr = std::shared_ptr<const std::string>;
  Result<BlockPtr> block(const FileVersion& file, uint64_t index);
  Result<BlockPtr> fetch(const FileVersion& file, uint64_t index);
  // Streams blocks [first, first + count) in one request. Every whole block that streams past
  // is cached (when the server ignores Range, that is the whole file); blocks in
  // [first + claimedFrom, first + count) were claimed in flights_ and are resolved as they
  // complete. Returns block `first`, or an error when any block of the run did not arrive.
  Result<BlockPtr> stream(const FileVersion& file, uint64_t first, uint64_t count,
                          uint64_t claimedFrom);
  ContentKey keyFor(const FileVersion& file, uint64_t index) const;
  uint64_t blockLength(const FileVersion& file, uint64_t index) const;

  RemoteStore& remote_;
  ContentCache& cache_;
  uint32_t blockSize_;
  Duration timeout_;
  FsCounters& counters_;
  Health* health_;
  const Clock& clock_;
  SingleFlight<ContentKey, BlockPtr> flights_;
};

}  // namespace fastio::fs
