#pragma once
// The write side of the core: every file with local changes has a dirty record here, mirrored
// from the durable DirtyStore (the journal), which it updates on each write, truncate, rename
// and unlink. Reads of a dirty file merge its written bytes with the base version's blocks.
// It is also the LocalChanges hook of the node view (new files, sizes, hidden nodes), keeps
// the dirty budget, and tells the uploader when a file changed (docs/SEMANTICS.md "Writes").
//
// Identity: a record is found from an inode by InodeInfo::dirtyKey (a file created locally) or
// by its target node id (an existing file). It pins its inode while dirty.

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/Clock.h"
#include "fs/BlockReader.h"
#include "fs/DirtyStore.h"
#include "fs/FsCounters.h"
#include "fs/Health.h"
#include "fs/InodeTable.h"
#include "fs/LocalChanges.h"
#include "fs/ReadBuffer.h"
#include "fs/ServerMove.h"

namespace fastio::fs {

struct WriteBackOptions {
  Duration uploadDelay = std::chrono::seconds(2);
  uint64_t dirtyLimitBytes = 2ull << 30;
  Duration dirtyWait = std::chrono::seconds(30);
};

// The in-memory mirror of one dirty file. Index fields change under WriteBack's lock; content
// fields under `mu`, which also serializes content changes of the file.
struct DirtyRecord {
  DirtyKey key = 0;
  std::string workspaceId;
  // Index fields (WriteBack::mu_).
  std::string parentId;
  std::string name;
  std::string targetNodeId;
  std::string targetVersion;
  std::vector<std::string> trash;
  bool unlinked = false;
  InodeId pinned = 0;  // the inode this record pins (0: none known yet)
  // Content fields (mu).
  std::mutex mu;
  uint64_t size = 0;
  WallTime modified{};
  int64_t mtimeNs = 0;
  std::string baseNodeId;
  std::string baseVersion;
  uint64_t baseSize = 0;
  uint64_t generation = 0;  // local count of content changes (the uploader compares)
  bool gone = false;        // uploaded clean and leaving: changes must go to a new record
  // Namespace changes (place, retarget, unlink) and an upload's completion run one at a time,
  // so a rename never lands on a record its upload is letting go.
  std::mutex placementMu;
  uint64_t placementSeq = 0;  // bumps on every namespace change (placementMu)
};
using DirtyRecordPtr = std::shared_ptr<DirtyRecord>;

class WriteBack final : public LocalChanges {
 public:
  using ChangeListener = std::function<void(DirtyKey key, SteadyTime readyAt)>;

  WriteBack(DirtyStore& store, BlockReader& blocks, InodeTable& inodes, Health& health,
            FsCounters& counters, WriteBackOptions options, const Clock& clock);

  // At mount: indexes what the journal holds, discards tombstones (a file unlinked while open
  // never comes back) and reports every pending file to the listener.
  Status recover();
  void setChangeListener(ChangeListener listener) { listener_ = std::move(listener); }

  // --- records
  Result<DirtyRecordPtr> createFile(const InodeInfo& parent, const std::string& folderId,
                                    const std::string& name);
  // The record of an inode, if it has local changes.
  DirtyRecordPtr find(const InodeInfo& info) const;
  DirtyRecordPtr findByKey(DirtyKey key) const;
  DirtyRecordPtr findByNode(const std::string& workspaceId, const std::string& nodeId) const;
  // The record of an existing file, created over `base` at the first change.
  Result<DirtyRecordPtr> ensureDirty(const InodeInfo& info, const FileVersion& base,
                                     const std::string& parentId);
  // The dirty files placed in a folder (new ones, and files whose local name is there).
  // Whether a record is placed at (folderId, name).
  bool placedAt(const std::string& workspaceId, const std::string& folderId,
                const std::string& name) const;
  // Whether this mount stored a file at (folderId, name) that the folder's listing may lack.
  bool storedAt(const std::string& workspaceId, const std::string& folderId,
                const std::string& name) const;
  // Server names as this side sees them (ServerMove): replaced or unlinked nodes may be
  // parked; names of pending files are taken.
  NamePolicy namePolicy(const std::string& workspaceId);
  std::vector<DirtyRecordPtr> placedIn(const std::string& workspaceId,
                                       const std::string& folderId) const;

  // --- content
  // Writes at offset (at the end for append); returns the offset written at.
  Result<uint64_t> write(DirtyRecord& rec, uint64_t offset, std::string_view data, bool append);
  Status truncate(DirtyRecord& rec, uint64_t size);
  Result<ReadBuffer> read(DirtyRecord& rec, uint64_t offset, size_t size);
  Status commit(DirtyRecord& rec, Durability level);
  Status setMtime(DirtyRecord& rec, WallTime mtime);
  uint64_t sizeOf(DirtyRecord& rec);

  // --- namespace on local state (durable at kProcess when they return)
  Status place(DirtyRecord& rec, const std::string& parentId, const std::string& name);
  // Makes rec the new content of an existing node (rename over it; nodeId "" for a new file)
  // at parentId/name, in one journal commit (a crash never leaves it targeting the node under
  // another name); `trash` joins the nodes trashed once the upload is stored.
  Status retarget(DirtyRecord& rec, const std::string& nodeId, const std::string& version,
                  const std::vector<std::string>& trash, const std::string& parentId,
                  const std::string& name);
  // Unlinked: discarded now, or (still open) kept as a tombstone until the last release;
  // `trash` (server nodes) goes to the trash after that release, not before, so the open
  // descriptors can still read them.
  Status unlink(DirtyRecord& rec, bool stillOpen, const std::vector<std::string>& trash = {});
  // A tombstone some descriptor still holds open (its trash must wait).
  bool tombstoneHeld(DirtyKey key) const;
  // The last handle of ino closed.
  void lastClose(const InodeInfo& info);
  // Where the record's namespace changes stand; complete() compares it.
  uint64_t placementSeq(DirtyKey key) const;
  enum class Completion {
    kClean,  // nothing newer: the record is `gone` (a change arriving meanwhile waits for
             // forget() and starts a new one)
    kDirty,  // later writes stay dirty over the stored node
    kMoved,  // renamed, retargeted or unlinked since `placementSeq`: nothing was completed
  };
  // The upload of `key`'s snapshot is stored as (nodeId, version): completes it in the store
  // while no change of the file can run, if its placement is still the one at `placementSeq`.
  Result<Completion> complete(DirtyKey key, const std::string& nodeId, const std::string& version,
                              uint64_t placementSeq);
  // Back to clean (uploaded and unchanged since): forgets the record.
  void forget(DirtyKey key);
  // Waits (up to `timeout`) until the record is forgotten; true if it is.
  bool waitForgotten(DirtyKey key, Duration timeout);
  // Uploaded, with later changes still dirty over `node`.
  void rebased(DirtyKey key, const Node& node, uint64_t snapshotSize);
  // The record's inode, once known.
  void bindInode(DirtyRecord& rec, InodeId ino);
  // A copy of the record's index fields.
  struct Placement {
    std::string parentId;
    std::string name;
    std::string targetNodeId;
    std::vector<std::string> trash;
    InodeId pinned = 0;
  };
  Placement placementOf(const DirtyRecord& rec) const;

  // --- budget
  // Waits (up to dirty_wait, not at all offline) until `bytes` more fit in the dirty budget.
  Status reserve(uint64_t bytes);
  // Uploads freed space: wake writers waiting in reserve().
  void spaceFreed();

  // --- LocalChanges
  std::vector<LocalFile> filesIn(const InodeInfo& parent, const std::string& folderId) override;
  std::optional<LocalFile> fileNamed(const InodeInfo& parent, const std::string& folderId,
                                     const std::string& name) override;
  std::optional<LocalAttrs> attrsOf(InodeId ino) override;
  bool hides(const std::string& workspaceId, const std::string& nodeId) override;
  bool placedElsewhere(const std::string& workspaceId, const std::string& nodeId,
                       const std::string& folderId, const std::string& name) override;

  // Files recently stored are listed from here until a listing fetched after the store shows
  // them (the server may list a new node a moment late).
  // A new file's upload to (parentId, name) is in flight: until it ends, a node the server
  // shows there that this side does not know yet is that upload (stored, not settled) and is
  // shown only where the file is placed now.
  void uploadStarting(DirtyKey key, const std::string& workspaceId, const std::string& parentId,
                      const std::string& name);
  void uploadEnded(DirtyKey key);
  void noteStored(const std::string& workspaceId, const std::string& parentId,
                  const std::string& name, const Node& node);
  void listingFetched(const std::string& workspaceId, const std::string& folderId,
                      SteadyTime fetchedAt) override;
  // The node was deleted or moved away: a recently stored entry of it must not show.
  void noteRemoved(const std::string& workspaceId, const std::string& nodeId);
  // A version this mount's own upload made (kept for the last kOwnVersionsKept uploads): a
  // file written over the node before that upload finished is not in conflict with it.
  void noteOwnVersion(const std::string& workspaceId, const std::string& nodeId,
                      const std::string& version);
  bool isOwnVersion(const std::string& workspaceId, const std::string& nodeId,
                    const std::string& version) const;
  static constexpr size_t kOwnVersionsKept = 4096;
  // This mount moved the node to the trash: a listing fetched before that does not show it
  // (hidden for kTrashedHiddenFor; a restore from the trash shows again after that).
  void noteTrashed(const std::string& workspaceId, const std::string& nodeId);
  static constexpr Duration kTrashedHiddenFor = std::chrono::seconds(30);

  size_t pendingFiles() const;
  // The sizes of the files waiting for upload, added up.
  uint64_t pendingBytes() const;
  // What the journal occupies on disk (what the dirty limit bounds).
  uint64_t journalBytes() const;

 private:
  // Under placementMu: kStale once the record is gone (its file is clean), else bumps the seq.
  Status beginPlacementChange(DirtyRecord& rec);
  struct Stored {
    Node node;
    SteadyTime at{};
  };
  static std::string nodeIndexKey(const std::string& workspaceId, const std::string& nodeId);
  static std::string folderIndexKey(const std::string& workspaceId, const std::string& folderId);
  DirtyRecordPtr indexLocked(DirtyRecordPtr rec);
  void releaseUploadTargetLocked(DirtyKey key);
  void unindexLocked(const DirtyRecord& rec);
  void unplaceLocked(const DirtyRecord& rec);
  void changed(const DirtyRecord& rec);
  WallTime mtimeOf(const DirtyRecord& rec) const;
  LocalFile placedEntry(const InodeInfo& parent, const DirtyRecordPtr& rec, std::string name,
                        const std::string& target);
  static LocalFile storedEntry(const InodeInfo& parent, const std::string& name,
                               const Stored& stored);
  Status fillFromBase(const DirtyRecord& rec, const DirtyReadPlan& plan, uint64_t offset,
                      std::string& out);

  DirtyStore& store_;
  BlockReader& blocks_;
  InodeTable& inodes_;
  Health& health_;
  FsCounters& counters_;
  WriteBackOptions options_;
  const Clock& clock_;
  ChangeListener listener_;

  mutable std::mutex mu_;  // the maps below and the records' index fields
  std::unordered_map<DirtyKey, DirtyRecordPtr> byKey_;
  std::unordered_map<std::string, DirtyKey> byNode_;  // target node -> record
  // folder -> name -> record: where each dirty file is, by its local name.
  std::unordered_map<std::string, std::unordered_map<std::string, DirtyKey>> placedByFolder_;
  std::unordered_map<std::string, uint32_t> hidden_;     // node -> records trashing it
  std::unordered_map<std::string, SteadyTime> trashed_;  // node -> when this mount trashed it
  std::unordered_set<std::string> ownVersions_;          // node + version made by our uploads
  std::deque<std::string> ownVersionOrder_;
  std::unordered_map<DirtyKey, std::string> uploadingAt_;    // new-file uploads in flight
  std::unordered_map<std::string, uint32_t> uploadTargets_;  // (ws, folder, name) -> count
  std::unordered_map<InodeId, DirtyKey> unlinkedByIno_;      // tombstones kept for open handles

  // folder -> name -> stored node, and node -> folder to remove one by id.
  std::unordered_map<std::string, std::unordered_map<std::string, Stored>> storedByFolder_;
  std::unordered_map<std::string, std::string> storedFolderOf_;

  std::mutex budgetMu_;
  std::condition_variable budgetCv_;
  std::condition_variable forgottenCv_;  // with mu_
};

}  // namespace fastio::fs
