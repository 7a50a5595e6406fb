#include "emulator/state/NodeWrites.h"

#include "emulator/state/NodeQueries.h"
#include "emulator/state/NodeRows.h"

namespace fastio::emu {

Status NodeWrites::insertNode(const NodeRecord& n) {
  FASTIO_TRY_ASSIGN(
      auto st,
      db_.prepare(
          "INSERT INTO nodes(id, workspace_id, parent_id, name, type, size, version_id, md5, "
          "mimetype, mimecategory, created_us, modified_us, ai_state, summary_title, "
          "summary_short, summary_long) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,"
          "?15,?16)"));
  st.bind(1, n.id).bind(2, n.workspaceId).bind(3, n.parentId).bind(4, n.name);
  st.bind(5, std::int64_t{n.isFolder() ? 1 : 0}).bind(6, n.size).bind(7, n.versionId);
  st.bind(8, n.md5).bind(9, n.mimetype).bind(10, n.mimecategory).bind(11, n.createdUs);
  st.bind(12, n.modifiedUs).bind(13, n.aiState).bind(14, n.summaryTitle);
  st.bind(15, n.summaryShort).bind(16, n.summaryLong);
  return st.run();
}

Status NodeWrites::insertVersion(const VersionRecord& v) {
  FASTIO_TRY_ASSIGN(
      auto st, db_.prepare("INSERT INTO versions(version_id, node_id, name, size, md5, created_us) "
                           "VALUES(?1,?2,?3,?4,?5,?6)"));
  st.bind(1, v.versionId).bind(2, v.nodeId).bind(3, v.name).bind(4, v.size).bind(5, v.md5);
  st.bind(6, v.createdUs);
  return st.run();
}

Status NodeWrites::setNameParent(const std::string& id, const std::string& name,
                                 const std::string& parent, std::int64_t modifiedUs) {
  FASTIO_TRY_ASSIGN(
      auto st,
      db_.prepare("UPDATE nodes SET name = ?2, parent_id = ?3, modified_us = ?4 WHERE id = ?1"));
  st.bind(1, id).bind(2, name).bind(3, parent).bind(4, modifiedUs);
  return st.run();
}

Status NodeWrites::trashSubtree(const NodeRecord& node, std::int64_t when) {
  FASTIO_TRY_ASSIGN(auto ids, NodeQueries(db_).liveSubtree(node.id));
  for (const auto& id : ids) {
    FASTIO_TRY_ASSIGN(
        auto one,
        db_.prepare(
            "UPDATE nodes SET trashed = 1, trash_root = ?2, deleted_us = ?3, deleted_from = "
            "CASE WHEN id = ?2 THEN ?4 ELSE parent_id END, lock_token = '' WHERE id = ?1"));
    one.bind(1, id).bind(2, node.id).bind(3, when).bind(4, node.parentId);
    FASTIO_TRY(one.run());
  }
  return okStatus();
}

Result<std::string> NodeWrites::makeRoom(const std::string& ws, const std::string& parent,
                                         const NodeRecord& node, std::int64_t now,
                                         std::optional<NodeRecord>& displaced) {
  NodeQueries queries(db_);
  FASTIO_TRY_ASSIGN(auto existing, queries.liveChildByName(ws, parent, node.name));
  if (!existing) return node.name;
  if (node.isFile() && existing->isFile() && existing->id != node.id) {
    FASTIO_TRY(trashSubtree(*existing, now));
    displaced = *existing;
    return node.name;
  }
  return queries.freeName(ws, parent, node.name, node.isFolder());
}

Result<std::vector<std::filesystem::path>> NodeWrites::purgeEntry(const std::string& ws,
                                                                  const std::string& rootId,
                                                                  std::vector<NodeRecord>& purged) {
  std::vector<std::string> ids;
  {
    FASTIO_TRY_ASSIGN(auto st,
                      db_.prepare(std::string("SELECT ") + kNodeColumns +
                                  " FROM nodes WHERE workspace_id = ?1 AND trash_root = ?2"));
    st.bind(1, ws).bind(2, rootId);
    while (true) {
      FASTIO_TRY_ASSIGN(auto row, st.step());
      if (!row) break;
      purged.push_back(readNode(st));
      ids.push_back(purged.back().id);
    }
  }
  std::vector<std::filesystem::path> blobs;
  for (const auto& id : ids) {
    FASTIO_TRY_ASSIGN(auto st, db_.prepare("SELECT version_id FROM versions WHERE node_id = ?1"));
    st.bind(1, id);
    while (true) {
      FASTIO_TRY_ASSIGN(auto row, st.step());
      if (!row) break;
      blobs.push_back(blobs_.pathOf(st.text(0)));
    }
  }
  for (const auto& id : ids) {
    FASTIO_TRY_ASSIGN(auto del, db_.prepare("DELETE FROM versions WHERE node_id = ?1"));
    del.bind(1, id);
    FASTIO_TRY(del.run());
    FASTIO_TRY_ASSIGN(auto delNode, db_.prepare("DELETE FROM nodes WHERE id = ?1"));
    delNode.bind(1, id);
    FASTIO_TRY(delNode.run());
  }
  return blobs;
}

}  // namespace fastio::emu
