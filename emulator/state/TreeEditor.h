#pragma once
// Changing the shape of the node tree: folders, renames, moves, copies. Each call holds the
// writer (StateDb::write) from its checks to its commit, then publishes activity keys
// (storage:{node}, storage:{parent}, storage) and fires StorageHooks with no lock held.

#include <optional>
#include <string>

#include "common/Result.h"
#include "emulator/state/StateBackend.h"
#include "emulator/state/StateTypes.h"

namespace fastio::emu {

class TreeEditor {
 public:
  explicit TreeEditor(const StateBackend& backend) : b_(backend) {}

  // Without force: returns the existing folder of that name. With force: always creates one,
  // renaming "name (2)", "name (3)"... on collision.
  Result<NodeRecord> createFolder(const std::string& workspaceId, const std::string& parentId,
                                  const std::string& name, bool force);
  // ifVersionId: nullopt = no CAS; "" = blank (error 207092); else must equal the current version.
  Result<NodeRecord> rename(const std::string& workspaceId, const std::string& nodeId,
                            const std::string& newName,
                            const std::optional<std::string>& ifVersionId);
  // A same-name file at the destination goes to trash first; a folder/type conflict renames the
  // moved node "name (2)". Moving a folder into itself or its subtree fails (406).
  Result<NodeRecord> move(const std::string& workspaceId, const std::string& nodeId,
                          const std::string& newParentId);
  // The same rules as move; file content is shared with the original under new version ids.
  Result<NodeRecord> copy(const std::string& workspaceId, const std::string& nodeId,
                          const std::string& newParentId);

 private:
  StateBackend b_;
};

}  // namespace fastio::emu
