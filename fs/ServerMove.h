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

// Whether a node that holds a name on the server may be renamed out of the way: true for a
// node the mount no longer shows (the source of a rename over another file, trashed once that
// file's new content is stored).
using MayFreeName = std::function<bool(const Node& holder)>;

// The name a node is parked under until it goes to the trash.
std::string parkedName(const std::string& nodeId);

// If a node other than `exceptNode` holds `name` in `folder` and mayFree says so, renames it to
// its parked name, so the name can be taken.
Status freeName(RemoteStore& remote, FolderCache& folders, const std::string& workspaceId,
                const std::string& folder, const std::string& name, const std::string& exceptNode,
                const MayFreeName& mayFree, Deadline deadline);

// `node` is the node as it is now (id, name). First frees the new name (freeName). Then rename
// first, then move; or move, then rename when the new name is taken in the old folder; or, when
// the old name is also taken in the new folder, through a temporary name in the old folder.
// Returns the node as the last call left it.
Result<Node> moveAndRename(RemoteStore& remote, FolderCache& folders,
                           const std::string& workspaceId, const Node& node,
                           const std::string& fromFolder, const std::string& toFolder,
                           const std::string& newName, const MayFreeName& mayFree,
                           Deadline deadline);

}  // namespace fastio::fs
