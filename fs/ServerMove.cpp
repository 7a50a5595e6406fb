#include "fs/ServerMove.h"

namespace fastio::fs {
namespace {

// Whether the folder holds a node of that server name (by a listing, fetched if not fresh).
bool nameTaken(FolderCache& folders, const std::string& workspaceId, const std::string& folder,
               const std::string& name, const std::string& exceptNode) {
  auto listing = folders.get(workspaceId, folder);
  if (!listing.ok()) return true;  // unknown: assume taken, the safe side
  for (const Node& n : (*listing)->nodes) {
    if (n.name == name && n.id != exceptNode) return true;
  }
  return false;
}

}  // namespace

std::string parkedName(const std::string& nodeId) {
  return ".fastiofs-replaced-" + nodeId;
}

Status freeName(RemoteStore& remote, FolderCache& folders, const std::string& workspaceId,
                const std::string& folder, const std::string& name, const std::string& exceptNode,
                const NamePolicy& policy, Deadline deadline) {
  auto listing = folders.get(workspaceId, folder);
  if (!listing.ok()) return okStatus();  // unknown: the call that needs the name will tell
  std::vector<Node> holders;
  for (const Node& n : (*listing)->nodes) {
    if (n.name == name && n.id != exceptNode && policy.mayFree && policy.mayFree(n, folder))
      holders.push_back(n);
  }
  for (const Node& n : holders) {
    auto parked = remote.rename(workspaceId, n.id, parkedName(n.id), "", deadline);
    if (!parked.ok() && parked.error().code != ErrorCode::kNotFound) return parked.error();
  }
  if (!holders.empty()) folders.invalidate(workspaceId, folder);
  return okStatus();
}

Result<Node> moveAndRename(RemoteStore& remote, FolderCache& folders,
                           const std::string& workspaceId, const Node& node,
                           const std::string& fromFolder, const std::string& toFolder,
                           const std::string& newName, const NamePolicy& policy,
                           Deadline deadline) {
  Node current = node;
  FASTIO_TRY(
      freeName(remote, folders, workspaceId, toFolder, newName, current.id, policy, deadline));
  auto taken = [&](const std::string& folder, const std::string& name) {
    return nameTaken(folders, workspaceId, folder, name, current.id) ||
           (policy.heldLocally && policy.heldLocally(folder, name));
  };
  auto renameTo = [&](const std::string& name) -> Status {
    auto renamed = remote.rename(workspaceId, current.id, name, "", deadline);
    if (!renamed.ok()) return renamed.error();
    current = *renamed;
    folders.invalidate(workspaceId, fromFolder);
    folders.invalidate(workspaceId, toFolder);
    return okStatus();
  };
  auto moveTo = [&]() -> Status {
    auto moved = remote.move(workspaceId, current.id, toFolder, deadline);
    if (!moved.ok()) return moved.error();
    current = *moved;
    folders.invalidate(workspaceId, fromFolder);
    folders.invalidate(workspaceId, toFolder);
    return okStatus();
  };
  const bool moving = fromFolder != toFolder;
  const bool renaming = current.name != newName;
  if (!moving) {
    if (renaming) FASTIO_TRY(renameTo(newName));
    return current;
  }
  if (!renaming) {
    FASTIO_TRY(moveTo());
    return current;
  }
  if (!taken(fromFolder, newName)) {
    FASTIO_TRY(renameTo(newName));
    FASTIO_TRY(moveTo());
  } else if (!taken(toFolder, current.name)) {
    FASTIO_TRY(moveTo());
    FASTIO_TRY(renameTo(newName));
  } else {
    // Both orders pass through a taken name: a temporary one, unique to the node.
    FASTIO_TRY(renameTo(".fastiofs-move-" + current.id));
    FASTIO_TRY(moveTo());
    FASTIO_TRY(renameTo(newName));
  }
  return current;
}

}  // namespace fastio::fs
