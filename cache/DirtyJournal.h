#pragma once
// The durable write-back journal: what has been written locally and not yet uploaded.
//
// Per file it keeps (in its own LMDB environment, every commit fsync'd) the base it was
// written over (node id + version, or none for a new file), its size, where it is to be
// uploaded (workspace, parent, name), the dirty extents, and the upload's progress (session
// id, chunk size, acknowledged chunk orders, attempts, last error).
//
// The dirty bytes live in staging logs, one append-only file per dirty file under staging/:
// a write appends its bytes to the log and points an extent at them; nothing already written is
// ever overwritten. So a crash can never tear bytes that a previous sync() acknowledged, and a
// write is either wholly in the committed extent map or not at all. (LMDB values are rewritten
// whole, so small writes into big LMDB values cost far more: docs/CACHE.md has the numbers.)
// Logs are opened on demand through a small descriptor cache, never one descriptor per file.
// A log whose dead bytes outgrow its live ones, or whose extents are many and mergeable, is
// compacted at the next sync.
//
// Durability: every call changes the in-memory state at once (reads see it immediately) and
// becomes durable when sync()/syncAll() returns: staging data is fdatasync'd, then the records
// are committed in one fsync'd LMDB transaction. Concurrent syncs are grouped into one commit
// (group commit). The upload-lifecycle calls (beginUpload ... completeUpload) sync before they
// return. Dirty data is never evicted: it leaves only through completeUpload() or discard().
//
// Reading: content = dirty extents over the base version; bytes at or past baseVisibleSize
// that no extent covers read as zeros (a truncate hid them). read() fills the dirty and zero
// bytes and tells the caller which ranges to fill from the base version.
//
// Uploads: beginUpload() freezes the current content as a snapshot (the extents stay valid
// because logs are append-only and not compacted while a snapshot exists); writes continue
// meanwhile. completeUpload() then either removes the file (no write since the snapshot) or
// keeps the newer writes dirty on top of the new remote version.
//
// Thread-safe; calls on different files run in parallel.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/Clock.h"
#include "common/Result.h"

namespace fastio::cache {

// Identifies a dirty file in the journal; assigned by begin(), stable across restarts.
// (A new file has no remote node id until its first upload is stored.)
using FileKey = uint64_t;

struct ByteRange {
  uint64_t offset = 0;
  uint64_t length = 0;
  bool operator==(const ByteRange&) const = default;
};

struct DirtyExtent {
  uint64_t offset = 0;  // in the file
  uint64_t length = 0;
  uint64_t logOffset = 0;  // in the staging log
  bool operator==(const DirtyExtent&) const = default;
};

// The content as it was when beginUpload() froze it.
struct UploadSnapshot {
  uint64_t generation = 0;  // DirtyFileState::generation at the freeze
  uint64_t size = 0;
  uint64_t baseVisibleSize = 0;
  std::string baseNodeId;
  std::string baseVersion;
  std::vector<DirtyExtent> extents;
  // Filled in as the upload proceeds.
  std::string sessionId;  // empty until a chunked session exists
  uint64_t chunkSize = 0;
  std::vector<uint32_t> ackedChunks;  // 1-based orders the server acknowledged, sorted
};

struct DirtyFileState {
  FileKey key = 0;
  std::string workspaceId;
  std::string parentId;  // "root" or a folder node id
  std::string name;
  std::string baseNodeId;   // empty for a file that does not exist remotely yet
  std::string baseVersion;  // the version the extents were written over
  uint64_t size = 0;
  uint64_t baseVisibleSize = 0;      // base bytes at or past this offset read as zeros
  uint64_t generation = 0;           // bumps on every content change
  std::vector<DirtyExtent> extents;  // sorted by offset, non-overlapping
  std::optional<UploadSnapshot> upload;
  uint32_t attempts = 0;
  std::string lastError;
  int64_t lastErrorAtNs = 0;  // wall clock
  int64_t modifiedAtNs = 0;   // wall clock of the last content change

  uint64_t dirtyBytes() const;
};

struct NewDirtyFile {
  std::string workspaceId;
  std::string parentId = "root";
  std::string name;
  std::string baseNodeId;  // empty: a new file (no base)
  std::string baseVersion;
  uint64_t baseSize = 0;  // size of the base version (0 for a new file)
};

// What read() produced: `length` bytes are the file's content at the offset (fewer than asked
// at end of file); the listed ranges (absolute file offsets) must be filled from the base.
struct ReadPlan {
  uint64_t length = 0;
  std::vector<ByteRange> fromBase;
};

struct DirtyJournalOptions {
  // Staging descriptors kept open at once (the process-wide limit is 20,000).
  size_t maxOpenLogs = 64;
  // LMDB map for the records (address space; records are small).
  uint64_t mapSizeBytes = 1ull << 30;
  // Compact a log at sync when its size exceeds live bytes * factor + slack.
  double compactFactor = 2.0;
  uint64_t compactSlackBytes = 8ull << 20;
  // Also compact a log whose extents exceed this count when a rewrite in file order would
  // merge most of them.
  size_t compactExtentCount = 4096;
};

class DirtyJournal {
 public:
  // Opens or creates the journal in dir (records in dir/records, logs in dir/staging),
  // loads every record and deletes orphaned logs. A corrupt journal is an error, never
  // silently rebuilt: it holds data that exists nowhere else.
  static Result<std::unique_ptr<DirtyJournal>> open(const std::filesystem::path& dir,
                                                    const DirtyJournalOptions& options,
                                                    const Clock& clock);
  ~DirtyJournal();
  DirtyJournal(const DirtyJournal&) = delete;
  DirtyJournal& operator=(const DirtyJournal&) = delete;

  // --- content (durable after sync)
  Result<FileKey> begin(const NewDirtyFile& file);
  Status write(FileKey key, uint64_t offset, std::span<const std::byte> data);
  Status truncate(FileKey key, uint64_t size);
  // The file moved or was renamed before its upload.
  Status setPlacement(FileKey key, std::string_view parentId, std::string_view name);
  Result<ReadPlan> read(FileKey key, uint64_t offset, std::span<std::byte> out) const;

  // Returns once every change made to `key` (or to any file) before the call is on disk.
  Status sync(FileKey key);
  Status syncAll();

  // --- queries
  Result<DirtyFileState> state(FileKey key) const;
  std::optional<FileKey> findByNode(std::string_view nodeId) const;
  std::vector<DirtyFileState> list() const;
  uint64_t dirtyBytes() const;    // live dirty bytes over all files
  uint64_t stagingBytes() const;  // bytes the staging logs occupy (includes dead bytes)

  // --- upload lifecycle (each is durable on return)
  // Freezes the current content. kConflict if an upload is already in progress.
  Result<UploadSnapshot> beginUpload(FileKey key);
  // Reads the frozen content (same contract as read()).
  Result<ReadPlan> readSnapshot(FileKey key, uint64_t offset, std::span<std::byte> out) const;
  Status setUploadSession(FileKey key, std::string_view sessionId, uint64_t chunkSize);
  Status ackChunk(FileKey key, uint32_t order);
  // The attempt failed: attempts++, lastError = message. keepSession=false also forgets the
  // snapshot and session (e.g. the session expired), so the next attempt starts afresh.
  Status recordFailure(FileKey key, std::string_view message, bool keepSession);
  // The remote stored the snapshot as (nodeId, version). Returns true when the file is clean
  // now (removed from the journal), false when later writes stay dirty over the new base.
  Result<bool> completeUpload(FileKey key, std::string_view nodeId, std::string_view version);
  // The file was unlinked: forget it and its data.
  Status discard(FileKey key);

 private:
  struct Impl;
  explicit DirtyJournal(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace fastio::cache
