#pragma once
// The hook through which the write-back side tells the node view what the server does not
// know yet: files created locally (listed and found by name before their upload), the size and
// time of files with local changes, and remote nodes that must not be shown any more (the
// source of a rename over another file, trashed once the new content is stored).

#include <optional>
#include <string>
#include <vector>

#include "client/Types.h"
#include "common/Clock.h"
#include "fs/InodeTable.h"

namespace fastio::fs {

struct LocalFile {
  std::string key;  // inode identity key (InodeTable::localKey or nodeKey)
  InodeInfo info;   // kind, parent inode, name, workspace, node id (empty before the upload)
  uint64_t size = 0;
  WallTime mtime{};
  bool stored = false;  // uploaded a moment ago; a listing fetched since supersedes it
  Node storedNode;      // of a stored file: what its upload made, as of storedAt
  SteadyTime storedAt{};
};

struct LocalAttrs {
  uint64_t size = 0;
  WallTime mtime{};
};

class LocalChanges {
 public:
  virtual ~LocalChanges() = default;
  // Files placed in the folder by the local side: created and not uploaded yet, renamed here,
  // or stored a moment ago. `parent` is the folder's inode.
  virtual std::vector<LocalFile> filesIn(const InodeInfo& parent, const std::string& folderId) = 0;
  // The one of those named `name`, if any.
  virtual std::optional<LocalFile> fileNamed(const InodeInfo& parent, const std::string& folderId,
                                             const std::string& name) = 0;
  // Size and mtime of a file with local changes.
  virtual std::optional<LocalAttrs> attrsOf(InodeId ino) = 0;
  // A remote node that must not be shown.
  virtual bool hides(const std::string& workspaceId, const std::string& nodeId) = 0;
  // A remote node whose local name or folder is another than the server's (a rename the
  // server has not seen yet): shown only where the local side places it.
  virtual bool placedElsewhere(const std::string& workspaceId, const std::string& nodeId,
                               const std::string& folderId, const std::string& name) = 0;
  // A listing of the folder fetched at `fetchedAt` is now in use: local entries it makes
  // redundant (files stored before it) can go.
  virtual void listingFetched(const std::string& workspaceId, const std::string& folderId,
                              SteadyTime fetchedAt) = 0;
};

}  // namespace fastio::fs
