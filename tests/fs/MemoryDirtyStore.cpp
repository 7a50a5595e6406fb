#include "tests/fs/MemoryDirtyStore.h"

#include <algorithm>
#include <cstring>

namespace fastio::fs::testsupport {

Result<MemoryDirtyStore::Entry*> MemoryDirtyStore::find(DirtyKey key) {
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    return makeError(ErrorCode::kNotFound, "no dirty file " + std::to_string(key));
  }
  return &it->second;
}

Result<DirtyKey> MemoryDirtyStore::begin(const NewDirty& f) {
  std::lock_guard lock(mu_);
  Entry e;
  e.file.key = next_++;
  e.file.workspaceId = f.workspaceId;
  e.file.meta.parentId = f.parentId;
  e.file.meta.name = f.name;
  e.file.meta.targetNodeId = f.targetNodeId;
  e.file.meta.targetVersion = f.targetVersion;
  e.file.baseNodeId = f.baseNodeId;
  e.file.baseVersion = f.baseVersion;
  e.file.baseSize = f.baseSize;
  e.file.size = f.baseNodeId.empty() ? 0 : f.baseSize;
  e.baseVisibleSize = e.file.size;
  const DirtyKey key = e.file.key;
  entries_.emplace(key, std::move(e));
  return key;
}

Status MemoryDirtyStore::write(DirtyKey key, uint64_t offset, std::string_view data) {
  std::lock_guard lock(mu_);
  auto e = find(key);
  if (!e.ok()) return e.error();
  if (failNextWrite_) {
    failNextWrite_ = false;
    return makeError(ErrorCode::kIo, "injected staging write failure");
  }
  if (data.empty()) return okStatus();
  Entry& entry = **e;
  cache::overlayExtent(entry.extents, {offset, data.size(), entry.log.size()});
  entry.log.append(data);
  entry.file.size = std::max(entry.file.size, offset + data.size());
  entry.file.dirtyBytes = cache::liveBytes(entry.extents);
  ++entry.file.generation;
  return okStatus();
}

Status MemoryDirtyStore::truncate(DirtyKey key, uint64_t size) {
  std::lock_guard lock(mu_);
  auto e = find(key);
  if (!e.ok()) return e.error();
  Entry& entry = **e;
  if (size == entry.file.size) return okStatus();
  if (size < entry.file.size) {
    cache::truncateExtents(entry.extents, size);
    entry.baseVisibleSize = std::min(entry.baseVisibleSize, size);
  }
  entry.file.size = size;
  entry.file.dirtyBytes = cache::liveBytes(entry.extents);
  ++entry.file.generation;
  return okStatus();
}

Status MemoryDirtyStore::amend(DirtyKey key, const std::function<void(DirtyMeta&)>& change) {
  std::lock_guard lock(mu_);
  auto e = find(key);
  if (!e.ok()) return e.error();
  change((*e)->file.meta);
  return okStatus();
}

DirtyReadPlan MemoryDirtyStore::fill(const Entry& e, const std::vector<cache::DirtyExtent>& extents,
                                     uint64_t size, uint64_t baseVisible, uint64_t offset,
                                     std::span<char> out) const {
  DirtyReadPlan plan;
  plan.length = offset >= size ? 0 : std::min<uint64_t>(out.size(), size - offset);
  for (const cache::ReadPiece& p : cache::planRead(extents, baseVisible, offset, plan.length)) {
    char* dst = out.data() + (p.offset - offset);
    switch (p.source) {
      case cache::ReadPiece::Source::kZero:
        std::memset(dst, 0, p.length);
        break;
      case cache::ReadPiece::Source::kBase:
        plan.fromBase.push_back({p.offset, p.length});
        break;
      case cache::ReadPiece::Source::kLog:
        std::memcpy(dst, e.log.data() + p.logOffset, p.length);
        break;
    }
  }
  return plan;
}

Result<DirtyReadPlan> MemoryDirtyStore::read(DirtyKey key, uint64_t offset, std::span<char> out) {
  std::lock_guard lock(mu_);
  auto e = find(key);
  if (!e.ok()) return e.error();
  const Entry& entry = **e;
  return fill(entry, entry.extents, entry.file.size, entry.baseVisibleSize, offset, out);
}

Status MemoryDirtyStore::sync(DirtyKey key, Durability level) {
  std::lock_guard lock(mu_);
  auto e = find(key);
  if (!e.ok()) return e.error();
  ++(level == Durability::kPower ? powerSyncs_ : processSyncs_);
  return okStatus();
}

Status MemoryDirtyStore::syncAll(Durability level) {
  std::lock_guard lock(mu_);
  ++(level == Durability::kPower ? powerSyncs_ : processSyncs_);
  return okStatus();
}

Result<DirtyFile> MemoryDirtyStore::state(DirtyKey key) {
  std::lock_guard lock(mu_);
  auto e = find(key);
  if (!e.ok()) return e.error();
  return (*e)->file;
}

std::vector<DirtyFile> MemoryDirtyStore::list() {
  std::lock_guard lock(mu_);
  std::vector<DirtyFile> out;
  for (const auto& [key, e] : entries_) out.push_back(e.file);
  return out;
}

uint64_t MemoryDirtyStore::footprintBytes() const {
  std::lock_guard lock(mu_);
  uint64_t total = 0;
  for (const auto& [key, e] : entries_) total += e.log.size();
  return total;
}

Result<DirtyUpload> MemoryDirtyStore::beginUpload(DirtyKey key) {
  std::lock_guard lock(mu_);
  auto e = find(key);
  if (!e.ok()) return e.error();
  Entry& entry = **e;
  if (entry.file.upload) return makeError(ErrorCode::kConflict, "upload in progress");
  DirtyUpload u;
  u.generation = entry.file.generation;
  u.size = entry.file.size;
  u.baseNodeId = entry.file.baseNodeId;
  u.baseVersion = entry.file.baseVersion;
  u.targetNodeId = entry.file.meta.targetNodeId;
  u.targetVersion = entry.file.meta.targetVersion;
  u.parentId = entry.file.meta.parentId;
  u.name = entry.file.meta.name;
  entry.file.upload = u;
  entry.snapshotExtents = entry.extents;
  entry.snapshotBaseVisible = entry.baseVisibleSize;
  return u;
}

Result<DirtyReadPlan> MemoryDirtyStore::readSnapshot(DirtyKey key, uint64_t offset,
                                                     std::span<char> out) {
  std::lock_guard lock(mu_);
  auto e = find(key);
  if (!e.ok()) return e.error();
  const Entry& entry = **e;
  if (!entry.file.upload) return makeError(ErrorCode::kInvalid, "no upload snapshot");
  return fill(entry, entry.snapshotExtents, entry.file.upload->size, entry.snapshotBaseVisible,
              offset, out);
}

Status MemoryDirtyStore::setUploadSession(DirtyKey key, const std::string& sessionId,
                                          uint64_t chunkSize) {
  std::lock_guard lock(mu_);
  auto e = find(key);
  if (!e.ok()) return e.error();
  if (!(*e)->file.upload) return makeError(ErrorCode::kInvalid, "no upload in progress");
  (*e)->file.upload->sessionId = sessionId;
  (*e)->file.upload->chunkSize = chunkSize;
  (*e)->file.upload->ackedChunks.clear();
  return okStatus();
}

Status MemoryDirtyStore::ackChunk(DirtyKey key, uint32_t order) {
  std::lock_guard lock(mu_);
  auto e = find(key);
  if (!e.ok()) return e.error();
  if (!(*e)->file.upload) return makeError(ErrorCode::kInvalid, "no upload in progress");
  auto& acked = (*e)->file.upload->ackedChunks;
  if (std::find(acked.begin(), acked.end(), order) == acked.end()) acked.push_back(order);
  std::sort(acked.begin(), acked.end());
  return okStatus();
}

Status MemoryDirtyStore::recordFailure(DirtyKey key, const std::string& message, bool keepSession) {
  std::lock_guard lock(mu_);
  auto e = find(key);
  if (!e.ok()) return e.error();
  ++(*e)->file.attempts;
  (*e)->file.lastError = message;
  if (!keepSession) (*e)->file.upload.reset();
  return okStatus();
}

Result<bool> MemoryDirtyStore::completeUpload(DirtyKey key, const std::string& nodeId,
                                              const std::string& version) {
  std::lock_guard lock(mu_);
  auto e = find(key);
  if (!e.ok()) return e.error();
  Entry& entry = **e;
  if (!entry.file.upload) return makeError(ErrorCode::kInvalid, "no upload in progress");
  if (entry.file.generation == entry.file.upload->generation) {
    entries_.erase(key);
    return true;
  }
  entry.file.baseSize = entry.file.upload->size;
  entry.file.baseNodeId = nodeId;
  entry.file.baseVersion = version;
  entry.file.meta.targetNodeId = nodeId;
  entry.file.meta.targetVersion = version;
  entry.file.upload.reset();
  entry.file.attempts = 0;
  entry.file.lastError.clear();
  return false;
}

Status MemoryDirtyStore::discard(DirtyKey key) {
  std::lock_guard lock(mu_);
  auto e = find(key);
  if (!e.ok()) return e.error();
  entries_.erase(key);
  return okStatus();
}

uint64_t MemoryDirtyStore::syncCount(Durability level) const {
  std::lock_guard lock(mu_);
  return level == Durability::kPower ? powerSyncs_ : processSyncs_;
}

void MemoryDirtyStore::failNextWrite() {
  std::lock_guard lock(mu_);
  failNextWrite_ = true;
}

}  // namespace fastio::fs::testsupport
