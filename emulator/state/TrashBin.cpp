#include "emulator/state/TrashBin.h"

#include <filesystem>
#include <optional>
#include <vector>

#include "emulator/ApiCodes.h"
#include "emulator/state/NodeQueries.h"
#include "emulator/state/NodeWrites.h"
#include "emulator/state/StateClock.h"

namespace fastio::emu {

namespace fs = std::filesystem;

Result<NodeRecord> TrashBin::moveToTrash(const std::string& workspaceId,
                                         const std::string& nodeId) {
  NodeRecord after;
  {
    auto writer = b_.db.write();
    auto n = NodeQueries(writer.db()).requireLiveNode(workspaceId, nodeId);
    if (!n.ok()) return n;
    Transaction tx(writer.db());
    FASTIO_TRY(tx.begin());
    std::int64_t now = nowMicros();
    FASTIO_TRY(NodeWrites(writer.db(), b_.blobs).trashSubtree(*n, now));
    FASTIO_TRY(tx.commit());
    after = *n;
    after.trashed = true;
    after.deletedUs = now;
    after.deletedFrom = n->parentId;
    after.lock.reset();
  }
  b_.activity.publish(workspaceId, {"storage:" + after.id, "storage:" + after.parentId, "storage"});
  b_.hooks.emit({StorageEvent::Kind::kTrashed, after, {}, {}, {}});
  return after;
}

Result<NodeRecord> TrashBin::restore(const std::string& workspaceId, const std::string& nodeId) {
  NodeRecord after;
  std::optional<NodeRecord> displaced;
  {
    auto writer = b_.db.write();
    NodeQueries queries(writer.db());
    auto n = queries.requireNode(workspaceId, nodeId);
    if (!n.ok()) return n;
    if (!n->trashed) return invalidInput("The node " + nodeId + " is not in the trash.");
    // Only a trash entry itself can be restored (its subtree comes back with it).
    FASTIO_TRY_ASSIGN(auto root, queries.trashRootOf(n->id));
    if (!root || *root != n->id) {
      return invalidInput("The node " + nodeId +
                          " was deleted with its folder; restore the folder.");
    }
    // Back where it was if that folder is still live, else to the root.
    std::string parent = "root";
    if (n->deletedFrom != "root" && !n->deletedFrom.empty()) {
      FASTIO_TRY_ASSIGN(auto p, queries.find(workspaceId, n->deletedFrom));
      if (p && !p->trashed && p->isFolder()) parent = p->id;
    }
    Transaction tx(writer.db());
    FASTIO_TRY(tx.begin());
    std::int64_t now = nowMicros();
    NodeWrites writes(writer.db(), b_.blobs);
    FASTIO_TRY_ASSIGN(auto finalName, writes.makeRoom(workspaceId, parent, *n, now, displaced));
    FASTIO_TRY_ASSIGN(
        auto st,
        writer.db().prepare(
            "UPDATE nodes SET trashed = 0, trash_root = '', deleted_us = 0, deleted_from = '' "
            "WHERE workspace_id = ?1 AND trash_root = ?2"));
    st.bind(1, workspaceId).bind(2, n->id);
    FASTIO_TRY(st.run());
    FASTIO_TRY(writes.setNameParent(n->id, finalName, parent, now));
    FASTIO_TRY(tx.commit());
    after = *n;
    after.trashed = false;
    after.deletedUs = 0;
    after.deletedFrom.clear();
    after.name = finalName;
    after.parentId = parent;
    after.modifiedUs = now;
  }
  std::vector<std::string> keys = {"storage:" + after.id, "storage:" + after.parentId, "storage"};
  if (displaced) keys.push_back("storage:" + displaced->id);
  b_.activity.publish(workspaceId, keys);
  if (displaced) {
    displaced->trashed = true;
    b_.hooks.emit({StorageEvent::Kind::kTrashed, *displaced, {}, {}, {}});
  }
  b_.hooks.emit({StorageEvent::Kind::kRestored, after, {}, {}, {}});
  return after;
}

Status TrashBin::purge(const std::string& workspaceId, const std::string& nodeId) {
  std::vector<NodeRecord> purged;
  std::vector<fs::path> blobs;
  {
    auto writer = b_.db.write();
    NodeQueries queries(writer.db());
    FASTIO_TRY_ASSIGN(auto n, queries.requireNode(workspaceId, nodeId));
    if (!n.trashed) return invalidInput("Only nodes in the trash can be purged.");
    FASTIO_TRY_ASSIGN(auto root, queries.trashRootOf(n.id));
    Transaction tx(writer.db());
    FASTIO_TRY(tx.begin());
    FASTIO_TRY_ASSIGN(
        auto paths,
        NodeWrites(writer.db(), b_.blobs).purgeEntry(workspaceId, root.value_or(n.id), purged));
    blobs = std::move(paths);
    FASTIO_TRY(tx.commit());
  }
  b_.blobs.remove(blobs);
  announcePurged(workspaceId, purged);
  return okStatus();
}

Result<int> TrashBin::empty(const std::string& workspaceId) {
  std::vector<NodeRecord> purged;
  std::vector<fs::path> blobs;
  int entries = 0;
  {
    auto writer = b_.db.write();
    std::vector<std::string> roots;
    {
      FASTIO_TRY_ASSIGN(
          auto st,
          writer.db().prepare(
              "SELECT id FROM nodes WHERE workspace_id = ?1 AND trashed = 1 AND trash_root = id"));
      st.bind(1, workspaceId);
      while (true) {
        FASTIO_TRY_ASSIGN(auto row, st.step());
        if (!row) break;
        roots.push_back(st.text(0));
      }
    }
    Transaction tx(writer.db());
    FASTIO_TRY(tx.begin());
    NodeWrites writes(writer.db(), b_.blobs);
    for (const auto& root : roots) {
      FASTIO_TRY_ASSIGN(auto paths, writes.purgeEntry(workspaceId, root, purged));
      blobs.insert(blobs.end(), paths.begin(), paths.end());
    }
    FASTIO_TRY(tx.commit());
    entries = static_cast<int>(roots.size());
  }
  b_.blobs.remove(blobs);
  if (entries > 0) announcePurged(workspaceId, purged);
  return entries;
}

void TrashBin::announcePurged(const std::string& workspaceId,
                              const std::vector<NodeRecord>& purged) {
  std::vector<std::string> keys = {"storage"};
  for (const auto& n : purged) keys.push_back("storage:" + n.id);
  b_.activity.publish(workspaceId, keys);
  for (const auto& n : purged) b_.hooks.emit({StorageEvent::Kind::kPurged, n, {}, {}, {}});
}

}  // namespace fastio::emu
