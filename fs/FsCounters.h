#pragma once
// Counters shown in .fastio/stats.json and .fastio/metrics. Lock-free; they only grow.

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace fastio::fs {

struct FsCounters {
  std::atomic<uint64_t> lookups{0};
  std::atomic<uint64_t> reads{0};
  std::atomic<uint64_t> bytesRead{0};
  std::atomic<uint64_t> blockCacheHits{0};
  std::atomic<uint64_t> blockCacheMisses{0};
  std::atomic<uint64_t> remoteBlockFetches{0};
  std::atomic<uint64_t> remoteBytesFetched{0};
  std::atomic<uint64_t> sharedBlockWaits{0};  // reads that joined a fetch already running
  std::atomic<uint64_t> readAheadBlocks{0};
  std::atomic<uint64_t> folderListings{0};
  std::atomic<uint64_t> folderRelistsDeferred{0};  // lookups served a listing the poll outdated
  std::atomic<uint64_t> remoteErrors{0};
  std::atomic<uint64_t> searches{0};
  std::atomic<uint64_t> asks{0};
  std::atomic<uint64_t> invalidations{0};
  std::atomic<uint64_t> writes{0};
  std::atomic<uint64_t> bytesWritten{0};
  std::atomic<uint64_t> dirtyWaits{0};  // writes that waited for the dirty budget
  std::atomic<uint64_t> uploadsStored{0};
  std::atomic<uint64_t> uploadBytesStored{0};
  std::atomic<uint64_t> uploadFailures{0};
  std::atomic<uint64_t> uploadConflicts{0};       // conflict copies made
  std::atomic<uint64_t> uploadsAdopted{0};        // content found already stored (after a crash)
  std::atomic<uint64_t> uploadsQueuedBehind{0};   // waited for another upload to the same node
  std::atomic<uint64_t> renamesBehindUploads{0};  // a move waited for a create of its new name

  // Operations that failed, by (operation, error name) as the adapter reports them.
  void countFailure(const std::string& operation, const std::string& error) {
    std::lock_guard lock(failuresMu_);
    ++failures_[{operation, error}];
  }
  std::map<std::pair<std::string, std::string>, uint64_t> failures() const {
    std::lock_guard lock(failuresMu_);
    return failures_;
  }

  std::vector<std::pair<std::string, uint64_t>> snapshot() const {
    return {
        {"lookups", lookups.load()},
        {"reads", reads.load()},
        {"bytes_read", bytesRead.load()},
        {"block_cache_hits", blockCacheHits.load()},
        {"block_cache_misses", blockCacheMisses.load()},
        {"remote_block_fetches", remoteBlockFetches.load()},
        {"remote_bytes_fetched", remoteBytesFetched.load()},
        {"shared_block_waits", sharedBlockWaits.load()},
        {"read_ahead_blocks", readAheadBlocks.load()},
        {"folder_listings", folderListings.load()},
        {"folder_relists_deferred", folderRelistsDeferred.load()},
        {"remote_errors", remoteErrors.load()},
        {"searches", searches.load()},
        {"asks", asks.load()},
        {"invalidations", invalidations.load()},
        {"writes", writes.load()},
        {"bytes_written", bytesWritten.load()},
        {"dirty_waits", dirtyWaits.load()},
        {"uploads_stored", uploadsStored.load()},
        {"upload_bytes_stored", uploadBytesStored.load()},
        {"upload_failures", uploadFailures.load()},
        {"upload_conflicts", uploadConflicts.load()},
        {"uploads_adopted", uploadsAdopted.load()},
        {"uploads_queued_behind", uploadsQueuedBehind.load()},
        {"renames_behind_uploads", renamesBehindUploads.load()},
    };
  }

 private:
  mutable std::mutex failuresMu_;
  std::map<std::pair<std::string, std::string>, uint64_t> failures_;
};

}  // namespace fastio::fs
