#pragma once
// The filesystem core: everything the FUSE adapter calls, in kernel terms (inode numbers,
// handles) but without errno or libfuse. Every call returns Result<T> with the project's error
// taxonomy; fs/fuse/ErrnoMap turns that into errno. See docs/SEMANTICS.md for what each
// operation promises and docs/THREADING.md for threads and lock order.
//
// Layout: inode 1 lists the workspaces by folder name; a workspace directory is its storage
// root; .fastio/ (mount root) and .search/ and .ask/ (workspace roots) are virtual and hidden
// from readdir.

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "client/RemoteStore.h"
#include "common/Clock.h"
#include "fs/AnswerViews.h"
#include "fs/BlockReader.h"
#include "fs/ChangeWatcher.h"
#include "fs/ContentCache.h"
#include "fs/DirtyStore.h"
#include "fs/FolderCache.h"
#include "fs/FolderReadAhead.h"
#include "fs/FsCounters.h"
#include "fs/FsOptions.h"
#include "fs/FsTypes.h"
#include "fs/HandleTable.h"
#include "fs/Health.h"
#include "fs/InodeTable.h"
#include "fs/KernelNotifier.h"
#include "fs/MetadataBackup.h"
#include "fs/NodeView.h"
#include "fs/PathResolver.h"
#include "fs/ReadAhead.h"
#include "fs/ReadBuffer.h"
#include "fs/ServerMove.h"
#include "fs/StatusRender.h"
#include "fs/Uploader.h"
#include "fs/VirtualTree.h"
#include "fs/WriteBack.h"

namespace fastio::fs {

class FileSystem final : private UploadEvents {
 public:
  // backup may be null (no cache directory); dirty may be null (a mount without write-back:
  // every change but mkdir fails with EROFS). The others must outlive this object.
  FileSystem(RemoteStore& remote, ContentCache& cache, MetadataBackup* backup,
             const FsOptions& options, const Clock& clock = RealClock::instance(),
             DirtyStore* dirty = nullptr);
  ~FileSystem();
  FileSystem(const FileSystem&) = delete;
  FileSystem& operator=(const FileSystem&) = delete;

  // Loads the workspace list (from the server, or from the backup when it is unreachable:
  // then the mount is offline). Fails only when neither works. Starts the change watchers
  // and the uploader (which resumes what the journal holds).
  Status start(KernelInvalidator* invalidator);
  // Stops watchers, read-ahead and uploads (in-flight uploads stay in the journal).
  void stop();
  // Stops the uploads alone (the daemon's exit, which does not wait for the watchers).
  void stopUploads();

  Result<EntryReply> lookup(InodeId parent, const std::string& name);
  void forget(InodeId ino, uint64_t count);
  Result<AttrReply> getattr(InodeId ino);
  // A directory's entries now (without "." and "..").
  Result<std::shared_ptr<const DirSnapshot>> readDirectory(InodeId ino);
  // Opens a directory: returns the handle whose snapshot readdir pages through.
  Result<uint64_t> opendir(InodeId ino);
  // The snapshot an open directory handle pages through.
  std::shared_ptr<const DirSnapshot> directory(uint64_t handle) const;
  void releasedir(uint64_t handle);
  // Takes the kernel reference that a readdirplus entry carries.
  EntryReply acquire(const DirEntry& entry);
  Result<OpenReply> open(InodeId ino, const OpenFlags& flags);
  Result<OpenReply> open(InodeId ino, bool forWriting) {
    return open(ino, OpenFlags{forWriting, false, false, false});
  }
  // The bytes as slices of cached blocks, for a reply without a copy.
  Result<ReadBuffer> readBuffer(uint64_t handle, uint64_t offset, size_t size);
  Result<std::string> read(uint64_t handle, uint64_t offset, size_t size);
  void release(uint64_t handle);
  Result<std::string> readlink(InodeId ino);
  Result<std::string> getxattr(InodeId ino, const std::string& name);
  Result<std::vector<std::string>> listxattr(InodeId ino);
  FsStats statfs() const;
  Result<EntryReply> mkdir(InodeId parent, const std::string& name);
  // The error a mutation gets where none is allowed (read-only mount, virtual tree).
  Error refuseWrite(InodeId ino) const;
  // setxattr/removexattr: the attributes are the service's, read-only.
  Error refuseXattrChange(InodeId ino) const;

  // ---- writes (fs/FileSystemWrites.cpp; docs/SEMANTICS.md "Writes")
  Result<CreateReply> create(InodeId parent, const std::string& name, const OpenFlags& flags);
  Result<EntryReply> mknod(InodeId parent, const std::string& name);
  // Returns the bytes written (all of them, or an error).
  Result<size_t> write(uint64_t handle, uint64_t offset, std::string_view data);
  // close(): the file's changes are in the journal (they survive kill -9) when it returns.
  Status flush(uint64_t handle);
  // fsync/fdatasync: they also survive a power loss; with sync_upload, `done` runs once the
  // server has stored them. `done` may run on another thread.
  void fsync(uint64_t handle, InodeId ino, std::function<void(Status)> done);
  Result<AttrReply> setattr(InodeId ino, const SetAttrRequest& request);
  Status unlink(InodeId parent, const std::string& name);
  Status rmdir(InodeId parent, const std::string& name);
  Status rename(InodeId parent, const std::string& name, InodeId newParent,
                const std::string& newName, unsigned flags);
  Status fallocate(uint64_t handle, InodeId ino, int mode, uint64_t offset, uint64_t length);

  // ---- the upload queue
  // Everything pending is uploaded now, without waiting for upload_delay (drain, SIGUSR1).
  void uploadNow();
  // Waits until nothing is pending (files parked by a permanent error do not count).
  bool waitForUploads(SteadyTime until);
  UploadQueueStats uploadStats() const;

  // Activity keys from the change watcher (also callable by tests).
  void applyActivity(const std::string& workspaceId, const std::vector<std::string>& keys);

  StatusSnapshot statusSnapshot() const;
  const FsCounters& counters() const { return counters_; }
  // The adapter reports each operation it answered with an error (stats.json "failures").
  void countFailure(const std::string& operation, const std::string& error) {
    counters_.countFailure(operation, error);
  }
  Duration negativeTtl() const { return options_.negativeTtl; }
  Health& health() { return health_; }
  InodeTable& inodes() { return inodes_; }
  size_t openHandles() const { return handles_.openFiles(); }

 private:
  Result<InodeInfo> inodeInfo(InodeId ino) const;
  // Writes: the parent must be a real folder of a writable mount.
  Result<InodeInfo> writableFolder(InodeId ino) const;
  Status checkName(const std::string& name) const;
  Result<DirtyRecordPtr> dirtyFor(const InodeInfo& info, FileHandle* handle);
  // Runs `change` on the file's dirty record, making one if needed. A record uploaded and
  // forgotten between the lookup and the change is replaced by a fresh one, once.
  Status changeDirty(const InodeInfo& info, FileHandle* handle,
                     const std::function<Status(DirtyRecord&)>& change);
  Status truncateTo(const InodeInfo& info, FileHandle* handle, uint64_t size);
  // The file's record; for a clean server file that is open, a new one (to become the
  // tombstone its descriptors use once its name is gone).
  DirtyRecordPtr openTombstoneCandidate(const InodeInfo& info);
  Status dropLocal(const DirtyRecordPtr& rec, InodeId ino);
  // One try of rename(); `raced` names a record whose upload completed while it was renamed
  // (the rename is then retried on the clean file).
  Status renameOnce(InodeId parent, const std::string& name, InodeId newParent,
                    const std::string& newName, unsigned flags, DirtyKey& raced);
  Status renameServerObject(const InodeInfo& parent, const NodeView::Child& src,
                            const InodeInfo& newParent, const std::string& newName);
  Status checkAttrPolicy(const InodeInfo& info, const SetAttrRequest& request);
  std::string syncStateOf(const InodeInfo& info);
  // UploadEvents
  void stored(DirtyKey key, const Node& node, bool clean) override;
  void becameConflictCopy(DirtyKey key, const std::string& previousNode,
                          const std::string& previousName) override;
  Result<EntryReply> createWorkspace(const std::string& name);
  void scheduleReadAhead(const FileVersion& file, uint64_t from, uint64_t to);
  // Claims up to `count` blocks from `first` and queues their fetch as one run; returns the
  // end of what it claimed (see BlockReader::claimRun).
  uint64_t submitRun(const FileVersion& file, uint64_t first, uint64_t count);
  void prefetchSiblings(const InodeInfo& info);
  void invalidateKernel(InodeId ino, bool entryToo);
  // An activity key for a node this mount just uploaded, still at the version uploaded.
  bool isEchoOfOwnUpload(const std::string& workspaceId, const InodeInfo& info);

  RemoteStore& remote_;
  ContentCache& cache_;
  FsOptions options_;
  const Clock& clock_;
  const SteadyTime startedAt_;
  const WallTime startedWall_;

  FsCounters counters_;
  Health health_;
  InodeTable inodes_;
  HandleTable handles_;
  FolderCache folders_;
  NodeView nodes_;
  PathResolver paths_;
  SearchView search_;
  AskView ask_;
  VirtualTree virtual_;
  BlockReader blocks_;
  PrefetchPool prefetch_;
  FolderScanTracker folderScans_;
  std::unique_ptr<KernelNotifier> notifier_;
  std::unique_ptr<ChangeWatcher> watcher_;
  DirtyStore* dirty_;
  std::unique_ptr<WriteBack> writeBack_;  // null without a DirtyStore
  std::unique_ptr<Uploader> uploader_;

  // Leaf lock: the version each inode was last opened at (keep_cache), and the version this
  // mount last uploaded for it (told apart from remote changes in the activity feed).
  mutable std::mutex openedMu_;
  std::unordered_map<InodeId, std::string> lastOpenedVersion_;
  std::unordered_map<InodeId, std::string> ownUploads_;
};

}  // namespace fastio::fs
