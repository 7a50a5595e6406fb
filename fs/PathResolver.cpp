#include "fs/PathResolver.h"

namespace fastio::fs {

PathResolver::PathResolver(RemoteStore& remote, FolderCache& folders, const Clock& clock,
                           Duration timeout)
    : remote_(remote), folders_(folders), clock_(clock), timeout_(timeout) {}

Result<std::string> PathResolver::parentOf(const std::string& workspaceId,
                                           const std::string& nodeId) {
  const std::string key = workspaceId + "/" + nodeId;
  {
    std::lock_guard lock(mu_);
    if (auto it = parents_.find(key); it != parents_.end()) return it->second;
  }
  auto details = remote_.nodeDetails(workspaceId, {nodeId}, Deadline::after(timeout_, clock_));
  if (!details.ok()) return details.error();
  for (const Node& n : details->nodes) {
    if (n.id == nodeId) {
      std::lock_guard lock(mu_);
      parents_[key] = n.parentId;
      return n.parentId;
    }
  }
  return makeError(ErrorCode::kNotFound, "node " + nodeId + " not found");
}

Result<std::string> PathResolver::pathOf(const std::string& workspaceId, const std::string& nodeId,
                                         const std::string& parentId) {
  std::string path;
  std::string child = nodeId;
  std::string parent = parentId;
  for (int depth = 0; depth < kMaxDepth; ++depth) {
    auto listing = folders_.get(workspaceId, parent);
    if (!listing.ok()) return listing.error();
    const std::string* name = (*listing)->nameOf(child);
    if (name == nullptr) {
      return makeError(ErrorCode::kNotFound, "node " + child + " is not shown in its folder");
    }
    path = path.empty() ? *name : *name + "/" + path;
    if (parent == "root") return path;
    auto up = parentOf(workspaceId, parent);
    if (!up.ok()) return up.error();
    child = parent;
    parent = *up;
  }
  return makeError(ErrorCode::kProtocol, "folder chain of node " + nodeId + " is too deep");
}

Result<std::string> PathResolver::pathOfNode(const std::string& workspaceId,
                                             const std::string& nodeId) {
  auto parent = parentOf(workspaceId, nodeId);
  if (!parent.ok()) return parent.error();
  return pathOf(workspaceId, nodeId, *parent);
}

}  // namespace fastio::fs
