#pragma once
// Finds the path of a node inside its workspace ("docs/q3/report.pdf"), using the display
// names the mount shows (so the path always resolves in the mount). Used for search hits and
// ask citations. Walks parent ids upward with a depth limit, so a cyclic or hostile parent
// chain from the server ends in an error instead of a loop.

#include <mutex>
#include <string>
#include <unordered_map>

#include "client/RemoteStore.h"
#include "fs/FolderCache.h"

namespace fastio::fs {

class PathResolver {
 public:
  PathResolver(RemoteStore& remote, FolderCache& folders, const Clock& clock, Duration timeout);

  // parentId known (search hits carry it).
  Result<std::string> pathOf(const std::string& workspaceId, const std::string& nodeId,
                             const std::string& parentId);
  // Only the node id known (citations): asks the server for the parent first.
  Result<std::string> pathOfNode(const std::string& workspaceId, const std::string& nodeId);

  static constexpr int kMaxDepth = 64;

 private:
  Result<std::string> parentOf(const std::string& workspaceId, const std::string& nodeId);

  RemoteStore& remote_;
  FolderCache& folders_;
  const Clock& clock_;
  Duration timeout_;
  std::mutex mu_;
  std::unordered_map<std::string, std::string> parents_;  // ws/node -> parent id
};

}  // namespace fastio::fs
