#include "fs/BlockReader.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <vector>

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

Result<ReadBuffer> BlockReader::read(const FileVersion& file, uint64_t offset, size_t length) {
  ReadBuffer out;
  if (offset >= file.size || length == 0) return out;
  const uint64_t end = std::min<uint64_t>(file.size, offset + length);
  for (uint64_t index = offset / blockSize_; index * blockSize_ < end; ++index) {
    const uint64_t blockStart = index * blockSize_;
    const uint64_t from = std::max(offset, blockStart) - blockStart;
    const uint64_t want = std::min<uint64_t>(end - blockStart, blockSize_) - from;
    std::string_view bytes;
    std::shared_ptr<const void> owner;
    bool hit = false;
    if (!file.version.empty()) {
      if (auto view = cache_.view(keyFor(file, index))) {
        counters_.blockCacheHits++;
        bytes = view->bytes;
        owner = std::move(view->owner);
        hit = true;
      }
    }
    if (!hit) {
      auto data = block(file, index);
      if (!data.ok()) return data.error();
      bytes = **data;
      owner = std::move(*data);
    }
    if (bytes.size() < from + want) {
      return makeError(ErrorCode::kIo, "file " + file.nodeId + " is shorter than its size");
    }
    out.append(bytes.substr(from, want), std::move(owner));
  }
  return out;
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
  for (int attempt = 0;; ++attempt) {
    bool shared = false;
    auto result = flights_.run(
        key, [&] { return fetch(file, index); }, &shared);
    if (shared) counters_.sharedBlockWaits++;
    // The read-ahead run this reader waited for was dropped: fetch the block itself.
    if (shared && attempt == 0 && !result.ok() && result.error().code == ErrorCode::kCancelled) {
      continue;
    }
    return result;
  }
}

Result<BlockReader::BlockPtr> BlockReader::fetch(const FileVersion& file, uint64_t index) {
  // A reader that lost the race to a fetch that just finished finds the block cached now.
  if (!file.version.empty()) {
    if (auto hit = cache_.get(keyFor(file, index))) {
      return std::make_shared<const std::string>(std::move(*hit));
    }
  }
  // The block itself is resolved by the SingleFlight call around this one.
  return stream(file, index, 1, 1);
}

std::pair<uint64_t, uint64_t> BlockReader::claimRun(const FileVersion& file, uint64_t first,
                                                    uint64_t count) {
  if (file.version.empty()) return {first, first};  // nothing could be cached
  const uint64_t end = std::min(blockCount(file.size), first + count);
  uint64_t from = first;
  while (from < end && (isCached(file, from) || flights_.inFlight(keyFor(file, from)))) ++from;
  uint64_t to = from;
  while (to < end && flights_.claim(keyFor(file, to))) {
    // A fetch may have finished between the check above and the claim.
    if (isCached(file, to)) {
      if (auto hit = cache_.get(keyFor(file, to))) {
        flights_.resolve(keyFor(file, to), std::make_shared<const std::string>(std::move(*hit)));
        break;
      }
    }
    ++to;
  }
  return {from, to};
}

Status BlockReader::fetchClaimed(const FileVersion& file, uint64_t from, uint64_t to) {
  if (to <= from) return okStatus();
  counters_.blockCacheMisses += to - from;
  auto firstBlock = stream(file, from, to - from, 0);
  if (!firstBlock.ok()) return firstBlock.error();
  return okStatus();
}

void BlockReader::dropClaimed(const FileVersion& file, uint64_t from, uint64_t to) {
  for (uint64_t i = from; i < to; ++i) {
    flights_.resolve(keyFor(file, i), makeError(ErrorCode::kCancelled, "read-ahead dropped"));
  }
}

Result<BlockReader::BlockPtr> BlockReader::stream(const FileVersion& file, uint64_t first,
                                                  uint64_t count, uint64_t claimedFrom) {
  const bool cacheable = !file.version.empty();
  const uint64_t start = first * blockSize_;
  uint64_t wanted = 0;
  for (uint64_t i = first; i < first + count; ++i) wanted += blockLength(file, i);
  auto isClaimed = [&](uint64_t idx) { return idx >= first + claimedFrom && idx < first + count; };
  BlockPtr firstBlock;
  std::vector<bool> resolved(count, false);  // by position in the run

  // The block being assembled; bytes that do not continue it exactly are not used.
  uint64_t partIndex = UINT64_MAX;
  std::string part;
  auto finishPart = [&] {
    if (partIndex == UINT64_MAX || part.size() != blockLength(file, partIndex)) return;
    auto done = std::make_shared<const std::string>(std::move(part));
    if (cacheable) {
      if (Status s = cache_.put(keyFor(file, partIndex), *done); !s.ok()) {
        FASTIO_LOG_DEBUG("block {} of {} not cached: {}", partIndex, file.nodeId,
                         s.error().describe());
      }
    }
    if (partIndex == first) firstBlock = done;
    if (isClaimed(partIndex)) {
      flights_.resolve(keyFor(file, partIndex), done);
      resolved[partIndex - first] = true;
    }
    part = std::string();
    partIndex = UINT64_MAX;
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
          const uint64_t blockStart = idx * blockSize_;
          const size_t n = static_cast<size_t>(
              std::min<uint64_t>(bytes.size(), blockStart + blockSize_ - fileOffset));
          if (idx != partIndex) {
            finishPart();
            // Outside the run only a whole block is worth keeping (the server ignored Range).
            const bool useful =
                (idx >= first && idx < first + count) || (cacheable && !isCached(file, idx));
            if (fileOffset == blockStart && useful) {
              partIndex = idx;
              part.reserve(blockLength(file, idx));
            }
          }
          if (idx == partIndex && fileOffset == blockStart + part.size()) {
            part.append(bytes.data(), n);
            if (part.size() == blockLength(file, idx)) finishPart();
          }
          fileOffset += n;
          bytes.remove_prefix(n);
        }
        return okStatus();
      },
      Deadline::after(timeout_, clock_));
  finishPart();
  std::optional<Error> failure;
  if (!outcome.ok()) {
    counters_.remoteErrors++;
    if (health_) health_->recordFailure("read " + file.nodeId, outcome.error());
    failure = outcome.error();
  } else if (health_) {
    health_->recordSuccess();
  }
  const auto shortRead = [&] {
    const uint64_t got = outcome.ok() ? outcome->bytesDelivered : 0;
    return makeError(ErrorCode::kIo, "short read of " + file.nodeId + " from block " +
                                         std::to_string(first) + ": got " + std::to_string(got) +
                                         " of " + std::to_string(wanted) + " bytes");
  };
  // Claimed blocks that never completed: their waiters get the error.
  for (uint64_t i = first + claimedFrom; i < first + count; ++i) {
    if (!resolved[i - first]) flights_.resolve(keyFor(file, i), failure ? *failure : shortRead());
  }
  bool allArrived = firstBlock != nullptr;
  for (uint64_t i = std::max<uint64_t>(claimedFrom, 1); i < count; ++i) {
    allArrived = allArrived && resolved[i];
  }
  if (!allArrived) return failure ? *failure : shortRead();
  return firstBlock;
}

}  // namespace fastio::fs
