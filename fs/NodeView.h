#pragma once
// The remote namespace as the kernel sees it: the workspace list at the mount root, folder
// listings, the node behind each inode (with a TTL, refreshed from the folder listing or the
// node's details) and the attributes shown for it. What the write-back side knows and the
// server does not yet (LocalChanges) is laid over every listing, lookup and attribute.

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "client/RemoteStore.h"
#include "common/Clock.h"
#include "fs/FolderCache.h"
#include "fs/FsCounters.h"
#include "fs/FsOptions.h"
#include "fs/FsTypes.h"
#include "fs/Health.h"
#include "fs/InodeTable.h"
#include "fs/LocalChanges.h"
#include "fs/MetadataBackup.h"
#include "fs/SingleFlight.h"

namespace fastio::fs {

class NodeView {
 public:
  struct WorkspaceList {
    std::vector<Workspace> workspaces;
    std::vector<DisplayEntry> entries;
    std::unordered_map<std::string, size_t> byName;  // display name -> entries index
    SteadyTime fetchedAt{};
    bool stale = false;
  };
  using WorkspaceListPtr = std::shared_ptr<const WorkspaceList>;

  NodeView(RemoteStore& remote, FolderCache& folders, InodeTable& inodes, Health& health,
           FsCounters& counters, MetadataBackup* backup, const FsOptions& options,
           const Clock& clock, WallTime startedWall);

  void setLocalChanges(LocalChanges* local) { local_ = local; }

  // The workspace list (from the server, or when it is unreachable the last one / the backup).
  Result<WorkspaceListPtr> workspaces(bool allowStale);
  void dropWorkspaces();
  size_t workspaceCount() const;

  // A child by name without taking a kernel reference: a local file or a remote node.
  struct Child {
    std::string key;
    InodeInfo info;  // with its inode number
    std::optional<Node> node;
    std::optional<LocalFile> local;
    SteadyTime seenAt{};  // when the listing that showed `node` was fetched
  };
  Result<std::optional<Child>> findChild(const InodeInfo& parent, const std::string& name);

  Result<EntryReply> lookupWorkspace(const std::string& name);
  Result<EntryReply> lookupChild(const InodeInfo& parent, const std::string& name);
  Result<std::vector<DirEntry>> listRoot();
  Result<std::vector<DirEntry>> listFolder(const InodeInfo& dir);
  // The entry of a node just created or found (takes a kernel reference).
  // `seenAt`: when the listing that showed `node` was fetched ({}: now).
  EntryReply entryFor(const std::string& key, const InodeInfo& info, const Node* node,
                      SteadyTime seenAt = {});
  EntryReply acquire(const DirEntry& entry);
  // The entry of a local file (takes a kernel reference).
  EntryReply localEntry(const LocalFile& file);

  // The node behind a file or folder inode; cached for attr_timeout.
  Result<Node> nodeFor(const InodeInfo& info, bool forceFresh);
  void remember(InodeId ino, const std::string& workspaceId, const Node& node,
                SteadyTime seenAt = {});
  // The node as remembered for the inode when that is newer than `seen` (seen at `seenAt`).
  Node newest(InodeId ino, const Node& seen, SteadyTime seenAt) const;
  void forgetNode(InodeId ino);
  void markStale(InodeId ino);
  void markWorkspaceStale(const std::string& workspaceId);

  Attributes attrFor(const InodeInfo& info, const Node* node) const;
  // An mtime set by utimens on a clean file or folder: shown while the node keeps `version`.
  void overrideMtime(InodeId ino, const std::string& version, WallTime mtime);
  Result<AttrReply> getattr(const InodeInfo& info);

  static std::string folderIdOf(const InodeInfo& info);
  static InodeInfo childInfo(const InodeInfo& parent, const Node& node, const std::string& name);

 private:
  struct NodeRecord {
    std::string workspaceId;
    Node node;
    SteadyTime fetchedAt{};
    bool stale = false;
    SteadyTime staleAt{};  // when the poll reported it changed
  };
  // Whether a listing fetched at `seenAt` predates the poll's report that the node changed.
  bool outdated(InodeId ino, SteadyTime seenAt) const;
  Result<WorkspaceListPtr> fetchWorkspaces();
  // `storedSince` (if given) receives, by node id, the files stored a moment ago that the
  // listing names; they are left out of the result.
  std::vector<LocalFile> localFilesIn(
      const InodeInfo& dir, const FolderListing* listing,
      std::unordered_map<std::string, LocalFile>* storedSince = nullptr);
  void overlay(Attributes& a) const;

  RemoteStore& remote_;
  FolderCache& folders_;
  InodeTable& inodes_;
  Health& health_;
  FsCounters& counters_;
  MetadataBackup* backup_;
  const FsOptions& options_;
  const Clock& clock_;
  const WallTime startedWall_;
  LocalChanges* local_ = nullptr;

  mutable std::mutex mu_;  // leaf: workspaces_ and records_
  WorkspaceListPtr workspaces_;
  std::unordered_map<InodeId, NodeRecord> records_;
  struct MtimeOverride {
    std::string version;
    WallTime mtime{};
  };
  std::unordered_map<InodeId, MtimeOverride> mtimes_;
  SingleFlight<int, WorkspaceListPtr> workspaceFlight_;
};

}  // namespace fastio::fs
