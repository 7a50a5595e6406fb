#pragma once
// The durable write-back journal: what has been written locally and not yet uploaded.
//
// Per file it keeps the base it was written over (node id + version, or none for a new file),
// the node the upload updates (target), its size, where it is to be uploaded (workspace,
// parent, name), the dirty extents, and the upload's progress (session id, chunk size,
// acknowledged chunk orders, attempts, last error).
//
// The dirty bytes live in staging logs, one append-only file per dirty file under staging/:
// a write appends its bytes to the log and points an extent at them; nothing already written is
// ever overwritten. So a crash can never tear bytes that a previous sync acknowledged, and a
// write is either wholly in the committed extent map or not at all. (LMDB values are rewritten
// whole, so small writes into big LMDB values cost far more: docs/CACHE.md has the numbers.)
// Logs are opened on demand through a small descriptor cache, never one descriptor per file.
// A log whose dead bytes outgrow its live ones, or whose extents are many and mergeable, is
// compacted at the next sync.
//
// Durability, two levels (docs/CACHE.md "Two durability levels"): every call changes the
// in-memory state at once (reads see it immediately); sync(key, level) / syncAll(level) make
// the changes durable:
//   kProcess (close): the records are appended to a write-ahead log with plain write(), no
//     fsync. Survives kill -9 of the process (the page cache survives it), not a power cut.
//   kPower (fsync): the staging bytes are fdatasync'd, then the records are committed in one
//     fsync'd LMDB transaction. Survives a power cut.
// Concurrent syncs of one level are grouped into one commit. A checkpoint (checkpoint(),
// syncAll(kPower), or when the write-ahead log passes walCheckpointBytes) commits every file
// at kPower and empties the write-ahead log. Dirty data is never evicted: it leaves only
// through completeUpload() or discard().
//
// A failed fdatasync is sticky: the log bytes it covered are poisoned, no record pointing at
// them is committed at kPower, and sync() of the file returns kIo (DirtyFileState::syncError)
// until the application has rewritten every such byte.
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
#include <functional>
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

// What a sync promises once it returns (PRODUCT.md §3).
enum class Durability {
  kProcess,  // close(): survives kill -9 of the daemon; no fsync
  kPower,    // fsync()/fdatasync()/syncfs(): also survives a power cut
};

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

// The content (and where it goes) as it was when beginUpload() froze it.
struct UploadSnapshot {
  uint64_t generation = 0;  // DirtyFileState::generation at the freeze
  uint64_t size = 0;
  uint64_t baseVisibleSize = 0;
  std::string baseNodeId;
  std::string baseVersion;
  std::string targetNodeId;
  std::string targetVersion;
  std::string parentId;
  std::string name;
  std::vector<DirtyExtent> extents;
  // Filled in as the upload proceeds.
  std::string sessionId;  // empty until a chunked session exists
  uint64_t chunkSize = 0;
  std::vector<uint32_t> ackedChunks;  // 1-based orders the server acknowledged, sorted
  bool operator==(const UploadSnapshot&) const = default;
};

struct DirtyFileState {
  FileKey key = 0;
  std::string workspaceId;
  std::string parentId;  // "root" or a folder node id
  std::string name;
  std::string baseNodeId;   // empty for a file that does not exist remotely yet
  std::string baseVersion;  // the version the extents were written over
  // The node the upload updates (action=update, file_id) and the version it expects
  // (if_version_id). Empty targetNodeId: the upload creates a new file (parentId, name).
  std::string targetNodeId;
  std::string targetVersion;
  // Server nodes to move to trash once this file's upload is stored (a rename over them).
  std::vector<std::string> trashAfterUpload;
  // A tombstone: unlinked while open. Never uploaded; the fs layer discards it at the last
  // release, or at the next start (list() returns it so a crash cannot resurrect it).
  bool unlinked = false;
  int64_t mtimeNs = 0;  // a modification time set explicitly (utimens); 0 = none
  // Non-empty while some of the file's data could not be written to disk (a failed
  // fdatasync): sync() returns kIo with this message and the file must not be uploaded.
  // Clears once every affected byte has been rewritten.
  std::string syncError;
  uint64_t size = 0;
  uint64_t baseSize = 0;             // size of the base version (0 for a new file)
  uint64_t baseVisibleSize = 0;      // base bytes at or past this offset read as zeros
  uint64_t generation = 0;           // bumps on every content change
  std::vector<DirtyExtent> extents;  // sorted by offset, non-overlapping
  std::optional<UploadSnapshot> upload;
  uint32_t attempts = 0;
  std::string lastError;
  int64_t lastErrorAtNs = 0;  // wall clock
  int64_t modifiedAtNs = 0;   // wall clock of the last content change

  uint64_t dirtyBytes() const;
  bool operator==(const DirtyFileState&) const = default;
};

struct NewDirtyFile {
  std::string workspaceId;
  std::string parentId = "root";
  std::string name;
  std::string baseNodeId;  // empty: a new file (no base); also the initial target
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
  // A close-level sync that leaves the write-ahead log larger than this runs a checkpoint.
  uint64_t walCheckpointBytes = 8ull << 20;
};

class DirtyJournal {
 public:
  // Opens or creates the journal in dir (records in dir/records, write-ahead log in
  // dir/records.wal, logs in dir/staging), loads every record, replays the write-ahead log,
  // checkpoints if it held anything, and deletes orphaned logs. A corrupt or incomplete
  // power-level record is an error, never silently rebuilt: it holds data that exists nowhere
  // else. A write-ahead record whose staging bytes did not survive (a power cut) is dropped
  // with a warning in favour of the file's newest older record.
  static Result<std::unique_ptr<DirtyJournal>> open(const std::filesystem::path& dir,
                                                    const DirtyJournalOptions& options,
                                                    const Clock& clock);
  // Makes nothing durable: what was not synced is as lost as after kill -9.
  ~DirtyJournal();
  DirtyJournal(const DirtyJournal&) = delete;
  DirtyJournal& operator=(const DirtyJournal&) = delete;

  // --- content (durable after sync)
  Result<FileKey> begin(const NewDirtyFile& file);
  Status write(FileKey key, uint64_t offset, std::span<const std::byte> data);
  Status truncate(FileKey key, uint64_t size);
  Result<ReadPlan> read(FileKey key, uint64_t offset, std::span<std::byte> out) const;

  // Changes what the upload does, not the content: `change` may modify only parentId, name,
  // targetNodeId, targetVersion, trashAfterUpload, unlinked and mtimeNs. If it returns an
  // error, or touched any other field, the old state is restored (kInvalid for the latter).
  // Durable at the next sync, like write().
  Status amend(FileKey key, const std::function<Status(DirtyFileState&)>& change);
  // Shorthand for an amend() of parentId and name.
  Status setPlacement(FileKey key, std::string_view parentId, std::string_view name);

  // Returns once every change made to `key` (or to any file) before the call is durable at
  // `level`. kIo (the file's syncError) while the file holds data a failed fdatasync may have
  // lost; syncAll then names the first such file. Without a level: kPower.
  Status sync(FileKey key, Durability level = Durability::kPower);
  Status syncAll(Durability level = Durability::kPower);
  // Commits every file at kPower, then empties the write-ahead log and deletes the logs that
  // only it still needed. Files with a sync error stay in the write-ahead log (they do not
  // fail the checkpoint). The daemon calls it every few seconds.
  Status checkpoint();

  // --- queries
  Result<DirtyFileState> state(FileKey key) const;
  // The file whose upload updates nodeId (targetNodeId), or that was written over it
  // (baseNodeId). Unlinked files are not found.
  std::optional<FileKey> findByNode(std::string_view nodeId) const;
  // Every file, unlinked ones included, by key.
  std::vector<DirtyFileState> list() const;
  uint64_t dirtyBytes() const;  // live dirty bytes over all files
  // Bytes the staging logs occupy, dead bytes and replaced logs awaiting deletion included.
  // O(1): checked on every write.
  uint64_t stagingBytes() const;
  // What the journal occupies on disk: staging logs + write-ahead log + the records' LMDB
  // files and the journal's directories (as `du -sb` counts them). O(1); the directory and
  // LMDB sizes are refreshed at each commit.
  uint64_t footprintBytes() const;

  // --- upload lifecycle (durability on return noted per call)
  // Freezes the current content. kConflict if an upload is already in progress, kIo while the
  // file has a sync error. kProcess.
  Result<UploadSnapshot> beginUpload(FileKey key);
  // Reads the frozen content (same contract as read()).
  Result<ReadPlan> readSnapshot(FileKey key, uint64_t offset, std::span<std::byte> out) const;
  // kPower: a resumable session must map to snapshot bytes that survive a power cut.
  Status setUploadSession(FileKey key, std::string_view sessionId, uint64_t chunkSize);
  Status ackChunk(FileKey key, uint32_t order);  // kProcess
  // The attempt failed: attempts++, lastError = message. keepSession=false also forgets the
  // snapshot and session (e.g. the session expired), so the next attempt starts afresh.
  // kProcess.
  Status recordFailure(FileKey key, std::string_view message, bool keepSession);
  // The remote stored the snapshot as (nodeId, version). Returns true when the file is clean
  // now (removed from the journal), false when later writes stay dirty over the new base (base
  // and target become (nodeId, version); trashAfterUpload is left as it is). Only content
  // counts: a rename or mtime set after the freeze does not keep the file (compare state()
  // with the snapshot before completing). kProcess.
  Result<bool> completeUpload(FileKey key, std::string_view nodeId, std::string_view version);
  // The file was unlinked: forget it and its data. kProcess; its staging log is deleted at
  // the next checkpoint (or kPower commit of the file).
  Status discard(FileKey key);

 private:
  struct Impl;
  explicit DirtyJournal(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace fastio::cache
