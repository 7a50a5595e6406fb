#pragma once
// Moves and renames a server node in the order that never lands on a name the destination
// holds: the server trashes a same-name file at the destination of a move, so a careless order
// would delete an unrelated file. Used by a rename of a server object and by an upload that
// finishes after its file was renamed (docs/SEMANTICS.md "Writes").

#include <string>

#include "client/RemoteStore.h"
#include "common/Deadline.h"
#include "fs/FolderCache.h"

namespace fastio::fs {

// `node` is the node as it is now (id, name). Rename first, then move; or move, then rename
// when the new name is taken in the old folder; or, when the old name is also taken in the new
// folder, through a temporary name in the old folder. Returns the node as the last call left it.
Result<Node> moveAndRename(RemoteStore& remote, FolderCache& folders,
                           const std::string& workspaceId, const Node& node,
                           const std::string& fromFolder, const std::string& toFolder,
                           const std::string& newName, Deadline deadline);

}  // namespace fastio::fs
