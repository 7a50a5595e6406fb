#include "fs/WriteBack.h"

#include <algorithm>
#include <cstring>

#include "common/Log.h"

namespace fastio::fs {
namespace {

int64_t toNs(WallTime t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

WallTime fromNs(int64_t ns) {
  return WallTime{} + std::chrono::duration_cast<WallTime::duration>(std::chrono::nanoseconds(ns));
}

}  // namespace

WriteBack::WriteBack(DirtyStore& store, BlockReader& blocks, InodeTable& inodes, Health& health,
                     FsCounters& counters, WriteBackOptions options, const Clock& clock)
    : store_(store),
      blocks_(blocks),
      inodes_(inodes),
      health_(health),
      counters_(counters),
      options_(options),
      clock_(clock) {}

std::string WriteBack::nodeIndexKey(const std::string& workspaceId, const std::string& nodeId) {
  return workspaceId + "/" + nodeId;
}

std::string WriteBack::folderIndexKey(const std::string& workspaceId, const std::string& folderId) {
  return workspaceId + "/" + folderId;
}

DirtyRecordPtr WriteBack::indexLocked(DirtyRecordPtr rec) {
  byKey_[rec->key] = rec;
  // What a record trashes stays hidden, also for a tombstone (its trash waits for the last
  // close of the file).
  for (const std::string& node : rec->trash) ++hidden_[nodeIndexKey(rec->workspaceId, node)];
  if (rec->unlinked) return rec;
  placedByFolder_[folderIndexKey(rec->workspaceId, rec->parentId)][rec->name] = rec->key;
  if (!rec->targetNodeId.empty()) {
    byNode_[nodeIndexKey(rec->workspaceId, rec->targetNodeId)] = rec->key;
  }
  return rec;
}

void WriteBack::unindexLocked(const DirtyRecord& rec) {
  unplaceLocked(rec);
  for (const std::string& node : rec.trash) {
    auto it = hidden_.find(nodeIndexKey(rec.workspaceId, node));
    if (it != hidden_.end() && --it->second == 0) hidden_.erase(it);
  }
}

void WriteBack::unplaceLocked(const DirtyRecord& rec) {
  if (rec.unlinked) return;  // a tombstone has no place
  if (auto it = placedByFolder_.find(folderIndexKey(rec.workspaceId, rec.parentId));
      it != placedByFolder_.end()) {
    auto named = it->second.find(rec.name);
    if (named != it->second.end() && named->second == rec.key) it->second.erase(named);
    if (it->second.empty()) placedByFolder_.erase(it);
  }
  if (!rec.targetNodeId.empty()) {
    auto it = byNode_.find(nodeIndexKey(rec.workspaceId, rec.targetNodeId));
    if (it != byNode_.end() && it->second == rec.key) byNode_.erase(it);
  }
}

Status WriteBack::recover() {
  std::vector<DirtyFile> files = store_.list();
  std::vector<std::pair<DirtyKey, SteadyTime>> pending;
  for (const DirtyFile& f : files) {
    if (f.meta.unlinked && f.meta.trashAfterUpload.empty()) {
      // Unlinked while open before a restart: nobody holds it open any more.
      if (Status s = store_.discard(f.key); !s.ok()) {
        FASTIO_LOG_WARN("could not drop unlinked file {}: {}", f.meta.name, s.error().describe());
      }
      continue;
    }
    auto rec = std::make_shared<DirtyRecord>();
    rec->key = f.key;
    rec->workspaceId = f.workspaceId;
    rec->parentId = f.meta.parentId;
    rec->name = f.meta.name;
    rec->targetNodeId = f.meta.targetNodeId;
    rec->targetVersion = f.meta.targetVersion;
    rec->trash = f.meta.trashAfterUpload;
    rec->size = f.size;
    rec->modified = fromNs(f.modifiedAtNs);
    rec->mtimeNs = f.meta.mtimeNs;
    rec->baseNodeId = f.baseNodeId;
    rec->baseVersion = f.baseVersion;
    rec->baseSize = f.baseSize;
    rec->generation = f.generation;
    rec->unlinked = f.meta.unlinked;  // a tombstone whose server node still goes to the trash
    {
      std::lock_guard lock(mu_);
      indexLocked(rec);
    }
    pending.emplace_back(f.key, clock_.now());
  }
  if (listener_) {
    for (const auto& [key, at] : pending) listener_(key, at);
  }
  if (!pending.empty())
    FASTIO_LOG_INFO("{} file(s) waiting for upload from the last run", pending.size());
  return okStatus();
}

// ---------------------------------------------------------------- records

Result<DirtyRecordPtr> WriteBack::createFile(const InodeInfo& parent, const std::string& folderId,
                                             const std::string& name) {
  NewDirty n;
  n.workspaceId = parent.workspaceId;
  n.parentId = folderId;
  n.name = name;
  auto key = store_.begin(n);
  if (!key.ok()) return key.error();
  FASTIO_LOG_DEBUG("dirty {}: new file {}/{}", *key, folderId, name);
  auto rec = std::make_shared<DirtyRecord>();
  rec->key = *key;
  rec->workspaceId = parent.workspaceId;
  rec->parentId = folderId;
  rec->name = name;
  rec->modified = clock_.wallNow();
  std::lock_guard lock(mu_);
  return indexLocked(std::move(rec));
}

DirtyRecordPtr WriteBack::find(const InodeInfo& info) const {
  if (info.kind != InodeKind::kFile) return nullptr;
  std::lock_guard lock(mu_);
  // Unlinked while open: its descriptors go on reading and writing its tombstone record (the
  // record is no longer indexed by node, so a write would otherwise start a new one).
  if (auto unlinked = unlinkedByIno_.find(info.ino); unlinked != unlinkedByIno_.end()) {
    auto it = byKey_.find(unlinked->second);
    if (it != byKey_.end()) return it->second;
  }
  if (info.dirtyKey != 0) {
    auto it = byKey_.find(info.dirtyKey);
    return it == byKey_.end() ? nullptr : it->second;
  }
  if (info.nodeId.empty()) return nullptr;
  auto node = byNode_.find(nodeIndexKey(info.workspaceId, info.nodeId));
  if (node == byNode_.end()) return nullptr;
  auto it = byKey_.find(node->second);
  return it == byKey_.end() ? nullptr : it->second;
}

DirtyRecordPtr WriteBack::findByKey(DirtyKey key) const {
  std::lock_guard lock(mu_);
  auto it = byKey_.find(key);
  return it == byKey_.end() ? nullptr : it->second;
}

DirtyRecordPtr WriteBack::findByNode(const std::string& workspaceId,
                                     const std::string& nodeId) const {
  std::lock_guard lock(mu_);
  auto node = byNode_.find(nodeIndexKey(workspaceId, nodeId));
  if (node == byNode_.end()) return nullptr;
  auto it = byKey_.find(node->second);
  return it == byKey_.end() ? nullptr : it->second;
}

Result<DirtyRecordPtr> WriteBack::ensureDirty(const InodeInfo& info, const FileVersion& base,
                                              const std::string& parentId) {
  if (auto existing = find(info)) return existing;
  if (base.nodeId.empty()) return makeError(ErrorCode::kStale, "no base version to write over");
  NewDirty n;
  n.workspaceId = info.workspaceId;
  n.parentId = parentId;
  n.name = info.name;
  n.baseNodeId = base.nodeId;
  n.baseVersion = base.version;
  n.baseSize = base.size;
  n.targetNodeId = base.nodeId;
  n.targetVersion = base.version;
  std::lock_guard lock(mu_);
  // Checked again under the lock: two first writes must not make two records.
  if (auto node = byNode_.find(nodeIndexKey(info.workspaceId, base.nodeId));
      node != byNode_.end()) {
    return byKey_.at(node->second);
  }
  auto key = store_.begin(n);  // in memory only until the next sync: cheap under the lock
  if (!key.ok()) return key.error();
  FASTIO_LOG_DEBUG("dirty {}: over node {} at {}/{}", *key, base.nodeId, parentId, info.name);
  auto rec = std::make_shared<DirtyRecord>();
  rec->key = *key;
  rec->workspaceId = info.workspaceId;
  rec->parentId = parentId;
  rec->name = info.name;
  rec->targetNodeId = base.nodeId;
  rec->targetVersion = base.version;
  rec->size = base.size;
  rec->modified = clock_.wallNow();
  rec->baseNodeId = base.nodeId;
  rec->baseVersion = base.version;
  rec->baseSize = base.size;
  rec->pinned = info.ino;
  inodes_.pin(info.ino);
  return indexLocked(std::move(rec));
}

void WriteBack::bindInode(DirtyRecord& rec, InodeId ino) {
  std::lock_guard lock(mu_);
  if (rec.pinned == ino || ino == 0) return;
  FASTIO_LOG_DEBUG("dirty {}: inode {} (was {})", rec.key, ino, rec.pinned);
  if (rec.pinned != 0) inodes_.unpin(rec.pinned);
  rec.pinned = ino;
  inodes_.pin(ino);
}

WriteBack::Placement WriteBack::placementOf(const DirtyRecord& rec) const {
  std::lock_guard lock(mu_);
  return Placement{rec.parentId, rec.name, rec.targetNodeId, rec.trash, rec.pinned};
}

bool WriteBack::placedAt(const std::string& workspaceId, const std::string& folderId,
                         const std::string& name) const {
  std::lock_guard lock(mu_);
  auto it = placedByFolder_.find(folderIndexKey(workspaceId, folderId));
  return it != placedByFolder_.end() && it->second.count(name) != 0;
}

bool WriteBack::storedAt(const std::string& workspaceId, const std::string& folderId,
                         const std::string& name) const {
  std::lock_guard lock(mu_);
  auto it = storedByFolder_.find(folderIndexKey(workspaceId, folderId));
  return it != storedByFolder_.end() && it->second.count(name) != 0;
}

NamePolicy WriteBack::namePolicy(const std::string& workspaceId) {
  return NamePolicy{[this, workspaceId](const Node& holder, const std::string& folderId) {
                      return hides(workspaceId, holder.id) ||
                             placedElsewhere(workspaceId, holder.id, folderId, holder.name);
                    },
                    [this, workspaceId](const std::string& folderId, const std::string& name) {
                      return placedAt(workspaceId, folderId, name) ||
                             storedAt(workspaceId, folderId, name);
                    }};
}

std::vector<DirtyRecordPtr> WriteBack::placedIn(const std::string& workspaceId,
                                                const std::string& folderId) const {
  std::vector<DirtyRecordPtr> out;
  std::lock_guard lock(mu_);
  auto it = placedByFolder_.find(folderIndexKey(workspaceId, folderId));
  if (it == placedByFolder_.end()) return out;
  out.reserve(it->second.size());
  for (const auto& [name, key] : it->second) out.push_back(byKey_.at(key));
  return out;
}

// ---------------------------------------------------------------- content

void WriteBack::changed(const DirtyRecord& rec) {
  if (listener_) listener_(rec.key, clock_.now() + options_.uploadDelay);
}

Result<uint64_t> WriteBack::write(DirtyRecord& rec, uint64_t offset, std::string_view data,
                                  bool append) {
  uint64_t at;
  {
    std::lock_guard lock(rec.mu);
    if (rec.gone) return makeError(ErrorCode::kStale, "uploaded meanwhile: a new record follows");
    at = append ? rec.size : offset;
    FASTIO_TRY(store_.write(rec.key, at, data));
    rec.size = std::max<uint64_t>(rec.size, at + data.size());
    rec.modified = clock_.wallNow();
    ++rec.generation;
    if (rec.mtimeNs != 0) {
      // A write sets mtime to now, as on a local disk, also over one set by utimens.
      rec.mtimeNs = 0;
      FASTIO_TRY(store_.amend(rec.key, [](DirtyMeta& m) { m.mtimeNs = 0; }));
    }
  }
  counters_.bytesWritten += data.size();
  changed(rec);
  return at;
}

Status WriteBack::truncate(DirtyRecord& rec, uint64_t size) {
  {
    std::lock_guard lock(rec.mu);
    if (rec.gone) return makeError(ErrorCode::kStale, "uploaded meanwhile: a new record follows");
    FASTIO_TRY(store_.truncate(rec.key, size));
    rec.size = size;
    rec.modified = clock_.wallNow();
    ++rec.generation;
    if (rec.mtimeNs != 0) {
      rec.mtimeNs = 0;
      FASTIO_TRY(store_.amend(rec.key, [](DirtyMeta& m) { m.mtimeNs = 0; }));
    }
  }
  changed(rec);
  return okStatus();
}

Status WriteBack::fillFromBase(const DirtyRecord& rec, const DirtyReadPlan& plan, uint64_t offset,
                               std::string& out) {
  if (plan.fromBase.empty()) return okStatus();
  FileVersion base{rec.workspaceId, rec.baseNodeId, rec.baseVersion, rec.baseSize};
  for (const DirtyRange& r : plan.fromBase) {
    auto bytes = blocks_.read(base, r.offset, r.length);
    if (!bytes.ok()) return bytes.error();
    if (bytes->size() != r.length) {
      return makeError(ErrorCode::kIo, "the base version of " + rec.name + " ended early");
    }
    size_t at = r.offset - offset;
    for (std::string_view slice : bytes->slices()) {
      std::memcpy(out.data() + at, slice.data(), slice.size());
      at += slice.size();
    }
  }
  return okStatus();
}

Result<ReadBuffer> WriteBack::read(DirtyRecord& rec, uint64_t offset, size_t size) {
  auto buffer = std::make_shared<std::string>(size, '\0');
  auto plan = store_.read(rec.key, offset, std::span<char>(buffer->data(), buffer->size()));
  if (!plan.ok()) return plan.error();
  DirtyRecord base;
  {
    std::lock_guard lock(rec.mu);
    base.workspaceId = rec.workspaceId;
    base.name = rec.name;
    base.baseNodeId = rec.baseNodeId;
    base.baseVersion = rec.baseVersion;
    base.baseSize = rec.baseSize;
  }
  FASTIO_TRY(fillFromBase(base, *plan, offset, *buffer));
  buffer->resize(plan->length);
  ReadBuffer out;
  out.append(*buffer, buffer);
  return out;
}

Status WriteBack::commit(DirtyRecord& rec, Durability level) {
  return store_.sync(rec.key, level);
}

Status WriteBack::setMtime(DirtyRecord& rec, WallTime mtime) {
  const int64_t ns = toNs(mtime);
  FASTIO_TRY(store_.amend(rec.key, [ns](DirtyMeta& m) { m.mtimeNs = ns; }));
  std::lock_guard lock(rec.mu);
  rec.mtimeNs = ns;
  return okStatus();
}

uint64_t WriteBack::sizeOf(DirtyRecord& rec) {
  std::lock_guard lock(rec.mu);
  return rec.size;
}

WallTime WriteBack::mtimeOf(const DirtyRecord& rec) const {
  return rec.mtimeNs != 0 ? fromNs(rec.mtimeNs) : rec.modified;
}

// ---------------------------------------------------------------- namespace

Status WriteBack::beginPlacementChange(DirtyRecord& rec) {
  std::lock_guard lock(rec.mu);
  if (rec.gone) return makeError(ErrorCode::kStale, "uploaded meanwhile: it is a clean file now");
  ++rec.placementSeq;
  return okStatus();
}

Status WriteBack::place(DirtyRecord& rec, const std::string& parentId, const std::string& name) {
  FASTIO_LOG_DEBUG("dirty {}: placed at {}/{}", rec.key, parentId, name);
  std::lock_guard placing(rec.placementMu);
  FASTIO_TRY(beginPlacementChange(rec));
  FASTIO_TRY(store_.amend(rec.key, [&](DirtyMeta& m) {
    m.parentId = parentId;
    m.name = name;
  }));
  {
    std::lock_guard lock(mu_);
    unindexLocked(rec);
    rec.parentId = parentId;
    rec.name = name;
    indexLocked(byKey_.at(rec.key));
  }
  FASTIO_TRY(store_.sync(rec.key, Durability::kProcess));
  changed(rec);
  return okStatus();
}

Status WriteBack::retarget(DirtyRecord& rec, const std::string& nodeId, const std::string& version,
                           const std::vector<std::string>& trash, const std::string& parentId,
                           const std::string& name) {
  FASTIO_LOG_DEBUG("dirty {}: over node '{}' ({}) at {}/{}, trash {}", rec.key, nodeId, version,
                   parentId, name, trash.size());
  std::lock_guard placing(rec.placementMu);
  FASTIO_TRY(beginPlacementChange(rec));
  std::vector<std::string> allTrash;
  {
    std::lock_guard lock(mu_);
    allTrash = rec.trash;
  }
  for (const std::string& t : trash) {
    if (t != nodeId && std::find(allTrash.begin(), allTrash.end(), t) == allTrash.end()) {
      allTrash.push_back(t);
    }
  }
  std::erase(allTrash, nodeId);
  FASTIO_TRY(store_.amend(rec.key, [&](DirtyMeta& m) {
    m.targetNodeId = nodeId;
    m.targetVersion = version;
    m.trashAfterUpload = allTrash;
    m.parentId = parentId;
    m.name = name;
  }));
  {
    std::lock_guard lock(mu_);
    unindexLocked(rec);
    rec.targetNodeId = nodeId;
    rec.targetVersion = version;
    rec.trash = allTrash;
    rec.parentId = parentId;
    rec.name = name;
    indexLocked(byKey_.at(rec.key));
  }
  FASTIO_TRY(store_.sync(rec.key, Durability::kProcess));
  changed(rec);
  return okStatus();
}

Status WriteBack::unlink(DirtyRecord& rec, bool stillOpen, const std::vector<std::string>& trash) {
  FASTIO_LOG_DEBUG("dirty {}: unlinked{}, trash {}", rec.key, stillOpen ? " (open)" : "",
                   trash.size());
  std::lock_guard placing(rec.placementMu);
  ++rec.placementSeq;
  if (stillOpen) {
    std::vector<std::string> allTrash;
    {
      std::lock_guard lock(mu_);
      allTrash = rec.trash;
    }
    for (const std::string& t : trash) {
      if (std::find(allTrash.begin(), allTrash.end(), t) == allTrash.end()) allTrash.push_back(t);
    }
    FASTIO_TRY(store_.amend(rec.key, [&](DirtyMeta& m) {
      m.unlinked = true;
      m.trashAfterUpload = allTrash;
    }));
    FASTIO_TRY(store_.sync(rec.key, Durability::kProcess));
    std::lock_guard lock(mu_);
    unindexLocked(rec);
    rec.unlinked = true;
    rec.trash = allTrash;
    indexLocked(byKey_.at(rec.key));
    if (rec.pinned != 0) unlinkedByIno_[rec.pinned] = rec.key;
    return okStatus();
  }
  Status discarded = store_.discard(rec.key);
  // Its upload may have completed (and the journal let it go) a moment ago: gone either way.
  if (!discarded.ok() && discarded.error().code != ErrorCode::kStale &&
      discarded.error().code != ErrorCode::kNotFound) {
    return discarded;
  }
  forget(rec.key);
  spaceFreed();
  return okStatus();
}

bool WriteBack::tombstoneHeld(DirtyKey key) const {
  std::lock_guard lock(mu_);
  for (const auto& [ino, held] : unlinkedByIno_) {
    if (held == key) return true;
  }
  return false;
}

void WriteBack::lastClose(const InodeInfo& info) {
  DirtyRecordPtr rec = find(info);
  if (!rec) {
    std::lock_guard lock(mu_);
    if (auto it = unlinkedByIno_.find(info.ino); it != unlinkedByIno_.end()) {
      if (auto r = byKey_.find(it->second); r != byKey_.end()) rec = r->second;
    }
  }
  if (!rec) return;
  bool unlinked;
  bool trashPending;
  {
    std::lock_guard lock(mu_);
    unlinked = rec->unlinked;
    trashPending = !rec->trash.empty();
    if (unlinked) unlinkedByIno_.erase(info.ino);
  }
  if (unlinked && trashPending) {
    // Its server node goes to the trash now that nobody reads it: the uploader does that (and
    // retries it), then drops the tombstone.
    if (listener_) listener_(rec->key, clock_.now());
    return;
  }
  if (unlinked) {
    if (Status s = store_.discard(rec->key); !s.ok()) {
      FASTIO_LOG_WARN("dropping unlinked {}: {}", rec->name, s.error().describe());
    }
    forget(rec->key);
    spaceFreed();
    return;
  }
  changed(*rec);
}

uint64_t WriteBack::placementSeq(DirtyKey key) const {
  DirtyRecordPtr rec = findByKey(key);
  if (!rec) return 0;
  std::lock_guard placing(rec->placementMu);
  return rec->placementSeq;
}

Result<WriteBack::Completion> WriteBack::complete(DirtyKey key, const std::string& nodeId,
                                                  const std::string& version,
                                                  uint64_t placementSeq) {
  DirtyRecordPtr rec = findByKey(key);
  if (!rec) return makeError(ErrorCode::kStale, "the dirty file is gone");
  std::lock_guard placing(rec->placementMu);
  if (rec->placementSeq != placementSeq) return Completion::kMoved;
  std::lock_guard lock(rec->mu);
  auto clean = store_.completeUpload(key, nodeId, version);
  if (!clean.ok()) return clean.error();
  if (*clean) rec->gone = true;
  return *clean ? Completion::kClean : Completion::kDirty;
}

bool WriteBack::waitForgotten(DirtyKey key, Duration timeout) {
  std::unique_lock lock(mu_);
  return forgottenCv_.wait_for(lock, timeout, [&] { return byKey_.count(key) == 0; });
}

void WriteBack::forget(DirtyKey key) {
  FASTIO_LOG_DEBUG("dirty {}: forgotten", key);
  InodeId unpin = 0;
  {
    std::lock_guard lock(mu_);
    auto it = byKey_.find(key);
    if (it == byKey_.end()) return;
    unindexLocked(*it->second);
    // An upload still in flight for it no longer hides what the server has at that name.
    releaseUploadTargetLocked(key);
    unpin = it->second->pinned;
    it->second->pinned = 0;
    if (auto u = unlinkedByIno_.find(unpin); u != unlinkedByIno_.end() && u->second == key) {
      unlinkedByIno_.erase(u);
    }
    byKey_.erase(it);
  }
  forgottenCv_.notify_all();
  if (unpin != 0) inodes_.unpin(unpin);
}

void WriteBack::rebased(DirtyKey key, const Node& node, uint64_t snapshotSize) {
  DirtyRecordPtr rec = findByKey(key);
  if (!rec) return;
  {
    std::lock_guard lock(rec->mu);
    rec->baseNodeId = node.id;
    rec->baseVersion = node.version;
    rec->baseSize = snapshotSize;
  }
  std::lock_guard lock(mu_);
  unindexLocked(*rec);
  rec->targetNodeId = node.id;
  rec->targetVersion = node.version;
  indexLocked(rec);
}

// ---------------------------------------------------------------- budget

Status WriteBack::reserve(uint64_t bytes) {
  auto fits = [&] { return store_.footprintBytes() + bytes <= options_.dirtyLimitBytes; };
  if (fits()) return okStatus();
  if (!health_.online()) {
    return makeError(ErrorCode::kNoSpace,
                     "the dirty limit is reached and the server is unreachable to upload");
  }
  // Make room: uploads start at once, and space held by finished files is released.
  if (listener_) {
    std::vector<DirtyKey> keys;
    {
      std::lock_guard lock(mu_);
      for (const auto& [key, rec] : byKey_) keys.push_back(key);
    }
    for (DirtyKey key : keys) listener_(key, clock_.now());
  }
  (void)store_.checkpoint();
  counters_.dirtyWaits++;
  const SteadyTime until = clock_.now() + options_.dirtyWait;
  std::unique_lock lock(budgetMu_);
  while (!fits()) {
    if (clock_.now() >= until) {
      return makeError(ErrorCode::kNoSpace, "the dirty limit (" +
                                                std::to_string(options_.dirtyLimitBytes) +
                                                " bytes) stayed full for the whole dirty_wait");
    }
    budgetCv_.wait_for(lock, std::chrono::milliseconds(100));
    lock.unlock();
    (void)store_.checkpoint();
    lock.lock();
  }
  return okStatus();
}

void WriteBack::spaceFreed() {
  std::lock_guard lock(budgetMu_);
  budgetCv_.notify_all();
}

// ---------------------------------------------------------------- LocalChanges

LocalFile WriteBack::placedEntry(const InodeInfo& parent, const DirtyRecordPtr& rec,
                                 std::string name, const std::string& target) {
  LocalFile f;
  // A file with a node is that node's inode; one without has its journal key for identity.
  f.key = target.empty() ? InodeTable::localKey(rec->key)
                         : InodeTable::nodeKey(rec->workspaceId, target);
  f.info.kind = InodeKind::kFile;
  f.info.parent = parent.ino;
  f.info.name = std::move(name);
  f.info.workspaceId = rec->workspaceId;
  f.info.nodeId = target;
  f.info.dirtyKey = target.empty() ? rec->key : 0;
  std::lock_guard lock(rec->mu);
  f.size = rec->size;
  f.mtime = mtimeOf(*rec);
  return f;
}

LocalFile WriteBack::storedEntry(const InodeInfo& parent, const std::string& name,
                                 const Stored& stored) {
  LocalFile f;
  f.key = InodeTable::nodeKey(parent.workspaceId, stored.node.id);
  f.info.kind = InodeKind::kFile;
  f.info.parent = parent.ino;
  f.info.name = name;
  f.info.workspaceId = parent.workspaceId;
  f.info.nodeId = stored.node.id;
  f.size = stored.node.size;
  f.mtime = stored.node.modified == WallTime{} ? stored.node.created : stored.node.modified;
  f.stored = true;
  f.storedNode = stored.node;
  f.storedAt = stored.at;
  return f;
}

std::vector<LocalFile> WriteBack::filesIn(const InodeInfo& parent, const std::string& folderId) {
  const std::string folder = folderIndexKey(parent.workspaceId, folderId);
  struct Placed {
    DirtyRecordPtr rec;
    std::string name;
    std::string target;
  };
  std::vector<Placed> placed;
  std::vector<LocalFile> out;
  {
    std::lock_guard lock(mu_);
    if (auto it = placedByFolder_.find(folder); it != placedByFolder_.end()) {
      placed.reserve(it->second.size());
      for (const auto& [name, key] : it->second) {
        const DirtyRecordPtr& rec = byKey_.at(key);
        placed.push_back(Placed{rec, name, rec->targetNodeId});
      }
    }
    if (auto it = storedByFolder_.find(folder); it != storedByFolder_.end()) {
      const auto* placedHere = placed.empty() ? nullptr : &placedByFolder_.at(folder);
      for (const auto& [name, stored] : it->second) {
        // A pending change of that name or of that node (written again right after the
        // upload) is what the file is now: listed once, as fileNamed answers.
        if (placedHere != nullptr && placedHere->count(name) != 0) continue;
        if (byNode_.count(nodeIndexKey(parent.workspaceId, stored.node.id)) != 0) continue;
        out.push_back(storedEntry(parent, name, stored));
      }
    }
  }
  out.reserve(out.size() + placed.size());
  for (Placed& p : placed) out.push_back(placedEntry(parent, p.rec, std::move(p.name), p.target));
  return out;
}

std::optional<LocalFile> WriteBack::fileNamed(const InodeInfo& parent, const std::string& folderId,
                                              const std::string& name) {
  const std::string folder = folderIndexKey(parent.workspaceId, folderId);
  DirtyRecordPtr rec;
  std::string target;
  {
    std::lock_guard lock(mu_);
    if (auto it = placedByFolder_.find(folder); it != placedByFolder_.end()) {
      if (auto named = it->second.find(name); named != it->second.end()) {
        rec = byKey_.at(named->second);
        target = rec->targetNodeId;
      }
    }
    if (!rec) {
      auto it = storedByFolder_.find(folder);
      if (it == storedByFolder_.end()) return std::nullopt;
      auto named = it->second.find(name);
      if (named == it->second.end()) return std::nullopt;
      // A pending change of that node places it where it is now.
      if (byNode_.count(nodeIndexKey(parent.workspaceId, named->second.node.id)) != 0) {
        return std::nullopt;
      }
      return storedEntry(parent, name, named->second);
    }
  }
  return placedEntry(parent, rec, name, target);
}

namespace {
std::string placeKey(const std::string& folderKey, const std::string& name) {
  return folderKey + '\0' + name;
}
}  // namespace

void WriteBack::uploadStarting(DirtyKey key, const std::string& workspaceId,
                               const std::string& parentId, const std::string& name) {
  std::lock_guard lock(mu_);
  const std::string place = placeKey(folderIndexKey(workspaceId, parentId), name);
  if (!uploadingAt_.emplace(key, place).second) return;
  ++uploadTargets_[place];
}

void WriteBack::uploadEnded(DirtyKey key) {
  std::lock_guard lock(mu_);
  releaseUploadTargetLocked(key);
}

void WriteBack::releaseUploadTargetLocked(DirtyKey key) {
  auto it = uploadingAt_.find(key);
  if (it == uploadingAt_.end()) return;
  if (auto t = uploadTargets_.find(it->second); t != uploadTargets_.end() && --t->second == 0) {
    uploadTargets_.erase(t);
  }
  uploadingAt_.erase(it);
}

bool WriteBack::placedElsewhere(const std::string& workspaceId, const std::string& nodeId,
                                const std::string& folderId, const std::string& name) {
  std::lock_guard lock(mu_);
  auto node = byNode_.find(nodeIndexKey(workspaceId, nodeId));
  if (node == byNode_.end()) {
    // Checked for every entry of every listing: no key is built while no upload is in flight.
    return !uploadTargets_.empty() &&
           uploadTargets_.count(placeKey(folderIndexKey(workspaceId, folderId), name)) != 0;
  }
  const DirtyRecord& rec = *byKey_.at(node->second);
  return rec.parentId != folderId || rec.name != name;
}

std::optional<LocalAttrs> WriteBack::attrsOf(InodeId ino) {
  auto info = inodes_.get(ino);
  if (!info) return std::nullopt;
  DirtyRecordPtr rec = find(*info);
  if (!rec) return std::nullopt;
  std::lock_guard lock(rec->mu);
  return LocalAttrs{rec->size, mtimeOf(*rec)};
}

bool WriteBack::hides(const std::string& workspaceId, const std::string& nodeId) {
  std::lock_guard lock(mu_);
  const std::string key = nodeIndexKey(workspaceId, nodeId);
  if (hidden_.count(key) != 0) return true;
  auto trashed = trashed_.find(key);
  return trashed != trashed_.end() && clock_.now() - trashed->second < kTrashedHiddenFor;
}

void WriteBack::noteOwnVersion(const std::string& workspaceId, const std::string& nodeId,
                               const std::string& version) {
  if (version.empty()) return;
  std::lock_guard lock(mu_);
  std::string key = nodeIndexKey(workspaceId, nodeId) + '\0' + version;
  if (!ownVersions_.insert(key).second) return;
  ownVersionOrder_.push_back(std::move(key));
  while (ownVersionOrder_.size() > kOwnVersionsKept) {
    ownVersions_.erase(ownVersionOrder_.front());
    ownVersionOrder_.pop_front();
  }
}

bool WriteBack::isOwnVersion(const std::string& workspaceId, const std::string& nodeId,
                             const std::string& version) const {
  std::lock_guard lock(mu_);
  return ownVersions_.count(nodeIndexKey(workspaceId, nodeId) + '\0' + version) != 0;
}

void WriteBack::noteTrashed(const std::string& workspaceId, const std::string& nodeId) {
  noteRemoved(workspaceId, nodeId);
  std::lock_guard lock(mu_);
  const SteadyTime now = clock_.now();
  if (trashed_.size() >= 1024) {
    std::erase_if(trashed_, [&](const auto& kv) { return now - kv.second >= kTrashedHiddenFor; });
  }
  trashed_[nodeIndexKey(workspaceId, nodeId)] = now;
}

void WriteBack::noteStored(const std::string& workspaceId, const std::string& parentId,
                           const std::string& name, const Node& node) {
  std::lock_guard lock(mu_);
  const std::string nodeKey = nodeIndexKey(workspaceId, node.id);
  if (auto old = storedFolderOf_.find(nodeKey); old != storedFolderOf_.end()) {
    if (auto folder = storedByFolder_.find(old->second); folder != storedByFolder_.end()) {
      std::erase_if(folder->second, [&](const auto& kv) { return kv.second.node.id == node.id; });
    }
  }
  const std::string folder = folderIndexKey(workspaceId, parentId);
  storedByFolder_[folder][name] = Stored{node, clock_.now()};
  storedFolderOf_[nodeKey] = folder;
}

void WriteBack::listingFetched(const std::string& workspaceId, const std::string& folderId,
                               SteadyTime fetchedAt) {
  std::lock_guard lock(mu_);
  auto it = storedByFolder_.find(folderIndexKey(workspaceId, folderId));
  if (it == storedByFolder_.end()) return;
  for (auto s = it->second.begin(); s != it->second.end();) {
    if (s->second.at < fetchedAt) {
      storedFolderOf_.erase(nodeIndexKey(workspaceId, s->second.node.id));
      s = it->second.erase(s);
    } else {
      ++s;
    }
  }
  if (it->second.empty()) storedByFolder_.erase(it);
}

void WriteBack::noteRemoved(const std::string& workspaceId, const std::string& nodeId) {
  std::lock_guard lock(mu_);
  auto where = storedFolderOf_.find(nodeIndexKey(workspaceId, nodeId));
  if (where == storedFolderOf_.end()) return;
  if (auto folder = storedByFolder_.find(where->second); folder != storedByFolder_.end()) {
    std::erase_if(folder->second, [&](const auto& kv) { return kv.second.node.id == nodeId; });
    if (folder->second.empty()) storedByFolder_.erase(folder);
  }
  storedFolderOf_.erase(where);
}

size_t WriteBack::pendingFiles() const {
  std::lock_guard lock(mu_);
  return byKey_.size();
}

uint64_t WriteBack::pendingBytes() const {
  std::vector<DirtyRecordPtr> records;
  {
    std::lock_guard lock(mu_);
    records.reserve(byKey_.size());
    for (const auto& [key, rec] : byKey_) {
      if (!rec->unlinked) records.push_back(rec);
    }
  }
  uint64_t total = 0;
  for (const DirtyRecordPtr& rec : records) {
    std::lock_guard lock(rec->mu);
    total += rec->size;
  }
  return total;
}

uint64_t WriteBack::journalBytes() const {
  return store_.footprintBytes();
}

}  // namespace fastio::fs
