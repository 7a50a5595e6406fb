#include "fs/LmdbCacheAdapters.h"

#include "common/FaultPoints.h"
#include "common/Log.h"
#include "fs/NameSanitizer.h"
#include "fs/VirtualNames.h"

namespace fastio::fs {
namespace {

cache::BlockKey blockKey(const ContentKey& key) {
  return cache::BlockKey{key.nodeId, key.version, key.index};
}

int64_t toNs(WallTime t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

WallTime fromNs(int64_t ns) {
  return WallTime{} + std::chrono::duration_cast<WallTime::duration>(std::chrono::nanoseconds(ns));
}

cache::AnswerKind cachedKind(AnswerKind kind) {
  return kind == AnswerKind::kAsk ? cache::AnswerKind::kAsk : cache::AnswerKind::kSearch;
}

std::string listingKey(const std::string& workspaceId, const std::string& folderId) {
  return workspaceId + ":" + folderId;
}

}  // namespace

std::optional<std::string> LmdbContentCache::get(const ContentKey& key) {
  auto got = blocks_.get(blockKey(key));
  if (!got.ok()) {
    FASTIO_LOG_WARN("block cache read failed: {}", got.error().describe());
    return std::nullopt;
  }
  return std::move(*got);
}

std::optional<BlockView> LmdbContentCache::view(const ContentKey& key) {
  auto pinned = blocks_.pin(blockKey(key));
  if (!pinned.ok()) {
    FASTIO_LOG_WARN("block cache read failed: {}", pinned.error().describe());
    return std::nullopt;
  }
  if (!pinned->has_value()) return std::nullopt;
  return BlockView{(*pinned)->bytes, std::move((*pinned)->keepAlive)};
}

bool LmdbContentCache::contains(const ContentKey& key) {
  auto has = blocks_.contains(blockKey(key));
  return has.ok() && *has;
}

Status LmdbContentCache::put(const ContentKey& key, std::string_view data) {
  FASTIO_TRY(faults::hit("block_cache.insert"));
  return blocks_.put(blockKey(key), data);
}

uint64_t LmdbContentCache::bytesUsed() const {
  return blocks_.stats().chargedBytes;
}

cache::CachedNode LmdbMetadataBackup::toCached(const Node& n) {
  cache::CachedNode c;
  c.id = n.id;
  c.parentId = n.parentId;
  c.name = n.name;
  switch (n.type) {
    case NodeType::kFile:
      c.type = cache::CachedNodeType::kFile;
      break;
    case NodeType::kFolder:
      c.type = cache::CachedNodeType::kFolder;
      break;
    case NodeType::kNote:
      c.type = cache::CachedNodeType::kNote;
      break;
    case NodeType::kLink:
      c.type = cache::CachedNodeType::kLink;
      break;
    case NodeType::kOther:
      c.type = cache::CachedNodeType::kOther;
      break;
  }
  c.size = n.size;
  c.version = n.version;
  c.hash = n.hash;
  c.hashAlgo = n.hashAlgo;
  c.createdNs = toNs(n.created);
  c.modifiedNs = toNs(n.modified);
  c.mimetype = n.mimetype;
  c.aiState = n.aiState;
  c.summaryTitle = n.summary.title;
  c.summaryShort = n.summary.shortText;
  c.summaryLong = n.summary.longText;
  c.locked = n.locked;
  return c;
}

Node LmdbMetadataBackup::fromCached(const cache::CachedNode& c) {
  Node n;
  n.id = c.id;
  n.parentId = c.parentId;
  n.name = c.name;
  switch (c.type) {
    case cache::CachedNodeType::kFile:
      n.type = NodeType::kFile;
      break;
    case cache::CachedNodeType::kFolder:
      n.type = NodeType::kFolder;
      break;
    case cache::CachedNodeType::kNote:
      n.type = NodeType::kNote;
      break;
    case cache::CachedNodeType::kLink:
      n.type = NodeType::kLink;
      break;
    case cache::CachedNodeType::kOther:
      n.type = NodeType::kOther;
      break;
  }
  n.size = c.size;
  n.version = c.version;
  n.hash = c.hash;
  n.hashAlgo = c.hashAlgo;
  n.created = fromNs(c.createdNs);
  n.modified = fromNs(c.modifiedNs);
  n.mimetype = c.mimetype;
  n.aiState = c.aiState;
  n.summary = NodeSummary{c.summaryTitle, c.summaryShort, c.summaryLong};
  n.locked = c.locked;
  return n;
}

void LmdbMetadataBackup::saveWorkspaces(const std::vector<Workspace>& workspaces) {
  std::vector<cache::CachedWorkspace> out;
  out.reserve(workspaces.size());
  for (const auto& w : workspaces) {
    out.push_back(cache::CachedWorkspace{w.id, w.folderName, w.name, w.orgId, w.intelligence});
  }
  if (Status s = metadata_.putWorkspaces(out); !s.ok()) {
    FASTIO_LOG_WARN("could not persist the workspace list: {}", s.error().describe());
  }
}

std::optional<std::vector<Workspace>> LmdbMetadataBackup::loadWorkspaces() {
  auto got = metadata_.workspaces();
  if (!got.ok() || got->empty()) return std::nullopt;
  std::vector<Workspace> out;
  for (const auto& w : *got) {
    out.push_back(Workspace{w.id, w.folderName, w.name, w.orgId, w.intelligence});
  }
  return out;
}

void LmdbMetadataBackup::saveListing(const std::string& workspaceId, const std::string& folderId,
                                     const std::vector<Node>& children, Duration ttl) {
  const auto& reserved = folderId == "root" ? reservedAtWorkspaceRoot() : noReservedNames();
  std::vector<cache::CachedNode> out;
  const auto entries = assignDisplayNames(children, reserved);
  out.reserve(entries.size());
  for (const DisplayEntry& e : entries) {
    cache::CachedNode c = toCached(children[e.index]);
    c.name = e.name;
    out.push_back(std::move(c));
  }
  if (Status s = metadata_.putListing(listingKey(workspaceId, folderId), out, ttl); !s.ok()) {
    FASTIO_LOG_WARN("could not persist the listing of {}: {}", folderId, s.error().describe());
  }
}

std::optional<std::vector<Node>> LmdbMetadataBackup::loadListing(const std::string& workspaceId,
                                                                 const std::string& folderId) {
  auto got = metadata_.listing(listingKey(workspaceId, folderId));
  if (!got.ok() || !got->complete) return std::nullopt;
  std::vector<Node> out;
  out.reserve(got->children.size());
  for (const auto& c : got->children) {
    Node n = fromCached(c);
    n.parentId = folderId;
    out.push_back(std::move(n));
  }
  return out;
}

void LmdbMetadataBackup::saveAnswer(AnswerKind kind, const std::string& workspaceId,
                                    const std::string& query, const std::string& payload,
                                    Duration ttl) {
  Status s = metadata_.putAnswer(cachedKind(kind), workspaceId, query, payload, ttl);
  if (!s.ok()) {
    FASTIO_LOG_DEBUG("answer not persisted: {}", s.error().describe());
  }
}

std::optional<std::string> LmdbMetadataBackup::loadAnswer(AnswerKind kind,
                                                          const std::string& workspaceId,
                                                          const std::string& query) {
  auto got = metadata_.answer(cachedKind(kind), workspaceId, query);
  if (!got.ok() || !got->has_value()) return std::nullopt;
  return (*got)->payload;
}

// ---------------------------------------------------------------- LmdbDirtyStore

namespace {

cache::Durability toJournal(Durability level) {
  return level == Durability::kPower ? cache::Durability::kPower : cache::Durability::kProcess;
}

DirtyReadPlan fromJournal(const cache::ReadPlan& plan) {
  DirtyReadPlan out;
  out.length = plan.length;
  out.fromBase.reserve(plan.fromBase.size());
  for (const cache::ByteRange& r : plan.fromBase) out.fromBase.push_back({r.offset, r.length});
  return out;
}

DirtyUpload fromJournal(const cache::UploadSnapshot& u) {
  DirtyUpload out;
  out.generation = u.generation;
  out.size = u.size;
  out.baseNodeId = u.baseNodeId;
  out.baseVersion = u.baseVersion;
  out.targetNodeId = u.targetNodeId;
  out.targetVersion = u.targetVersion;
  out.parentId = u.parentId;
  out.name = u.name;
  out.sessionId = u.sessionId;
  out.chunkSize = u.chunkSize;
  out.ackedChunks = u.ackedChunks;
  return out;
}

std::span<std::byte> bytesOf(std::span<char> out) {
  return std::span<std::byte>(reinterpret_cast<std::byte*>(out.data()), out.size());
}

}  // namespace

DirtyFile LmdbDirtyStore::fromJournal(const cache::DirtyFileState& st) {
  DirtyFile f;
  f.key = st.key;
  f.workspaceId = st.workspaceId;
  f.meta.parentId = st.parentId;
  f.meta.name = st.name;
  f.meta.targetNodeId = st.targetNodeId;
  f.meta.targetVersion = st.targetVersion;
  f.meta.trashAfterUpload = st.trashAfterUpload;
  f.meta.unlinked = st.unlinked;
  f.meta.mtimeNs = st.mtimeNs;
  f.baseNodeId = st.baseNodeId;
  f.baseVersion = st.baseVersion;
  f.baseSize = st.baseSize;
  f.size = st.size;
  f.generation = st.generation;
  f.dirtyBytes = st.dirtyBytes();
  if (st.upload) f.upload = fs::fromJournal(*st.upload);
  f.attempts = st.attempts;
  f.lastError = st.lastError;
  f.modifiedAtNs = st.modifiedAtNs;
  f.syncError = st.syncError;
  return f;
}

Result<DirtyKey> LmdbDirtyStore::begin(const NewDirty& file) {
  cache::NewDirtyFile n;
  n.workspaceId = file.workspaceId;
  n.parentId = file.parentId;
  n.name = file.name;
  n.baseNodeId = file.baseNodeId;
  n.baseVersion = file.baseVersion;
  n.baseSize = file.baseSize;
  auto key = journal_.begin(n);
  if (!key.ok()) return key.error();
  if (file.targetNodeId != file.baseNodeId || file.targetVersion != file.baseVersion) {
    FASTIO_TRY(journal_.amend(*key, [&](cache::DirtyFileState& st) -> Status {
      st.targetNodeId = file.targetNodeId;
      st.targetVersion = file.targetVersion;
      return okStatus();
    }));
  }
  return *key;
}

Status LmdbDirtyStore::write(DirtyKey key, uint64_t offset, std::string_view data) {
  return journal_.write(
      key, offset,
      std::span<const std::byte>(reinterpret_cast<const std::byte*>(data.data()), data.size()));
}

Status LmdbDirtyStore::truncate(DirtyKey key, uint64_t size) {
  return journal_.truncate(key, size);
}

Status LmdbDirtyStore::amend(DirtyKey key, const std::function<void(DirtyMeta&)>& change) {
  return journal_.amend(key, [&](cache::DirtyFileState& st) -> Status {
    DirtyMeta m{st.parentId,         st.name,     st.targetNodeId, st.targetVersion,
                st.trashAfterUpload, st.unlinked, st.mtimeNs};
    change(m);
    st.parentId = std::move(m.parentId);
    st.name = std::move(m.name);
    st.targetNodeId = std::move(m.targetNodeId);
    st.targetVersion = std::move(m.targetVersion);
    st.trashAfterUpload = std::move(m.trashAfterUpload);
    st.unlinked = m.unlinked;
    st.mtimeNs = m.mtimeNs;
    return okStatus();
  });
}

Result<DirtyReadPlan> LmdbDirtyStore::read(DirtyKey key, uint64_t offset, std::span<char> out) {
  auto plan = journal_.read(key, offset, bytesOf(out));
  if (!plan.ok()) return plan.error();
  return fs::fromJournal(*plan);
}

Status LmdbDirtyStore::sync(DirtyKey key, Durability level) {
  return journal_.sync(key, toJournal(level));
}

Status LmdbDirtyStore::syncAll(Durability level) {
  return journal_.syncAll(toJournal(level));
}

Status LmdbDirtyStore::checkpoint() {
  return journal_.checkpoint();
}

Result<DirtyFile> LmdbDirtyStore::state(DirtyKey key) {
  auto st = journal_.state(key);
  if (!st.ok()) return st.error();
  return fromJournal(*st);
}

std::vector<DirtyFile> LmdbDirtyStore::list() {
  std::vector<DirtyFile> out;
  for (const cache::DirtyFileState& st : journal_.list()) out.push_back(fromJournal(st));
  return out;
}

uint64_t LmdbDirtyStore::footprintBytes() const {
  return journal_.footprintBytes();
}

Result<DirtyUpload> LmdbDirtyStore::beginUpload(DirtyKey key) {
  auto u = journal_.beginUpload(key);
  if (!u.ok()) return u.error();
  return fs::fromJournal(*u);
}

Result<DirtyReadPlan> LmdbDirtyStore::readSnapshot(DirtyKey key, uint64_t offset,
                                                   std::span<char> out) {
  auto plan = journal_.readSnapshot(key, offset, bytesOf(out));
  if (!plan.ok()) return plan.error();
  return fs::fromJournal(*plan);
}

Status LmdbDirtyStore::setUploadSession(DirtyKey key, const std::string& sessionId,
                                        uint64_t chunkSize) {
  return journal_.setUploadSession(key, sessionId, chunkSize);
}

Status LmdbDirtyStore::ackChunk(DirtyKey key, uint32_t order) {
  return journal_.ackChunk(key, order);
}

Status LmdbDirtyStore::recordFailure(DirtyKey key, const std::string& message, bool keepSession) {
  return journal_.recordFailure(key, message, keepSession);
}

Result<bool> LmdbDirtyStore::completeUpload(DirtyKey key, const std::string& nodeId,
                                            const std::string& version) {
  return journal_.completeUpload(key, nodeId, version);
}

Status LmdbDirtyStore::discard(DirtyKey key) {
  return journal_.discard(key);
}

}  // namespace fastio::fs
