#pragma once
// The seam between the write path and durable dirty data. LmdbDirtyStore (LmdbCacheAdapters)
// adapts cache/DirtyJournal to it; MemoryDirtyStore serves the core's unit tests. The
// contract is the journal's (cache/DirtyJournal.h): every call changes the state at once,
// sync() makes it durable at the level asked, and dirty data leaves only through
// completeUpload() or discard().

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/Result.h"

namespace fastio::fs {

using DirtyKey = uint64_t;

// kProcess: survives kill -9 of the daemon (what close() promises). kPower: also survives a
// power loss (what fsync() promises).
enum class Durability { kProcess, kPower };

struct DirtyRange {
  uint64_t offset = 0;
  uint64_t length = 0;
};

// `length` bytes were produced (fewer than asked at the end of the file); the listed ranges
// (absolute file offsets) must be filled from the base version.
struct DirtyReadPlan {
  uint64_t length = 0;
  std::vector<DirtyRange> fromBase;
};

// The content frozen for an upload, and how far the upload got.
struct DirtyUpload {
  uint64_t generation = 0;
  uint64_t size = 0;
  std::string baseNodeId;
  std::string baseVersion;
  std::string targetNodeId;
  std::string targetVersion;
  std::string parentId;
  std::string name;
  std::string sessionId;
  uint64_t chunkSize = 0;
  std::vector<uint32_t> ackedChunks;
};

// What amend() may change: where the file goes and what it replaces, never its content.
struct DirtyMeta {
  std::string parentId;
  std::string name;
  std::string targetNodeId;   // empty: the upload creates a new file by (parentId, name)
  std::string targetVersion;  // the version the update expects (if_version_id)
  std::vector<std::string> trashAfterUpload;
  bool unlinked = false;  // tombstone: never uploaded, discarded at the last release
  int64_t mtimeNs = 0;    // set by utimens; 0 = none
};

struct DirtyFile {
  DirtyKey key = 0;
  std::string workspaceId;
  DirtyMeta meta;
  std::string baseNodeId;  // unwritten bytes below baseVisibleSize read from here
  std::string baseVersion;
  uint64_t baseSize = 0;  // the base version's size
  uint64_t size = 0;
  uint64_t generation = 0;  // bumps on every content change
  uint64_t dirtyBytes = 0;
  std::optional<DirtyUpload> upload;
  uint32_t attempts = 0;
  std::string lastError;
  int64_t modifiedAtNs = 0;  // wall clock of the last content change
  std::string syncError;     // non-empty: written bytes never reached the disk (see journal)
};

struct NewDirty {
  std::string workspaceId;
  std::string parentId = "root";
  std::string name;
  std::string baseNodeId;  // empty: a new file
  std::string baseVersion;
  uint64_t baseSize = 0;
  std::string targetNodeId;  // normally the base
  std::string targetVersion;
};

class DirtyStore {
 public:
  virtual ~DirtyStore() = default;

  virtual Result<DirtyKey> begin(const NewDirty& file) = 0;
  virtual Status write(DirtyKey key, uint64_t offset, std::string_view data) = 0;
  virtual Status truncate(DirtyKey key, uint64_t size) = 0;
  virtual Status amend(DirtyKey key, const std::function<void(DirtyMeta&)>& change) = 0;
  virtual Result<DirtyReadPlan> read(DirtyKey key, uint64_t offset, std::span<char> out) = 0;
  virtual Status sync(DirtyKey key, Durability level) = 0;
  virtual Status syncAll(Durability level) = 0;
  // Folds what only the fast path holds into the durable form (the daemon calls it now and
  // then); a no-op where there is nothing to fold.
  virtual Status checkpoint() = 0;

  virtual Result<DirtyFile> state(DirtyKey key) = 0;
  virtual std::vector<DirtyFile> list() = 0;
  // What the dirty data occupies on disk (staged bytes, dead ones included, and the journal's
  // own files): what the dirty limit bounds.
  virtual uint64_t footprintBytes() const = 0;

  virtual Result<DirtyUpload> beginUpload(DirtyKey key) = 0;
  virtual Result<DirtyReadPlan> readSnapshot(DirtyKey key, uint64_t offset,
                                             std::span<char> out) = 0;
  virtual Status setUploadSession(DirtyKey key, const std::string& sessionId,
                                  uint64_t chunkSize) = 0;
  virtual Status ackChunk(DirtyKey key, uint32_t order) = 0;
  virtual Status recordFailure(DirtyKey key, const std::string& message, bool keepSession) = 0;
  // True when the file is clean now (forgotten); false when later writes stay dirty over
  // (nodeId, version), which becomes both base and target.
  virtual Result<bool> completeUpload(DirtyKey key, const std::string& nodeId,
                                      const std::string& version) = 0;
  virtual Status discard(DirtyKey key) = 0;
};

}  // namespace fastio::fs
