#pragma once
// Moves and renames a server node in the order that never lands on a name the destination
// holds: the server trashes a same-name file at the destination of a move, so a careless order
// would delete an unrelated file. Used by a rename of a server object and by an upload that
// finishes after its file was renamed (docs/SEMANTICS.md "Writes").

#include <functional>
#include <string>

#include "client/RemoteStore.h"
#include "common/Deadline.h"
#include "fs/FolderCache.h"

namespace fastio::fs {

// What the local side knows about names in server folders.
struct NamePolicy {
  // Whether a node that holds a name in a server folder may be renamed out of the way: true
  // for a node the mount no longer shows there (replaced or unlinked, waiting for the trash;
  // or renamed here, waiting for its upload to move it).
  std::function<bool(const Node& holder, const std::string& folderId)> mayFree;
  // Whether a file pending here (not on the server yet) holds the name in the folder, or one
  // stored here since the folder's listing was fetched: a move must not pass through it (the
  // upload would find the name taken; the server would trash the stored file).
  std::function<bool(const std::string& folderId, const std::string& name)> heldLocally;
};

// The name a node is parked under until it goes to the trash.
std::string parkedName(const std::string& nodeId);

// If a node other than `exceptNode` holds `name` in `folder` and the policy may free it,
// renames it to its parked name, so the name can be taken.
Status freeName(RemoteStore& remote, FolderCache& folders, const std::string& workspaceId,
                const std::string& folder, const std::string& name, const std::string& exceptNode,
                const NamePolicy& policy, Deadline deadline);

// `node` is the node as it is now (id, name). First frees the new name (freeName). Then rename
// first, then move; or move, then rename when the new name is taken in the old folder; or, when
// the old name is also taken in the new folder, through a temporary name in the old folder. A
// name held by a pending local file counts as taken.
// Returns the node as the last call left it.
Result<Node> moveAndRename(RemoteStore& remote, FolderCache& folders,
                           const std::string& workspaceId, const Node& node,
                           const std::string& fromFolder, const std::string& toFolder,
                           const std::string& newName, const NamePolicy& policy, Deadline deadline);

}  // namespace fastio::fs
