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
#include "fs/StatusRender.h"
#include "fs/VirtualTree.h"

namespace fastio::fs {

class FileSystem {
 public:
  // backup may be null (no cache directory). The remote and cache must outlive this object.
  FileSystem(RemoteStore& remote, ContentCache& cache, MetadataBackup* backup,
             const FsOptions& options, const Clock& clock = RealClock::instance());
  ~FileSystem();
  FileSystem(const FileSystem&) = delete;
  FileSystem& operator=(const FileSystem&) = delete;

  // Loads the workspace list (from the server, or from the backup when it is unreachable:
  // then the mount is offline). Fails only when neither works. Starts the change watchers.
  Status start(KernelInvalidator* invalidator);
  void stop();

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
  Result<OpenReply> open(InodeId ino, bool forWriting);
  // The bytes as slices of cached blocks, for a reply without a copy.
  Result<ReadBuffer> readBuffer(uint64_t handle, uint64_t offset, size_t size);
  Result<std::string> read(uint64_t handle, uint64_t offset, size_t size);
  void release(uint64_t handle);
  Result<std::string> readlink(InodeId ino);
  Result<std::string> getxattr(InodeId ino, const std::string& name);
  Result<std::vector<std::string>> listxattr(InodeId ino);
  FsStats statfs() const;
  Result<EntryReply> mkdir(InodeId parent, const std::string& name);
  // Every other mutation on this read-side mount: the error it gets (read-only, or a virtual
  // tree that never accepts writes).
  Error refuseWrite(InodeId ino) const;

  // Activity keys from the change watcher (also callable by tests).
  void applyActivity(const std::string& workspaceId, const std::vector<std::string>& keys);

  StatusSnapshot statusSnapshot() const;
  const FsCounters& counters() const { return counters_; }
  Health& health() { return health_; }
  InodeTable& inodes() { return inodes_; }
  size_t openHandles() const { return handles_.openFiles(); }

 private:
  Result<InodeInfo> inodeInfo(InodeId ino) const;
  Result<EntryReply> createWorkspace(const std::string& name);
  void scheduleReadAhead(const std::shared_ptr<FileHandle>& handle, uint64_t from, uint64_t to);
  // Claims up to `count` blocks from `first` and queues their fetch as one run; returns the
  // end of what it claimed (see BlockReader::claimRun).
  uint64_t submitRun(const FileVersion& file, uint64_t first, uint64_t count);
  void prefetchSiblings(const InodeInfo& info);
  void invalidateKernel(InodeId ino, bool entryToo);

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

  // Leaf lock: the version each inode was last opened at (keep_cache).
  mutable std::mutex openedMu_;
  std::unordered_map<InodeId, std::string> lastOpenedVersion_;
};

}  // namespace fastio::fs
