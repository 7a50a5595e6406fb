#pragma once
// Lookups of nodes and versions on one connection (a pooled reader's, or the writer's inside a
// mutation), answering with the API's errors: 404 for unknown nodes, 406 for malformed ids.

#include <optional>
#include <string>
#include <vector>

#include "common/Result.h"
#include "emulator/state/Database.h"
#include "emulator/state/StateTypes.h"

namespace fastio::emu {

class NodeQueries {
 public:
  explicit NodeQueries(Database& db) : db_(db) {}

  // By canonical id; nullopt when there is no such node in the workspace.
  Result<std::optional<NodeRecord>> find(const std::string& ws, const std::string& id) const;
  // A node that exists (trashed or not); rawId as sent by the client.
  Result<NodeRecord> requireNode(const std::string& ws, const std::string& rawId) const;
  // A node that exists and is not in the trash.
  Result<NodeRecord> requireLiveNode(const std::string& ws, const std::string& rawId) const;
  // "root" or a live folder; returns the canonical folder id.
  Result<std::string> requireFolder(const std::string& ws, const std::string& rawId) const;
  // The live node without CAS (ifVersionId nullopt), or with it: "" is a 406 (blank), a
  // different version a 409.
  Result<NodeRecord> checkVersion(const std::string& ws, const std::string& rawId,
                                  const std::optional<std::string>& ifVersionId) const;

  Result<std::optional<NodeRecord>> liveChildByName(const std::string& ws,
                                                    const std::string& parent,
                                                    const std::string& name) const;
  // The first "name (n)" that is free in the folder.
  Result<std::string> freeName(const std::string& ws, const std::string& parent,
                               const std::string& name, bool isFolder) const;
  // rootId and the ids of its live descendants.
  Result<std::vector<std::string>> liveSubtree(const std::string& rootId) const;
  // Whether `folder` is `ancestor` or lies beneath it.
  Result<bool> isSelfOrDescendant(const std::string& ws, const std::string& ancestor,
                                  std::string folder) const;
  // The trash entry a trashed node went with ("" if it is not trashed); nullopt without a row.
  Result<std::optional<std::string>> trashRootOf(const std::string& id) const;
  // A stored version of the node (size, md5) by canonical version id; nullopt if it has none.
  Result<std::optional<VersionRecord>> version(const std::string& nodeId,
                                               const std::string& versionId) const;

 private:
  Database& db_;
};

}  // namespace fastio::emu
