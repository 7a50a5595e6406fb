#include "fs/BlockReader.h"

#include <algorithm>
#include <cstring>

#include "common/Log.h"

namespace fastio::fs {

BlockReader::BlockReader(RemoteStore& remote, ContentCache& cache, uint32_t blockSize,
                         Duration timeout, FsCounters& counters, Health* health, const Clock& clock)
    : remote_(remote),
      cache_(cache),
      blockSize_(std::max<uint32_t>(blockSize, 4096)),
      timeout_(timeout),
      counters_(counters),
      health_(health),
      clock_(clock) {}

uint64_t BlockReader::blockCount(uint64_t fileSize) const {
  return (fileSize + blockSize_ - 1) / blockSize_;
}

uint64_t BlockReader::blockLength(const FileVersion& file, uint64_t index) const {
  const uint64_t start = index * blockSize_;
  if (start >= file.size) return 0;
  return std::min<uint64_t>(blockSize_, file.size - start);
}

ContentKey BlockReader::keyFor(const FileVersion& file, uint64_t index) const {
  return ContentKey{file.nodeId, file.version, index};
}

bool BlockReader::isCached(const FileVersion& file, uint64_t index) {
  return !file.version.empty() && cache_.contains(keyFor(file, index));
}

Result<std::string> BlockReader::read(const FileVersion& file, uint64_t offset, size_t length) {
  std::string out;
  if (offset >= file.size || length == 0) return out;
  const uint64_t end = std::min<uint64_t>(file.size, offset + length);
  out.reserve(end - offset);
  for (uint64_t index = offset / blockSize_; index * blockSize_ < end; ++index) {
    const uint64_t blockStart = index * blockSize_;
    const uint64_t from = std::max(offset, blockStart) - blockStart;
    const uint64_t want = std::min<uint64_t>(end - blockStart, blockSize_) - from;
    if (!file.version.empty()) {
      const size_t before = out.size();
      if (cache_.appendRange(keyFor(file, index), from, want, out)) {
        counters_.blockCacheHits++;
        if (out.size() - before == want) continue;
        return makeError(ErrorCode::kIo, "file " + file.nodeId + " is shorter than its size");
      }
    }
    auto data = block(file, index);
    if (!data.ok()) return data.error();
    const uint64_t to = std::min<uint64_t>(end - blockStart, (*data)->size());
    if (from >= to) {
      return makeError(ErrorCode::kIo, "file " + file.nodeId + " is shorter than its size");
    }
    out.append(**data, from, to - from);
  }
  return out;
}

Status BlockReader::prefetch(const FileVersion& file, uint64_t index) {
  if (index >= blockCount(file.size) || isCached(file, index)) return okStatus();
  auto data = block(file, index);
  if (!data.ok()) return data.error();
  return okStatus();
}

Result<BlockReader::BlockPtr> BlockReader::block(const FileVersion& file, uint64_t index) {
  const ContentKey key = keyFor(file, index);
  if (!file.version.empty()) {
    if (auto hit = cache_.get(key)) {
      counters_.blockCacheHits++;
      return std::make_shared<const std::string>(std::move(*hit));
    }
  }
  counters_.blockCacheMisses++;
  bool shared = false;
  auto result = flights_.run(
      key, [&] { return fetch(file, index); }, &shared);
  if (shared) counters_.sharedBlockWaits++;
  return result;
}

Result<BlockReader::BlockPtr> BlockReader::fetch(const FileVersion& file, uint64_t index) {
  // A reader that lost the race to a fetch that just finished finds the block cached now.
  if (!file.version.empty()) {
    if (auto hit = cache_.get(keyFor(file, index))) {
      return std::make_shared<const std::string>(std::move(*hit));
    }
  }
  const uint64_t start = index * blockSize_;
  const uint64_t wanted = blockLength(file, index);
  auto target = std::make_shared<std::string>();
  target->reserve(wanted);

  // Blocks other than the target arrive only when the server ignored Range: cache them too.
  uint64_t spillIndex = UINT64_MAX;
  std::string spill;
  auto flushSpill = [&] {
    if (spillIndex != UINT64_MAX && !file.version.empty() &&
        spill.size() == blockLength(file, spillIndex)) {
      if (Status s = cache_.put(keyFor(file, spillIndex), spill); !s.ok()) {
        FASTIO_LOG_DEBUG("block {} of {} not cached: {}", spillIndex, file.nodeId,
                         s.error().describe());
      }
    }
    spill.clear();
    spillIndex = UINT64_MAX;
  };

  ReadRequest request;
  request.workspaceId = file.workspaceId;
  request.nodeId = file.nodeId;
  request.versionId = file.version;
  request.offset = start;
  request.length = wanted;
  counters_.remoteBlockFetches++;
  auto outcome = remote_.read(
      request,
      [&](uint64_t fileOffset, std::string_view bytes) -> Status {
        counters_.remoteBytesFetched += bytes.size();
        while (!bytes.empty()) {
          const uint64_t idx = fileOffset / blockSize_;
          const uint64_t blockEnd = (idx + 1) * blockSize_;
          const size_t n =
              static_cast<size_t>(std::min<uint64_t>(bytes.size(), blockEnd - fileOffset));
          if (idx == index) {
            if (fileOffset == start + target->size()) target->append(bytes.data(), n);
          } else {
            if (idx != spillIndex) {
              flushSpill();
              if (fileOffset == idx * blockSize_) spillIndex = idx;
            }
            if (idx == spillIndex && fileOffset == idx * blockSize_ + spill.size()) {
              spill.append(bytes.data(), n);
            }
          }
          fileOffset += n;
          bytes.remove_prefix(n);
        }
        return okStatus();
      },
      Deadline::after(timeout_, clock_));
  flushSpill();
  if (!outcome.ok()) {
    counters_.remoteErrors++;
    if (health_) health_->recordFailure("read " + file.nodeId, outcome.error());
    return outcome.error();
  }
  if (health_) health_->recordSuccess();
  if (target->size() < wanted) {
    return makeError(ErrorCode::kIo, "short read of " + file.nodeId + " block " +
                                         std::to_string(index) + ": got " +
                                         std::to_string(target->size()) + " of " +
                                         std::to_string(wanted) + " bytes");
  }
  if (!file.version.empty()) {
    if (Status s = cache_.put(keyFor(file, index), *target); !s.ok()) {
      FASTIO_LOG_DEBUG("block {} of {} not cached: {}", index, file.nodeId, s.error().describe());
    }
  }
  return BlockPtr(std::move(target));
}

}  // namespace fastio::fs
