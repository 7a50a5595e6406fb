#include "emulator/state/NodeReader.h"

#include "emulator/state/NodeListing.h"
#include "emulator/state/NodeQueries.h"
#include "emulator/state/NodeRows.h"

namespace fastio::emu {

Result<NodeRecord> NodeReader::node(const std::string& workspaceId,
                                    const std::string& nodeId) const {
  auto reader = db_.read();
  if (!reader.ok()) return reader.error();
  return NodeQueries(reader->db()).requireNode(workspaceId, nodeId);
}

Result<ListPage> NodeReader::listFolder(const std::string& workspaceId, const std::string& folderId,
                                        const ListQuery& query) const {
  auto canonical = canonicalId(folderId);
  if (!canonical.ok()) return canonical.error();
  auto reader = db_.read();
  if (!reader.ok()) return reader.error();
  if (*canonical == "trash") {
    return listNodes(reader->db(), "workspace_id = ?1 AND trashed = 1 AND trash_root = id",
                     {workspaceId}, query, "trash");
  }
  FASTIO_TRY(reader->snapshot());
  auto folder = NodeQueries(reader->db()).requireFolder(workspaceId, *canonical);
  if (!folder.ok()) return folder.error();
  return listNodes(reader->db(), "workspace_id = ?1 AND parent_id = ?2 AND trashed = 0",
                   {workspaceId, *folder}, query, *folder);
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
  auto reader = db_.read();
  if (!reader.ok()) return reader.error();
  return listNodes(reader->db(), where, args, q, "recent:" + q.typeFilter);
}

Result<NodeRecord> NodeReader::checkVersion(const std::string& workspaceId,
                                            const std::string& nodeId,
                                            const std::optional<std::string>& ifVersionId) const {
  auto reader = db_.read();
  if (!reader.ok()) return reader.error();
  return NodeQueries(reader->db()).checkVersion(workspaceId, nodeId, ifVersionId);
}

}  // namespace fastio::emu
