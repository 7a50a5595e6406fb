#pragma once
// What the server holds for one workspace, read through the API (not through a mount): the
// live tree, folder by folder with every page, and the trash. The model and crash tests
// compare it with what they expect: every name once per folder, no file the workload did not
// make, contents by the server's md5, and a trash holding only what the workload removed.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tests/integration/ModelTestTree.h"
#include "tests/support/EmulatorProcess.h"

namespace fastio::integration::model {

struct ServerNode {
  std::string id;
  std::string name;
  std::string parent;
  bool folder = false;
  uint64_t size = 0;
  std::string hash;  // md5 hex of a file's current version
  std::string version;
};

struct ServerTree {
  std::map<std::string, ServerNode> nodes;  // by path below the storage root
  std::vector<std::string> problems;        // a name twice in one folder, unreadable pages
};

class ApiView {
 public:
  // Finds the workspace by folder_name; throws std::runtime_error when it does not exist.
  ApiView(const testing::EmulatorProcess& emulator, const std::string& workspaceName);

  const std::string& workspaceId() const { return workspaceId_; }
  ServerTree liveTree() const;
  // The trash's entries (a trashed folder is one entry with its subtree).
  std::vector<ServerNode> trash() const;
  // One node's details (also a trashed one); throws when the server does not answer 200.
  ServerNode details(const std::string& nodeId) const;

 private:
  // Every item of one listing (all pages); throws on a failed page.
  std::vector<ServerNode> listAll(const std::string& folderPath) const;
  void listInto(const std::string& folderId, const std::string& path, ServerTree& out) const;

  const testing::EmulatorProcess& emulator_;
  std::string workspaceId_;
};

// Differences between an expected tree (with contents) and the server's live tree: missing or
// extra entries, kinds, sizes, md5 of contents, and the tree's own problems.
std::vector<std::string> diffServerTree(const Tree& expected, const ServerTree& server);

}  // namespace fastio::integration::model
