#include "emulator/state/NodeQueries.h"

#include "common/NameRules.h"
#include "emulator/ApiCodes.h"
#include "emulator/http/OpaqueId.h"
#include "emulator/state/NodeRows.h"

namespace fastio::emu {

Result<std::optional<NodeRecord>> NodeQueries::find(const std::string& ws,
                                                    const std::string& id) const {
  FASTIO_TRY_ASSIGN(auto st, db_.prepare(std::string("SELECT ") + kNodeColumns +
                                         " FROM nodes WHERE id = ?1 AND workspace_id = ?2"));
  st.bind(1, id).bind(2, ws);
  FASTIO_TRY_ASSIGN(auto row, st.step());
  if (!row) return std::optional<NodeRecord>();
  return std::optional<NodeRecord>(readNode(st));
}

Result<NodeRecord> NodeQueries::requireNode(const std::string& ws, const std::string& rawId) const {
  FASTIO_TRY_ASSIGN(auto id, canonicalId(rawId));
  if (id == "root" || id == "trash") {
    return invalidInput("\"" + id + "\" is not a node that can be used here.");
  }
  FASTIO_TRY_ASSIGN(auto found, find(ws, id));
  if (!found) return nodeNotFound(rawId);
  return std::move(*found);
}

Result<NodeRecord> NodeQueries::requireLiveNode(const std::string& ws,
                                                const std::string& rawId) const {
  auto n = requireNode(ws, rawId);
  if (!n.ok()) return n;
  if (n->trashed) return nodeNotFound(rawId);
  return n;
}

Result<std::string> NodeQueries::requireFolder(const std::string& ws,
                                               const std::string& rawId) const {
  FASTIO_TRY_ASSIGN(auto id, canonicalId(rawId));
  if (id == "root") return std::string("root");
  if (id == "trash") return invalidInput("The trash cannot be used as a folder here.");
  FASTIO_TRY_ASSIGN(auto n, requireLiveNode(ws, id));
  if (!n.isFolder()) return invalidInput("The node " + rawId + " is not a folder.");
  return n.id;
}

Result<NodeRecord> NodeQueries::checkVersion(const std::string& ws, const std::string& rawId,
                                             const std::optional<std::string>& ifVersionId) const {
  auto n = requireLiveNode(ws, rawId);
  if (!n.ok() || !ifVersionId) return n;
  if (ifVersionId->empty()) {
    return apiError(ErrorCode::kInvalid, 406, code::kBlankIfVersion,
                    "if_version_id cannot be blank.");
  }
  auto wanted = normalizeOpaqueId(*ifVersionId);
  if (!wanted || *wanted != n->versionId) {
    return apiError(ErrorCode::kConflict, 409, code::kConflict,
                    "The node has changed: its current version is " + n->versionId + ".");
  }
  return n;
}

Result<std::optional<NodeRecord>> NodeQueries::liveChildByName(const std::string& ws,
                                                               const std::string& parent,
                                                               const std::string& name) const {
  FASTIO_TRY_ASSIGN(
      auto st, db_.prepare(std::string("SELECT ") + kNodeColumns +
                           " FROM nodes WHERE workspace_id = ?1 AND parent_id = ?2 AND name = ?3"
                           " AND trashed = 0"));
  st.bind(1, ws).bind(2, parent).bind(3, name);
  FASTIO_TRY_ASSIGN(auto row, st.step());
  if (!row) return std::optional<NodeRecord>();
  return std::optional<NodeRecord>(readNode(st));
}

Result<std::string> NodeQueries::freeName(const std::string& ws, const std::string& parent,
                                          const std::string& name, bool isFolder) const {
  for (int n = 2; n < 100000; ++n) {
    std::string candidate = names::numberedName(name, n, isFolder);
    FASTIO_TRY_ASSIGN(auto existing, liveChildByName(ws, parent, candidate));
    if (!existing) return candidate;
  }
  return internalError("no free name for " + name);
}

Result<std::vector<std::string>> NodeQueries::liveSubtree(const std::string& rootId) const {
  FASTIO_TRY_ASSIGN(
      auto st,
      db_.prepare(
          "WITH RECURSIVE sub(id) AS (SELECT ?1 UNION ALL SELECT n.id FROM nodes n JOIN sub "
          "ON n.parent_id = sub.id WHERE n.trashed = 0) SELECT id FROM sub"));
  st.bind(1, rootId);
  std::vector<std::string> ids;
  while (true) {
    FASTIO_TRY_ASSIGN(auto row, st.step());
    if (!row) break;
    ids.push_back(st.text(0));
  }
  return ids;
}

Result<bool> NodeQueries::isSelfOrDescendant(const std::string& ws, const std::string& ancestor,
                                             std::string folder) const {
  for (int depth = 0; folder != "root" && depth < 10000; ++depth) {
    if (folder == ancestor) return true;
    FASTIO_TRY_ASSIGN(auto n, find(ws, folder));
    if (!n) return false;
    folder = n->parentId;
  }
  return false;
}

Result<std::optional<std::string>> NodeQueries::trashRootOf(const std::string& id) const {
  FASTIO_TRY_ASSIGN(auto st, db_.prepare("SELECT trash_root FROM nodes WHERE id = ?1"));
  st.bind(1, id);
  FASTIO_TRY_ASSIGN(auto row, st.step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(st.text(0));
}

Result<std::optional<VersionRecord>> NodeQueries::version(const std::string& nodeId,
                                                          const std::string& versionId) const {
  FASTIO_TRY_ASSIGN(
      auto st,
      db_.prepare("SELECT size, md5 FROM versions WHERE version_id = ?1 AND node_id = ?2"));
  st.bind(1, versionId).bind(2, nodeId);
  FASTIO_TRY_ASSIGN(auto row, st.step());
  if (!row) return std::optional<VersionRecord>();
  VersionRecord v;
  v.versionId = versionId;
  v.nodeId = nodeId;
  v.size = st.integer(0);
  v.md5 = st.text(1);
  return std::optional<VersionRecord>(std::move(v));
}

}  // namespace fastio::emu
