#pragma once
// Internals of DirtyJournal shared by its source files: DirtyJournal.cpp (the public calls),
// JournalCommit.cpp (group commit at both durability levels, checkpoints, sticky fdatasync
// errors) and JournalLoad.cpp (loading LMDB and replaying the write-ahead log).
// Not part of the cache's interface.
//
// Lock order: mapMu (the file table) -> a file's flushMu -> that file's mu. groupMu guards
// only the open batches and is never held together with another of these. The committer (one
// thread at a time, `committing`) is the only writer of LMDB and of the write-ahead log.

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "cache/DirtyJournal.h"
#include "cache/JournalRecord.h"
#include "cache/LmdbEnv.h"
#include "cache/StagingFiles.h"
#include "cache/WriteAheadLog.h"
#include "common/Clock.h"

namespace fastio::cache {

std::string logName(FileKey key, uint64_t gen);
std::string fileKeyBytes(FileKey key);
inline const std::string kNextKeyKey = "next_key";
inline const std::string kWalFloorKey = "wal_floor";

// A log generation replaced by compaction, kept until LMDB no longer needs it.
struct OldLog {
  uint64_t gen = 0;
  uint64_t bytes = 0;
};

// One dirty file in memory. `mu` guards everything; the log handle is fetched on demand.
struct FileEntry {
  std::mutex flushMu;  // one fdatasync of this file's log at a time
  std::mutex mu;
  DirtyFileState st;
  uint64_t logGen = 0;
  uint64_t logSize = 0;        // append position
  uint64_t syncedLogSize = 0;  // bytes known fdatasync'd (or poisoned)
  bool logExists = false;
  bool nameDurable = false;  // the log's directory entry is fsync'd
  bool discarded = false;    // gone for callers; removed from LMDB and disk at a kPower commit
  bool removed = false;      // gone from LMDB and disk: every call fails
  uint64_t changeSeq = 0;    // bumps on every change
  uint64_t processSeq = 0;   // changeSeq last written to the write-ahead log or LMDB
  uint64_t powerSeq = 0;     // changeSeq last written to LMDB
  std::vector<OldLog> oldLogs;
  std::vector<PoisonedRange> poison;
};

struct DirtyJournal::Impl {
  DirtyJournalOptions options;
  const Clock* clock = nullptr;
  std::filesystem::path dir;
  std::unique_ptr<LmdbEnv> env;
  MDB_dbi files{};
  MDB_dbi meta{};
  std::unique_ptr<StagingFiles> staging;
  std::unique_ptr<WriteAheadLog> wal;

  mutable std::shared_mutex mapMu;
  std::unordered_map<FileKey, std::shared_ptr<FileEntry>> entries;
  FileKey nextKey = 1;
  FileKey persistedNextKey = 0;  // committer only
  uint64_t lastSeq = 0;          // commit sequence; committer only
  uint64_t walFloor = 0;         // frames at or below it are in LMDB already

  std::atomic<uint64_t> stagingTotal{0};
  // What du counts besides logs and the write-ahead log: LMDB files and the journal's own
  // directories (refreshed at kPower commits), the staging directory (at every commit).
  std::atomic<uint64_t> lmdbFootprint{0};
  std::atomic<uint64_t> stagingDirBytes{0};

  // Group commit: callers join the open batch of their level; one of them commits it for all.
  struct Batch {
    Durability level = Durability::kProcess;
    std::set<FileKey> keys;
    bool all = false;
    bool done = false;
    Status status;
    std::map<FileKey, Error> fileErrors;  // files that could not be committed
  };
  std::mutex groupMu;
  std::condition_variable groupCv;
  std::shared_ptr<Batch> openBatch[2];
  bool committing = false;

  // --- DirtyJournal.cpp
  int64_t nowNs() const;
  Result<std::shared_ptr<FileEntry>> find(FileKey key) const;
  static Status usable(const FileEntry& e);
  Result<std::shared_ptr<StagingFile>> logFor(FileEntry& e, bool create);
  Status fill(FileEntry& e, const std::vector<DirtyExtent>& extents, uint64_t size,
              uint64_t baseVisible, uint64_t offset, std::span<std::byte> out, ReadPlan& plan);
  Status changeAndSync(FileKey key, Durability level,
                       const std::function<Status(DirtyFileState&)>& change);

  // --- JournalCommit.cpp
  // Joins (or leads) the open batch of `level`. Returns the batch's status; the files the
  // batch could not commit are reported in fileErrors.
  Status groupSync(std::optional<FileKey> key, Durability level,
                   std::map<FileKey, Error>* fileErrors);
  // kIo with the file's syncError while it is poisoned.
  Status stickyError(FileKey key) const;
  Status stickyErrorOfAny() const;
  // Drops poisoned ranges no extent points into any more (the data was rewritten).
  static void refreshPoison(FileEntry& e);
  Status flushLog(FileEntry& e);
  void removeLogs(FileKey key, const std::vector<OldLog>& logs);
  void refreshFootprint(bool lmdbToo);

  // --- JournalLoad.cpp
  Status load();
  Status adopt(FileKey key, const StoredRecord* durable,
               const std::vector<const WalFrame*>& frames);
  void adoptRecord(StoredRecord rec, std::optional<uint64_t> logBytes, bool fromWal,
                   const StoredRecord* replaced);
  void deleteOrphanLogs();

 private:
  struct Capture;
  Status commitBatch(Batch& batch);
  Status commitProcess(const std::vector<std::shared_ptr<FileEntry>>& targets);
  Status commitPower(Batch& batch, const std::vector<std::shared_ptr<FileEntry>>& targets);
  std::vector<std::shared_ptr<FileEntry>> targetsOf(const Batch& batch) const;
  std::optional<Capture> capture(const std::shared_ptr<FileEntry>& e, Durability level,
                                 uint64_t seq);
  Status commitToLmdb(const std::vector<Capture>& caps, bool checkpoint, uint64_t seq);
  void finishPowerCommit(std::vector<Capture>& caps);
  // Appends the present state of each file to the write-ahead log; returns the frames.
  Result<std::string> appendCurrentStates(const std::vector<std::shared_ptr<FileEntry>>& targets);
  void compactIfWorthIt(FileEntry& e);
  bool fragmented(const std::vector<DirtyExtent>& extents) const;
};

}  // namespace fastio::cache
