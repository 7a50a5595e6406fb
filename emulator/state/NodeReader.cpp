#include "emulator/state/NodeReader.h"

#include "emulator/state/NodeListing.h"
#include "emulator/state/NodeQueries.h"
#include "emulator/state/NodeRows.h"

namespace fastio::emu {

Result<NodeRecord> NodeReader::node(const std::string& workspaceId,
                                    const std::string& nodeId) const {
  FASTIO_TRY_ASSIGN(auto reader, db_.read());
  return NodeQueries(reader.db()).requireNode(workspaceId, nodeId);
}

Result<ListPage> NodeReader::listFolder(const std::string& workspaceId, const std::string& folderId,
                                        const ListQuery& query) const {
  FASTIO_TRY_ASSIGN(auto canonical, canonicalId(folderId));
  FASTIO_TRY_ASSIGN(auto reader, db_.read());
  if (canonical == "trash") {
    return listNodes(reader.db(), "workspace_id = ?1 AND trashed = 1 AND trash_root = id",
                     {workspaceId}, query, "trash");
  }
  FASTIO_TRY(reader.snapshot());
  FASTIO_TRY_ASSIGN(auto folder, NodeQueries(reader.db()).requireFolder(workspaceId, canonical));
  return listNodes(reader.db(), "workspace_id = ?1 AND parent_id = ?2 AND trashed = 0",
                   {workspaceId, folder}, query, folder);
}

Result<ListPage> NodeReader::listTrash(const std::string& workspaceId,
                                       const ListQuery& query) const {
  return listFolder(workspaceId, "trash", query);
}

Result<ListPage> NodeReader::listRecent(const std::string& workspaceId,
                                        const ListQuery& query) const {
  ListQuery q = query;
  q.sortBy = SortBy::kUpdated;
  q.descending = true;
  std::string where = "workspace_id = ?1 AND trashed = 0";
  std::vector<std::string> args = {workspaceId};
  if (q.typeFilter == "file" || q.typeFilter == "folder") {
    where += " AND type = ?2";
    args.push_back(q.typeFilter == "folder" ? "1" : "0");
  }
  FASTIO_TRY_ASSIGN(auto reader, db_.read());
  return listNodes(reader.db(), where, args, q, "recent:" + q.typeFilter);
}

Result<NodeRecord> NodeReader::checkVersion(const std::string& workspaceId,
                                            const std::string& nodeId,
                                            const std::optional<std::string>& ifVersionId) const {
  FASTIO_TRY_ASSIGN(auto reader, db_.read());
  return NodeQueries(reader.db()).checkVersion(workspaceId, nodeId, ifVersionId);
}

}  // namespace fastio::emu
