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
#include "fs/Health.h"
#include "fs/InodeTable.h"
#include "fs/KernelNotifier.h"
#include "fs/MetadataBackup.h"
#include "fs/PathResolver.h"
#include "fs/ReadAhead.h"
#include "fs/ReadBuffer.h"
#include "fs/StatusRender.h"

namespace fastio::fs {

struct Attributes {
  InodeId ino = 0;
  uint32_t mode = 0;  // type bits (S_IF*) and permissions
  uint32_t nlink = 1;
  uint64_t size = 0;
  uint32_t uid = 0;
  uint32_t gid = 0;
  WallTime mtime{};
  WallTime ctime{};
  uint32_t blockSize = 4096;
};

struct EntryReply {
  Attributes attr;
  Duration entryTtl{};
  Duration attrTtl{};
};

struct AttrReply {
  Attributes attr;
  Duration ttl{};
};

// One directory entry; `key`/`info` let readdirplus take a kernel reference with acquire().
struct DirEntry {
  std::string name;
  Attributes attr;
  std::string key;
  InodeInfo info;
  std::optional<Node> node;  // remote entries
};

struct DirSnapshot {
  InodeId ino = 0;
  InodeId parent = 0;
  std::vector<DirEntry> entries;  // without "." and ".."
};

struct OpenReply {
  uint64_t handle = 0;
  bool keepCache = false;  // the version did not change since the last open: keep page cache
  bool directIo = false;   // generated content whose size is not known in advance
};

struct FsStats {
  uint64_t blockSize = 0;
  uint64_t blocks = 0;
  uint64_t blocksFree = 0;
  uint64_t files = 0;
  uint64_t filesFree = 0;
  uint32_t nameMax = 255;
};

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
  Result<std::shared_ptr<const DirSnapshot>> opendir(InodeId ino);
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
  size_t openHandles() const;

 private:
  struct NodeRecord {
    std::string workspaceId;
    Node node;
    SteadyTime fetchedAt{};
    bool stale = false;
  };
  struct WorkspaceList {
    std::vector<Workspace> workspaces;
    std::vector<DisplayEntry> entries;
    std::unordered_map<std::string, size_t> byName;  // display name -> entries index
    SteadyTime fetchedAt{};
    bool stale = false;
  };
  struct Handle {
    InodeId ino = 0;
    bool isVirtual = false;
    std::string content;  // generated content of a virtual file
    FileVersion file;
    std::mutex mu;  // guards window
    ReadAheadWindow window{0, 0};
  };

  // ---- helpers (no FileSystem lock held while calling the remote) ----
  Result<InodeInfo> inodeInfo(InodeId ino) const;
  Result<std::shared_ptr<const WorkspaceList>> workspaces(bool allowStale);
  Result<std::shared_ptr<const WorkspaceList>> fetchWorkspaces();
  Result<Node> nodeFor(const InodeInfo& info, bool forceFresh);
  Attributes attrFor(const InodeInfo& info, const Node* node) const;
  Attributes virtualAttr(const InodeInfo& info, uint64_t size) const;
  EntryReply entryFor(const std::string& key, const InodeInfo& info, const Node* node,
                      uint64_t virtualSize = 0);
  void remember(InodeId ino, const std::string& workspaceId, const Node& node);
  InodeInfo childInfo(const InodeInfo& parent, const Node& node, const std::string& name) const;

  Result<EntryReply> lookupInRoot(const std::string& name);
  Result<EntryReply> lookupInFolder(const InodeInfo& parent, const std::string& name);
  Result<EntryReply> lookupVirtual(const InodeInfo& parent, const std::string& name);
  Result<DirSnapshot> listVirtual(const InodeInfo& info);
  Result<std::string> virtualContent(const InodeInfo& info);
  uint64_t virtualSize(const InodeInfo& info);
  std::string controlFileContent(const std::string& name) const;
  void scheduleReadAhead(const std::shared_ptr<Handle>& handle, uint64_t from, uint64_t to);
  // Claims up to `count` blocks from `first` and queues their fetch as one run; returns the
  // end of what it claimed (see BlockReader::claimRun).
  uint64_t submitRun(const FileVersion& file, uint64_t first, uint64_t count);
  void prefetchSiblings(const InodeInfo& info);
  void invalidateKernel(InodeId ino, bool entryToo);

  RemoteStore& remote_;
  ContentCache& cache_;
  MetadataBackup* backup_;
  FsOptions options_;
  const Clock& clock_;
  const SteadyTime startedAt_;
  const WallTime startedWall_;

  FsCounters counters_;
  Health health_;
  InodeTable inodes_;
  FolderCache folders_;
  PathResolver paths_;
  SearchView search_;
  AskView ask_;
  BlockReader blocks_;
  PrefetchPool prefetch_;
  FolderScanTracker folderScans_;
  std::unique_ptr<KernelNotifier> notifier_;
  std::unique_ptr<ChangeWatcher> watcher_;

  // Lock order: mu_ before nothing else; never held across a remote call (docs/THREADING.md).
  mutable std::mutex mu_;
  std::shared_ptr<const WorkspaceList> workspaces_;
  std::unordered_map<InodeId, NodeRecord> records_;
  std::unordered_map<InodeId, std::string> lastOpenedVersion_;
  std::unordered_map<uint64_t, std::shared_ptr<Handle>> handles_;
  uint64_t nextHandle_ = 1;
  SingleFlight<int, std::shared_ptr<const WorkspaceList>> workspaceFlight_;
};

}  // namespace fastio::fs
