#pragma once
// Reading the node tree: one node, folder / trash / recent listings, the CAS check. Every call
// leases its own pooled connection and never waits for a write in progress; a call of several
// statements runs them in one read snapshot.

#include <optional>
#include <string>

#include "common/Result.h"
#include "emulator/state/StateDb.h"
#include "emulator/state/StateTypes.h"

namespace fastio::emu {

class NodeReader {
 public:
  explicit NodeReader(StateDb& db) : db_(db) {}

  // ids may be hyphenated / upper case; trashed nodes are found too.
  Result<NodeRecord> node(const std::string& workspaceId, const std::string& nodeId) const;
  // Live children of a folder ("root", or "trash" for the trash entries).
  Result<ListPage> listFolder(const std::string& workspaceId, const std::string& folderId,
                              const ListQuery& query) const;
  Result<ListPage> listTrash(const std::string& workspaceId, const ListQuery& query) const;
  // Files and folders of the whole tree, most recently modified first.
  Result<ListPage> listRecent(const std::string& workspaceId, const ListQuery& query) const;
  // ifVersionId: nullopt = no CAS; "" = blank (error 207092); else must equal the current version.
  Result<NodeRecord> checkVersion(const std::string& workspaceId, const std::string& nodeId,
                                  const std::optional<std::string>& ifVersionId) const;

 private:
  StateDb& db_;
};

}  // namespace fastio::emu
