#include "emulator/state/TreeEditor.h"

#include <utility>
#include <vector>

#include "common/MimeTypes.h"
#include "common/NameRules.h"
#include "emulator/ApiCodes.h"
#include "emulator/http/OpaqueId.h"
#include "emulator/state/NodeQueries.h"
#include "emulator/state/NodeRows.h"
#include "emulator/state/NodeWrites.h"
#include "emulator/state/StateClock.h"

namespace fastio::emu {

namespace fs = std::filesystem;

Result<NodeRecord> TreeEditor::createFolder(const std::string& workspaceId,
                                            const std::string& parentId, const std::string& name,
                                            bool force) {
  if (auto p = names::nodeNameProblem(name)) {
    return invalidInput("Invalid name: " + p->reason + ".");
  }
  NodeRecord created;
  {
    auto writer = b_.db.write();
    NodeQueries queries(writer.db());
    FASTIO_TRY_ASSIGN(auto parent, queries.requireFolder(workspaceId, parentId));
    FASTIO_TRY_ASSIGN(auto existing, queries.liveChildByName(workspaceId, parent, name));
    std::string finalName = name;
    if (existing) {
      if (existing->isFolder() && !force) return std::move(*existing);
      if (!existing->isFolder() && !force) return nameExists(name);
      FASTIO_TRY_ASSIGN(auto free, queries.freeName(workspaceId, parent, name, true));
      finalName = free;
    }
    created.id = newOpaqueId('d');
    created.workspaceId = workspaceId;
    created.parentId = parent;
    created.name = finalName;
    created.type = NodeType::kFolder;
    created.createdUs = created.modifiedUs = nowMicros();
    FASTIO_TRY(NodeWrites(writer.db(), b_.blobs).insertNode(created));
  }
  b_.activity.publish(workspaceId,
                      {"storage:" + created.id, "storage:" + created.parentId, "storage"});
  b_.hooks.emit({StorageEvent::Kind::kFolderCreated, created, {}, {}, {}});
  return created;
}

Result<NodeRecord> TreeEditor::rename(const std::string& workspaceId, const std::string& nodeId,
                                      const std::string& newName,
                                      const std::optional<std::string>& ifVersionId) {
  if (auto p = names::nodeNameProblem(newName)) {
    return invalidInput("Invalid name: " + p->reason + ".");
  }
  NodeRecord after;
  std::string oldName;
  {
    auto writer = b_.db.write();
    NodeQueries queries(writer.db());
    auto n = queries.checkVersion(workspaceId, nodeId, ifVersionId);
    if (!n.ok()) return n;
    if (n->name == newName) return n;
    FASTIO_TRY_ASSIGN(auto existing, queries.liveChildByName(workspaceId, n->parentId, newName));
    if (existing) return nameExists(newName);
    oldName = n->name;
    after = *n;
    after.name = newName;
    after.modifiedUs = nowMicros();
    if (after.isFile()) {
      MimeInfo mime = mimeForName(newName);
      after.mimetype = mime.type;
      after.mimecategory = mime.category;
    }
    FASTIO_TRY_ASSIGN(
        auto st,
        writer.db().prepare(
            "UPDATE nodes SET name = ?2, modified_us = ?3, mimetype = ?4, mimecategory = ?5 "
            "WHERE id = ?1"));
    st.bind(1, after.id).bind(2, after.name).bind(3, after.modifiedUs).bind(4, after.mimetype);
    st.bind(5, after.mimecategory);
    FASTIO_TRY(st.run());
  }
  b_.activity.publish(workspaceId, {"storage:" + after.id, "storage:" + after.parentId, "storage"});
  b_.hooks.emit({StorageEvent::Kind::kRenamed, after, oldName, {}, {}});
  return after;
}

Result<NodeRecord> TreeEditor::move(const std::string& workspaceId, const std::string& nodeId,
                                    const std::string& newParentId) {
  NodeRecord after;
  std::string oldParent;
  std::optional<NodeRecord> displaced;
  {
    auto writer = b_.db.write();
    NodeQueries queries(writer.db());
    auto n = queries.requireLiveNode(workspaceId, nodeId);
    if (!n.ok()) return n;
    FASTIO_TRY_ASSIGN(auto parent, queries.requireFolder(workspaceId, newParentId));
    if (parent == n->parentId) return n;
    if (n->isFolder()) {
      FASTIO_TRY_ASSIGN(auto loop, queries.isSelfOrDescendant(workspaceId, n->id, parent));
      if (loop) return invalidInput("A folder cannot be moved into itself or its subfolders.");
    }
    Transaction tx(writer.db());
    FASTIO_TRY(tx.begin());
    std::int64_t now = nowMicros();
    NodeWrites writes(writer.db(), b_.blobs);
    FASTIO_TRY_ASSIGN(auto finalName, writes.makeRoom(workspaceId, parent, *n, now, displaced));
    FASTIO_TRY(writes.setNameParent(n->id, finalName, parent, now));
    FASTIO_TRY(tx.commit());
    oldParent = n->parentId;
    after = *n;
    after.name = finalName;
    after.parentId = parent;
    after.modifiedUs = now;
  }
  std::vector<std::string> keys = {"storage:" + after.id, "storage:" + oldParent,
                                   "storage:" + after.parentId, "storage"};
  if (displaced) keys.push_back("storage:" + displaced->id);
  b_.activity.publish(workspaceId, keys);
  if (displaced) {
    displaced->trashed = true;
    b_.hooks.emit({StorageEvent::Kind::kTrashed, *displaced, {}, {}, {}});
  }
  b_.hooks.emit({StorageEvent::Kind::kMoved, after, {}, oldParent, {}});
  return after;
}

Result<NodeRecord> TreeEditor::copy(const std::string& workspaceId, const std::string& nodeId,
                                    const std::string& newParentId) {
  std::vector<StorageEvent> events;
  NodeRecord topCopy;
  std::optional<NodeRecord> displaced;
  std::vector<fs::path> linkedBlobs;
  auto failed = [&](Error e) {
    b_.blobs.remove(linkedBlobs);
    return e;
  };
  {
    auto writer = b_.db.write();
    NodeQueries queries(writer.db());
    auto n = queries.requireLiveNode(workspaceId, nodeId);
    if (!n.ok()) return n;
    FASTIO_TRY_ASSIGN(auto parent, queries.requireFolder(workspaceId, newParentId));
    if (n->isFolder()) {
      FASTIO_TRY_ASSIGN(auto loop, queries.isSelfOrDescendant(workspaceId, n->id, parent));
      if (loop) return invalidInput("A folder cannot be copied into itself or its subfolders.");
    }
    Transaction tx(writer.db());
    FASTIO_TRY(tx.begin());
    std::int64_t now = nowMicros();
    NodeWrites writes(writer.db(), b_.blobs);
    FASTIO_TRY_ASSIGN(auto finalName, writes.makeRoom(workspaceId, parent, *n, now, displaced));
    // Breadth-first copy of the subtree; file content is hard-linked under a new version id.
    std::vector<std::pair<NodeRecord, std::string>> queue = {{*n, parent}};
    for (std::size_t i = 0; i < queue.size(); ++i) {
      const NodeRecord src = queue[i].first;
      NodeRecord dst = src;
      dst.id = newOpaqueId(src.isFolder() ? 'd' : 'f');
      dst.parentId = queue[i].second;
      if (i == 0) dst.name = finalName;
      dst.createdUs = dst.modifiedUs = now;
      dst.trashed = false;
      dst.lock.reset();
      std::string blob;
      if (src.isFile()) {
        dst.versionId = newOpaqueId('v');
        if (auto s = b_.blobs.duplicate(src.versionId, dst.versionId); !s.ok()) {
          return failed(internalError("cannot copy content of " + src.id));
        }
        linkedBlobs.push_back(b_.blobs.pathOf(dst.versionId));
        blob = linkedBlobs.back().string();
        auto version =
            writes.insertVersion({dst.versionId, dst.id, dst.name, dst.size, dst.md5, now, true});
        if (!version.ok()) return failed(version.error());
      }
      if (auto s = writes.insertNode(dst); !s.ok()) return failed(s.error());
      events.push_back({StorageEvent::Kind::kCopied, dst, {}, {}, blob});
      if (i == 0) topCopy = dst;
      if (src.isFolder()) {
        auto st = writer.db().prepare(std::string("SELECT ") + kNodeColumns +
                                      " FROM nodes WHERE parent_id = ?1 AND trashed = 0");
        if (!st.ok()) return failed(st.error());
        st->bind(1, src.id);
        while (true) {
          auto row = st->step();
          if (!row.ok()) return failed(row.error());
          if (!*row) break;
          queue.push_back({readNode(*st), dst.id});
        }
      }
    }
    // The links are durable before the rows that refer to them commit.
    if (!linkedBlobs.empty()) {
      if (auto s = b_.blobs.syncDirectory(); !s.ok()) return failed(s.error());
    }
    if (auto s = tx.commit(); !s.ok()) return failed(s.error());
  }
  std::vector<std::string> keys = {"storage:" + topCopy.id, "storage:" + topCopy.parentId,
                                   "storage"};
  if (displaced) keys.push_back("storage:" + displaced->id);
  b_.activity.publish(workspaceId, keys);
  if (displaced) {
    displaced->trashed = true;
    b_.hooks.emit({StorageEvent::Kind::kTrashed, *displaced, {}, {}, {}});
  }
  for (const auto& e : events) b_.hooks.emit(e);
  return topCopy;
}

}  // namespace fastio::emu
