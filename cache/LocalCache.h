#pragma once
// Everything the cache directory holds, opened together (once per process, after
// daemonizing):
//
//   DIR/               0700, locked (DirectoryLock) for the life of the object
//     LOCK             the flock file
//     clean/           LMDB, MDB_NOSYNC: metadata and blocks. Rebuildable: when corrupt or of
//                      another format (or block size) it is moved to clean.broken-<time>/
//                      and recreated empty, with one warning line.
//     journal/         DirtyJournal: records/ (LMDB, fsync'd commits) and staging/ logs.
//                      Never rebuilt: an unreadable journal fails the open.
//
// cacheSizeBytes is split in two shares: the journal's (dirtyLimitBytes; the fs layer keeps
// journal().footprintBytes() within it, since dirty data is never evicted) and the clean
// cache's (the rest). The block budget is the clean share minus room for LMDB's own overhead,
// the lock files and directories, minus what the metadata occupies (refreshBudget()). So with
// the journal inside its share, `du -sb DIR` stays within cacheSizeBytes. A clean cache file
// larger than its share (the cache size was lowered) is compacted at open.

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>

#include "cache/BlockCache.h"
#include "cache/DirectoryLock.h"
#include "cache/DirtyJournal.h"
#include "cache/LmdbEnv.h"
#include "cache/MetadataCache.h"
#include "common/Clock.h"
#include "common/Result.h"

namespace fastio::cache {

struct LocalCacheOptions {
  std::filesystem::path dir;
  uint64_t cacheSizeBytes = 10ull << 30;  // --cache-size
  // The journal's share of cacheSizeBytes; 0 = a quarter of it. At least 4 MiB, and it must
  // leave the clean cache 8 MiB.
  uint64_t dirtyLimitBytes = 0;
  uint32_t blockSize = BlockCacheOptions{}.blockSize;
  DirtyJournalOptions journal;
};

class LocalCache {
 public:
  // kExists when another process holds the directory; kIo with the path for unusable files.
  static Result<std::unique_ptr<LocalCache>> open(const LocalCacheOptions& options,
                                                  const Clock& clock);

  MetadataCache& metadata() { return *metadata_; }
  BlockCache& blocks() { return *blocks_; }
  DirtyJournal& journal() { return *journal_; }
  LmdbEnv& cleanEnv() { return *cleanEnv_; }

  // Flushes the clean environment to disk (it commits with MDB_NOSYNC) and recorded hits.
  Status flush();
  // Shrinks/grows the block budget by what the metadata occupies now.
  Status refreshBudget();
  // True when the clean cache was found unusable at open and rebuilt.
  bool cleanCacheRebuilt() const { return rebuilt_; }
  // The journal's share of the cache size: writes wait or fail (fs layer) rather than take
  // journal().footprintBytes() past it.
  uint64_t dirtyLimitBytes() const { return dirtyLimit_; }
  // Everything in the cache directory as `du -sb` counts it (files and directories). Walks
  // the directory: for status and tests, not for every write.
  uint64_t diskFootprintBytes() const;

  // Starts one background thread that, every `interval`, runs maintain(), logging (not
  // returning) failures. Stops in stopMaintenance() or the destructor. Calling it twice is a
  // no-op.
  void startMaintenance(std::chrono::milliseconds interval);
  void stopMaintenance();
  // One round of that work, for callers that schedule it themselves: flush(), refreshBudget(),
  // purge expired search/ask answers, and a journal checkpoint.
  Status maintain();

  // The destructor checkpoints the journal (a clean shutdown leaves everything power-durable
  // and the write-ahead log empty) and flushes the clean environment.
  ~LocalCache();

 private:
  LocalCache() = default;
  std::filesystem::path dir_;
  uint64_t dirtyLimit_ = 0;
  std::unique_ptr<DirectoryLock> lock_;
  std::unique_ptr<LmdbEnv> cleanEnv_;
  std::unique_ptr<MetadataCache> metadata_;
  std::unique_ptr<BlockCache> blocks_;
  std::unique_ptr<DirtyJournal> journal_;
  bool rebuilt_ = false;
  std::thread maintenance_;
  std::mutex maintenanceMu_;
  std::condition_variable maintenanceCv_;
  bool stopMaintenance_ = false;
};

}  // namespace fastio::cache
