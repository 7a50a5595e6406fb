#include "emulator/state/FileVersions.h"

#include <optional>

#include "common/ContentDigest.h"
#include "common/MimeTypes.h"
#include "common/NameRules.h"
#include "emulator/ApiCodes.h"
#include "emulator/http/OpaqueId.h"
#include "emulator/state/NodeQueries.h"
#include "emulator/state/NodeWrites.h"
#include "emulator/state/StateClock.h"
#include "emulator/state/WorkspaceStore.h"

namespace fastio::emu {

namespace fs = std::filesystem;

namespace {

Error malformedVersionId() {
  return apiError(ErrorCode::kInvalid, 406, code::kMalformedId,
                  "The version_id is not a valid OpaqueId.");
}

Error versionNotFound(const std::string& versionId) {
  return notFound("The version " + versionId + " was not found for this node.");
}

Error versionConflict(const std::string& current) {
  return apiError(ErrorCode::kConflict, 409, code::kConflict,
                  "The node has changed: its current version is " + current + ".");
}

// The node a stored file lands on: an existing file (a new version of it) or none (a new node).
struct StoreTarget {
  std::optional<NodeRecord> existing;
  std::string parentId;
};

Result<StoreTarget> resolveTarget(NodeQueries& queries, const StoreFileRequest& r) {
  StoreTarget target;
  if (!r.existingFileId.empty()) {
    FASTIO_TRY_ASSIGN(auto n, queries.requireLiveNode(r.workspaceId, r.existingFileId));
    if (!n.isFile()) return invalidInput("The node " + r.existingFileId + " is not a file.");
    target.parentId = n.parentId;
    if (r.name != n.name) {
      FASTIO_TRY_ASSIGN(auto clash,
                        queries.liveChildByName(r.workspaceId, target.parentId, r.name));
      if (clash) return nameExists(r.name);
    }
    target.existing = std::move(n);
  } else {
    FASTIO_TRY_ASSIGN(auto folder, queries.requireFolder(r.workspaceId, r.parentId));
    target.parentId = folder;
    FASTIO_TRY_ASSIGN(auto existing,
                      queries.liveChildByName(r.workspaceId, target.parentId, r.name));
    if (existing) {
      if (existing->isFolder()) return nameExists(r.name);
      target.existing = std::move(*existing);
    }
  }
  if (!r.ifVersionId.empty()) {
    auto wanted = normalizeOpaqueId(r.ifVersionId);
    if (!target.existing || !wanted || *wanted != target.existing->versionId) {
      return versionConflict(target.existing ? target.existing->versionId : "(none)");
    }
  }
  return target;
}

Status writeStoredVersion(Database& db, const BlobStore& blobs, const NodeRecord& after,
                          bool isNewNode) {
  NodeWrites writes(db, blobs);
  Transaction tx(db);
  FASTIO_TRY(tx.begin());
  FASTIO_TRY(writes.insertVersion(
      {after.versionId, after.id, after.name, after.size, after.md5, after.modifiedUs, true}));
  if (isNewNode) {
    FASTIO_TRY(writes.insertNode(after));
  } else {
    FASTIO_TRY_ASSIGN(
        auto st,
        db.prepare(
            "UPDATE nodes SET name = ?2, version_id = ?3, size = ?4, md5 = ?5, mimetype = ?6, "
            "mimecategory = ?7, modified_us = ?8, ai_state = ?9, summary_title = '', "
            "summary_short = '', summary_long = '' WHERE id = ?1"));
    st.bind(1, after.id).bind(2, after.name).bind(3, after.versionId).bind(4, after.size);
    st.bind(5, after.md5).bind(6, after.mimetype).bind(7, after.mimecategory);
    st.bind(8, after.modifiedUs).bind(9, after.aiState);
    FASTIO_TRY(st.run());
  }
  return tx.commit();
}

}  // namespace

Result<NodeRecord> FileVersions::store(const StoreFileRequest& r) {
  auto dropTemp = [&] { b_.blobs.remove(r.blobTempPath); };
  if (auto p = names::nodeNameProblem(r.name)) {
    dropTemp();
    return invalidInput("Invalid name: " + p->reason + ".");
  }
  std::error_code ec;
  auto actualSize = fs::file_size(r.blobTempPath, ec);
  if (ec) return internalError("the content to store is missing: " + r.blobTempPath.string());
  if (static_cast<std::int64_t>(actualSize) != r.size) {
    dropTemp();
    return invalidInput("The content is " + std::to_string(actualSize) +
                        " bytes, not the declared " + std::to_string(r.size) + ".");
  }
  std::string md5 = r.md5;
  if (md5.empty()) {
    auto h = fileDigestHex(r.blobTempPath, HashAlgorithm::kMd5);
    if (!h.ok()) {
      dropTemp();
      return h.error();
    }
    md5 = *h;
  }
  // Durable under its version id before the writer is taken: the rename and the fsyncs of many
  // uploads proceed in parallel. Until the commit no row refers to it; a crash leaves an orphan
  // that the next start removes, and a refused store removes it here.
  if (auto s = BlobStore::fsyncFile(r.blobTempPath); !s.ok()) {
    dropTemp();
    return s.error();
  }
  const std::string versionId = newOpaqueId('v');
  FASTIO_TRY(b_.blobs.adopt(r.blobTempPath, versionId));
  const fs::path finalBlob = b_.blobs.pathOf(versionId);
  auto failed = [&](const Error& e) {
    b_.blobs.remove(finalBlob);
    return e;
  };

  NodeRecord after;
  {
    auto writer = b_.db.write();
    auto intelligence = WorkspaceStore::intelligenceOf(writer.db(), r.workspaceId);
    if (!intelligence.ok()) return failed(intelligence.error());
    if (!*intelligence) {
      return failed(notFound("The workspace " + r.workspaceId + " was not found."));
    }
    NodeQueries queries(writer.db());
    auto target = resolveTarget(queries, r);
    if (!target.ok()) return failed(target.error());

    std::int64_t now = nowMicros();
    MimeInfo mime = mimeForName(r.name);
    after = target->existing ? *target->existing : NodeRecord{};
    if (!target->existing) {
      after.id = newOpaqueId('f');
      after.workspaceId = r.workspaceId;
      after.parentId = target->parentId;
      after.type = NodeType::kFile;
      after.createdUs = now;
    }
    after.name = r.name;
    after.versionId = versionId;
    after.size = r.size;
    after.md5 = md5;
    after.mimetype = mime.type;
    after.mimecategory = mime.category;
    after.modifiedUs = now;
    after.aiState = **intelligence ? "pending" : "disabled";
    after.summaryTitle.clear();
    after.summaryShort.clear();
    after.summaryLong.clear();
    auto written = writeStoredVersion(writer.db(), b_.blobs, after, !target->existing);
    if (!written.ok()) return failed(written.error());
  }
  b_.activity.publish(r.workspaceId,
                      {"storage:" + after.id, "storage:" + after.parentId, "storage"});
  b_.hooks.emit({StorageEvent::Kind::kVersionStored, after, {}, {}, finalBlob.string()});
  return after;
}

Result<BlobRef> FileVersions::blob(const std::string& workspaceId, const std::string& nodeId,
                                   const std::string& versionId) const {
  FASTIO_TRY_ASSIGN(auto reader, b_.db.read());
  if (!versionId.empty()) FASTIO_TRY(reader.snapshot());
  NodeQueries queries(reader.db());
  FASTIO_TRY_ASSIGN(auto n, queries.requireLiveNode(workspaceId, nodeId));
  if (!n.isFile()) return invalidInput("The node " + nodeId + " is a folder, not a file.");
  BlobRef ref{
      b_.blobs.pathOf(n.versionId).string(), n.size, n.md5, n.versionId, n.name, n.mimetype};
  if (!versionId.empty()) {
    auto vid = normalizeOpaqueId(versionId);
    if (!vid) return malformedVersionId();
    FASTIO_TRY_ASSIGN(auto v, queries.version(n.id, *vid));
    if (!v) return versionNotFound(versionId);
    ref.path = b_.blobs.pathOf(*vid).string();
    ref.size = v->size;
    ref.md5 = v->md5;
    ref.versionId = *vid;
  }
  return ref;
}

Result<std::vector<VersionRecord>> FileVersions::versions(const std::string& workspaceId,
                                                          const std::string& nodeId) const {
  FASTIO_TRY_ASSIGN(auto reader, b_.db.read());
  FASTIO_TRY(reader.snapshot());
  FASTIO_TRY_ASSIGN(auto n, NodeQueries(reader.db()).requireNode(workspaceId, nodeId));
  if (!n.isFile()) return invalidInput("Folders have no versions.");
  FASTIO_TRY_ASSIGN(auto st, reader.db().prepare("SELECT version_id, node_id, name, size, md5, "
                                                 "created_us FROM versions WHERE node_id = ?1 "
                                                 "ORDER BY created_us DESC, version_id DESC"));
  st.bind(1, n.id);
  std::vector<VersionRecord> out;
  while (true) {
    FASTIO_TRY_ASSIGN(auto row, st.step());
    if (!row) break;
    VersionRecord v{st.text(0), st.text(1),    st.text(2), st.integer(3),
                    st.text(4), st.integer(5), false};
    v.current = v.versionId == n.versionId;
    out.push_back(std::move(v));
  }
  return out;
}

Result<NodeRecord> FileVersions::restoreVersion(const std::string& workspaceId,
                                                const std::string& nodeId,
                                                const std::string& versionId) {
  NodeRecord after;
  std::string blob;
  {
    auto writer = b_.db.write();
    NodeQueries queries(writer.db());
    auto n = queries.requireLiveNode(workspaceId, nodeId);
    if (!n.ok()) return n;
    if (!n->isFile()) return invalidInput("Folders have no versions.");
    auto vid = normalizeOpaqueId(versionId);
    if (!vid) return malformedVersionId();
    FASTIO_TRY_ASSIGN(auto v, queries.version(n->id, *vid));
    if (!v) return versionNotFound(versionId);
    FASTIO_TRY_ASSIGN(auto intelligence, WorkspaceStore::intelligenceOf(writer.db(), workspaceId));
    after = *n;
    after.versionId = *vid;
    after.size = v->size;
    after.md5 = v->md5;
    after.modifiedUs = nowMicros();
    after.aiState = intelligence.value_or(false) ? "pending" : "disabled";
    after.summaryTitle.clear();
    after.summaryShort.clear();
    after.summaryLong.clear();
    FASTIO_TRY_ASSIGN(
        auto up, writer.db().prepare(
                     "UPDATE nodes SET version_id = ?2, size = ?3, md5 = ?4, modified_us = ?5, "
                     "ai_state = ?6,"
                     " summary_title = '', summary_short = '', summary_long = '' WHERE id = ?1"));
    up.bind(1, after.id).bind(2, after.versionId).bind(3, after.size).bind(4, after.md5);
    up.bind(5, after.modifiedUs).bind(6, after.aiState);
    FASTIO_TRY(up.run());
    blob = b_.blobs.pathOf(after.versionId).string();
  }
  b_.activity.publish(workspaceId, {"storage:" + after.id, "storage:" + after.parentId, "storage"});
  b_.hooks.emit({StorageEvent::Kind::kVersionRestored, after, {}, {}, blob});
  return after;
}

}  // namespace fastio::emu
