#pragma once
// The trash: deleting a node (with its subtree, as one entry), restoring an entry, purging one
// or all for good. Each call holds the writer from its checks to its commit; purged content is
// unlinked after the commit; activity and StorageHooks follow with no lock held.

#include <string>
#include <vector>

#include "common/Result.h"
#include "emulator/state/StateBackend.h"
#include "emulator/state/StateTypes.h"

namespace fastio::emu {

class TrashBin {
 public:
  explicit TrashBin(const StateBackend& backend) : b_(backend) {}

  Result<NodeRecord> moveToTrash(const std::string& workspaceId, const std::string& nodeId);
  // Only an entry itself (not a node trashed with its folder); back to its old folder if that is
  // still live, else to the root, making room as a move does.
  Result<NodeRecord> restore(const std::string& workspaceId, const std::string& nodeId);
  // The whole entry the node belongs to.
  Status purge(const std::string& workspaceId, const std::string& nodeId);
  // Purges every entry; returns how many there were.
  Result<int> empty(const std::string& workspaceId);

 private:
  void announcePurged(const std::string& workspaceId, const std::vector<NodeRecord>& purged);
  StateBackend b_;
};

}  // namespace fastio::emu
