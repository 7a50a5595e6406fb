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
// Map sizes come from cacheSizeBytes. The block budget is cacheSizeBytes minus what the
// metadata and dirty data occupy (refreshed by refreshBudget(), which the owner calls
// periodically together with flush()).

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
  uint32_t blockSize = BlockCacheOptions{}.blockSize;
  DirtyJournalOptions journal;
};

class LocalCache {
 public:
  // kExists when another process holds the directory; kIo with the path for unusable files.
  static Result<std::unique_ptr<LocalCache>> open(const LocalCacheOptions& options,
                                                  const Clock& clock);
  ~LocalCache();

  MetadataCache& metadata() { return *metadata_; }
  BlockCache& blocks() { return *blocks_; }
  DirtyJournal& journal() { return *journal_; }
  LmdbEnv& cleanEnv() { return *cleanEnv_; }

  // Flushes the clean environment to disk (it commits with MDB_NOSYNC) and recorded hits.
  Status flush();
  // Shrinks/grows the block budget by what metadata and dirty data occupy now.
  Status refreshBudget();
  // True when the clean cache was found unusable at open and rebuilt.
  bool cleanCacheRebuilt() const { return rebuilt_; }

  // Starts one background thread that, every `interval`, runs flush(), refreshBudget() and
  // purges expired search/ask answers, logging (not returning) failures. Stops in
  // stopMaintenance() or the destructor. Calling it twice is a no-op.
  void startMaintenance(std::chrono::milliseconds interval);
  void stopMaintenance();
  // One round of that work, for callers that schedule it themselves.
  Status maintain();

 private:
  LocalCache() = default;
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
