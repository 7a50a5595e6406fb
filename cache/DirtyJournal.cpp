#include "cache/DirtyJournal.h"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "cache/Codec.h"
#include "cache/DirectoryLock.h"
#include "cache/DirtyJournalImpl.h"
#include "cache/ExtentMap.h"

namespace fastio::cache {
namespace {

constexpr uint64_t kMaxFileSize = 1ull << 50;  // 1 PiB: far past any plan limit

}  // namespace

std::string logName(FileKey key, uint64_t gen) {
  return std::to_string(key) + "-" + std::to_string(gen) + ".log";
}

std::string fileKeyBytes(FileKey key) {
  return ByteWriter().u64(key).take();
}

uint64_t DirtyFileState::dirtyBytes() const {
  return liveBytes(extents);
}

// --- Impl helpers used by the public calls

int64_t DirtyJournal::Impl::nowNs() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(clock->wallNow().time_since_epoch())
      .count();
}

Result<std::shared_ptr<FileEntry>> DirtyJournal::Impl::find(FileKey key) const {
  std::shared_lock<std::shared_mutex> lock(mapMu);
  auto it = entries.find(key);
  if (it == entries.end()) {
    return makeError(ErrorCode::kNotFound, "journal: no dirty file " + std::to_string(key));
  }
  return it->second;
}

Status DirtyJournal::Impl::usable(const FileEntry& e) {
  if (e.discarded || e.removed) {
    return makeError(ErrorCode::kStale,
                     "journal: dirty file " + std::to_string(e.st.key) + " was discarded");
  }
  return okStatus();
}

Result<std::shared_ptr<StagingFile>> DirtyJournal::Impl::logFor(FileEntry& e, bool create) {
  auto f = staging->get(logName(e.st.key, e.logGen), create);
  if (f.ok() && create) e.logExists = true;
  return f;
}

Status DirtyJournal::Impl::fill(FileEntry& e, const std::vector<DirtyExtent>& extents,
                                uint64_t size, uint64_t baseVisible, uint64_t offset,
                                std::span<std::byte> out, ReadPlan& plan) {
  plan.length = offset >= size ? 0 : std::min<uint64_t>(out.size(), size - offset);
  std::shared_ptr<StagingFile> log;
  for (const ReadPiece& p : planRead(extents, baseVisible, offset, plan.length)) {
    std::span<std::byte> dst = out.subspan(p.offset - offset, p.length);
    switch (p.source) {
      case ReadPiece::Source::kZero:
        std::memset(dst.data(), 0, dst.size());
        break;
      case ReadPiece::Source::kBase:
        plan.fromBase.push_back({p.offset, p.length});
        break;
      case ReadPiece::Source::kLog:
        if (!log) {
          auto f = logFor(e, false);
          if (!f.ok()) return f.error();
          log = *f;
        }
        FASTIO_TRY(log->readAt(p.logOffset, dst));
        break;
    }
  }
  return okStatus();
}

Status DirtyJournal::Impl::changeAndSync(FileKey key, Durability level,
                                         const std::function<Status(DirtyFileState&)>& change) {
  auto e = find(key);
  if (!e.ok()) return e.error();
  {
    std::lock_guard<std::mutex> lock((*e)->mu);
    FASTIO_TRY(usable(**e));
    FASTIO_TRY(change((*e)->st));
    refreshPoison(**e);
    ++(*e)->changeSeq;
  }
  if (level == Durability::kPower) FASTIO_TRY(flushLog(**e));
  std::map<FileKey, Error> errors;
  FASTIO_TRY(groupSync(key, level, &errors));
  if (auto it = errors.find(key); it != errors.end()) return it->second;
  // A poisoned file stays out of LMDB, so a power-level call cannot have succeeded.
  return level == Durability::kPower ? stickyError(key) : okStatus();
}

// --- DirtyJournal

DirtyJournal::DirtyJournal(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DirtyJournal::~DirtyJournal() = default;

Result<std::unique_ptr<DirtyJournal>> DirtyJournal::open(const std::filesystem::path& dir,
                                                         const DirtyJournalOptions& options,
                                                         const Clock& clock) {
  FASTIO_TRY(ensurePrivateDirectory(dir));
  FASTIO_TRY(ensurePrivateDirectory(dir / "staging"));
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->clock = &clock;
  impl->dir = dir;
  LmdbEnvOptions envOptions;
  envOptions.mapSizeBytes = options.mapSizeBytes;
  envOptions.maxDatabases = 4;
  envOptions.durableCommits = true;
  auto env = LmdbEnv::open(dir / "records", envOptions);
  if (!env.ok()) return env.error();
  impl->env = std::move(*env);
  auto files = impl->env->openDatabase("files");
  if (!files.ok()) return files.error();
  auto meta = impl->env->openDatabase("meta");
  if (!meta.ok()) return meta.error();
  impl->files = *files;
  impl->meta = *meta;
  impl->staging = std::make_unique<StagingFiles>(dir / "staging", options.maxOpenLogs);
  auto wal = WriteAheadLog::open(dir / "records.wal");
  if (!wal.ok()) return wal.error();
  impl->wal = std::move(*wal);
  FASTIO_TRY(impl->load());
  impl->refreshFootprint(true);
  return std::unique_ptr<DirtyJournal>(new DirtyJournal(std::move(impl)));
}

Result<FileKey> DirtyJournal::begin(const NewDirtyFile& file) {
  if (file.baseSize > kMaxFileSize) return makeError(ErrorCode::kTooLarge, "journal: base size");
  auto e = std::make_shared<FileEntry>();
  e->st.workspaceId = file.workspaceId;
  e->st.parentId = file.parentId;
  e->st.name = file.name;
  e->st.baseNodeId = file.baseNodeId;
  e->st.baseVersion = file.baseVersion;
  e->st.targetNodeId = file.baseNodeId;
  e->st.targetVersion = file.baseVersion;
  e->st.size = file.baseSize;
  e->st.baseSize = file.baseNodeId.empty() ? 0 : file.baseSize;
  e->st.baseVisibleSize = file.baseNodeId.empty() ? 0 : file.baseSize;
  e->st.modifiedAtNs = impl_->nowNs();
  e->changeSeq = 1;
  std::unique_lock<std::shared_mutex> lock(impl_->mapMu);
  FileKey key = impl_->nextKey++;
  e->st.key = key;
  impl_->entries[key] = std::move(e);
  return key;
}

Status DirtyJournal::write(FileKey key, uint64_t offset, std::span<const std::byte> data) {
  if (offset > kMaxFileSize || data.size() > kMaxFileSize - offset) {
    return makeError(ErrorCode::kTooLarge, "journal: write past the maximum file size");
  }
  auto e = impl_->find(key);
  if (!e.ok()) return e.error();
  FileEntry& entry = **e;
  std::lock_guard<std::mutex> lock(entry.mu);
  FASTIO_TRY(Impl::usable(entry));
  if (data.empty()) return okStatus();
  auto log = impl_->logFor(entry, true);
  if (!log.ok()) return log.error();
  // Bytes go to fresh log space first; only then does an extent point at them.
  FASTIO_TRY((*log)->writeAt(entry.logSize, data));
  overlayExtent(entry.st.extents, {offset, data.size(), entry.logSize});
  entry.logSize += data.size();
  impl_->stagingTotal += data.size();
  entry.st.size = std::max(entry.st.size, offset + data.size());
  ++entry.st.generation;
  entry.st.modifiedAtNs = impl_->nowNs();
  Impl::refreshPoison(entry);
  ++entry.changeSeq;
  return okStatus();
}

Status DirtyJournal::truncate(FileKey key, uint64_t size) {
  if (size > kMaxFileSize) return makeError(ErrorCode::kTooLarge, "journal: truncate size");
  auto e = impl_->find(key);
  if (!e.ok()) return e.error();
  FileEntry& entry = **e;
  std::lock_guard<std::mutex> lock(entry.mu);
  FASTIO_TRY(Impl::usable(entry));
  if (size == entry.st.size) return okStatus();
  if (size < entry.st.size) {
    truncateExtents(entry.st.extents, size);
    entry.st.baseVisibleSize = std::min(entry.st.baseVisibleSize, size);
  }
  entry.st.size = size;
  ++entry.st.generation;
  entry.st.modifiedAtNs = impl_->nowNs();
  Impl::refreshPoison(entry);
  ++entry.changeSeq;
  return okStatus();
}

Status DirtyJournal::amend(FileKey key, const std::function<Status(DirtyFileState&)>& change) {
  auto e = impl_->find(key);
  if (!e.ok()) return e.error();
  FileEntry& entry = **e;
  std::lock_guard<std::mutex> lock(entry.mu);
  FASTIO_TRY(Impl::usable(entry));
  DirtyFileState before = entry.st;
  Status s = change(entry.st);
  if (!s.ok()) {
    entry.st = std::move(before);
    return s;
  }
  // Everything but the amendable fields must be as it was.
  DirtyFileState rest = entry.st;
  rest.parentId = before.parentId;
  rest.name = before.name;
  rest.targetNodeId = before.targetNodeId;
  rest.targetVersion = before.targetVersion;
  rest.trashAfterUpload = before.trashAfterUpload;
  rest.unlinked = before.unlinked;
  rest.mtimeNs = before.mtimeNs;
  if (rest != before) {
    entry.st = std::move(before);
    return makeError(ErrorCode::kInvalid,
                     "journal: amend() may change only the placement, target, trash list, "
                     "unlinked flag and mtime of dirty file " +
                         std::to_string(key));
  }
  if (entry.st != before) ++entry.changeSeq;
  return okStatus();
}

Status DirtyJournal::setPlacement(FileKey key, std::string_view parentId, std::string_view name) {
  return amend(key, [&](DirtyFileState& st) {
    st.parentId = std::string(parentId);
    st.name = std::string(name);
    return okStatus();
  });
}

Result<ReadPlan> DirtyJournal::read(FileKey key, uint64_t offset, std::span<std::byte> out) const {
  auto e = impl_->find(key);
  if (!e.ok()) return e.error();
  FileEntry& entry = **e;
  std::lock_guard<std::mutex> lock(entry.mu);
  FASTIO_TRY(Impl::usable(entry));
  ReadPlan plan;
  FASTIO_TRY(impl_->fill(entry, entry.st.extents, entry.st.size, entry.st.baseVisibleSize, offset,
                         out, plan));
  return plan;
}

Result<ReadPlan> DirtyJournal::readSnapshot(FileKey key, uint64_t offset,
                                            std::span<std::byte> out) const {
  auto e = impl_->find(key);
  if (!e.ok()) return e.error();
  FileEntry& entry = **e;
  std::lock_guard<std::mutex> lock(entry.mu);
  FASTIO_TRY(Impl::usable(entry));
  if (!entry.st.upload) {
    return makeError(ErrorCode::kInvalid,
                     "journal: dirty file " + std::to_string(key) + " has no upload snapshot");
  }
  const UploadSnapshot& u = *entry.st.upload;
  ReadPlan plan;
  FASTIO_TRY(impl_->fill(entry, u.extents, u.size, u.baseVisibleSize, offset, out, plan));
  return plan;
}

Status DirtyJournal::sync(FileKey key, Durability level) {
  auto e = impl_->find(key);
  if (!e.ok()) return e.error();
  // Flushed in the caller's thread, so that concurrent syncs of different files flush their
  // logs in parallel and the group commit is left with the LMDB commit alone.
  if (level == Durability::kPower) FASTIO_TRY(impl_->flushLog(**e));
  std::map<FileKey, Error> errors;
  FASTIO_TRY(impl_->groupSync(key, level, &errors));
  if (auto it = errors.find(key); it != errors.end()) return it->second;
  return impl_->stickyError(key);
}

Status DirtyJournal::syncAll(Durability level) {
  std::map<FileKey, Error> errors;
  FASTIO_TRY(impl_->groupSync(std::nullopt, level, &errors));
  if (!errors.empty()) return errors.begin()->second;
  return impl_->stickyErrorOfAny();
}

Status DirtyJournal::checkpoint() {
  return impl_->groupSync(std::nullopt, Durability::kPower, nullptr);
}

Result<DirtyFileState> DirtyJournal::state(FileKey key) const {
  auto e = impl_->find(key);
  if (!e.ok()) return e.error();
  std::lock_guard<std::mutex> lock((*e)->mu);
  FASTIO_TRY(Impl::usable(**e));
  return (*e)->st;
}

std::optional<FileKey> DirtyJournal::findByNode(std::string_view nodeId) const {
  if (nodeId.empty()) return std::nullopt;
  std::optional<FileKey> byTarget, byBase;
  std::shared_lock<std::shared_mutex> lock(impl_->mapMu);
  for (const auto& [key, e] : impl_->entries) {
    std::lock_guard<std::mutex> entryLock(e->mu);
    if (e->discarded || e->removed || e->st.unlinked) continue;
    if (e->st.targetNodeId == nodeId && (!byTarget || key < *byTarget)) byTarget = key;
    if (e->st.baseNodeId == nodeId && (!byBase || key < *byBase)) byBase = key;
  }
  return byTarget ? byTarget : byBase;
}

std::vector<DirtyFileState> DirtyJournal::list() const {
  std::vector<DirtyFileState> out;
  std::shared_lock<std::shared_mutex> lock(impl_->mapMu);
  for (const auto& [key, e] : impl_->entries) {
    std::lock_guard<std::mutex> entryLock(e->mu);
    if (!e->discarded && !e->removed) out.push_back(e->st);
  }
  std::sort(out.begin(), out.end(),
            [](const DirtyFileState& a, const DirtyFileState& b) { return a.key < b.key; });
  return out;
}

uint64_t DirtyJournal::dirtyBytes() const {
  uint64_t total = 0;
  std::shared_lock<std::shared_mutex> lock(impl_->mapMu);
  for (const auto& [key, e] : impl_->entries) {
    std::lock_guard<std::mutex> entryLock(e->mu);
    if (!e->discarded && !e->removed) total += liveBytes(e->st.extents);
  }
  return total;
}

uint64_t DirtyJournal::stagingBytes() const {
  return impl_->stagingTotal.load(std::memory_order_relaxed);
}

uint64_t DirtyJournal::footprintBytes() const {
  return impl_->stagingTotal.load(std::memory_order_relaxed) + impl_->wal->size() +
         impl_->lmdbFootprint.load(std::memory_order_relaxed) +
         impl_->stagingDirBytes.load(std::memory_order_relaxed);
}

Result<UploadSnapshot> DirtyJournal::beginUpload(FileKey key) {
  UploadSnapshot snapshot;
  FASTIO_TRY(impl_->changeAndSync(key, Durability::kProcess, [&](DirtyFileState& st) -> Status {
    if (st.upload) {
      return makeError(ErrorCode::kConflict, "journal: an upload of dirty file " +
                                                 std::to_string(key) + " is in progress");
    }
    if (!st.syncError.empty()) return makeError(ErrorCode::kIo, st.syncError);
    snapshot.generation = st.generation;
    snapshot.size = st.size;
    snapshot.baseVisibleSize = st.baseVisibleSize;
    snapshot.baseNodeId = st.baseNodeId;
    snapshot.baseVersion = st.baseVersion;
    snapshot.targetNodeId = st.targetNodeId;
    snapshot.targetVersion = st.targetVersion;
    snapshot.parentId = st.parentId;
    snapshot.name = st.name;
    snapshot.extents = st.extents;
    st.upload = snapshot;
    return okStatus();
  }));
  return snapshot;
}

Status DirtyJournal::setUploadSession(FileKey key, std::string_view sessionId, uint64_t chunkSize) {
  return impl_->changeAndSync(key, Durability::kPower, [&](DirtyFileState& st) -> Status {
    if (!st.upload) return makeError(ErrorCode::kInvalid, "journal: no upload in progress");
    st.upload->sessionId = std::string(sessionId);
    st.upload->chunkSize = chunkSize;
    st.upload->ackedChunks.clear();
    return okStatus();
  });
}

Status DirtyJournal::ackChunk(FileKey key, uint32_t order) {
  return impl_->changeAndSync(key, Durability::kProcess, [&](DirtyFileState& st) -> Status {
    if (!st.upload) return makeError(ErrorCode::kInvalid, "journal: no upload in progress");
    auto& acked = st.upload->ackedChunks;
    auto it = std::lower_bound(acked.begin(), acked.end(), order);
    if (it == acked.end() || *it != order) acked.insert(it, order);
    return okStatus();
  });
}

Status DirtyJournal::recordFailure(FileKey key, std::string_view message, bool keepSession) {
  int64_t now = impl_->nowNs();
  return impl_->changeAndSync(key, Durability::kProcess, [&](DirtyFileState& st) -> Status {
    ++st.attempts;
    st.lastError = std::string(message);
    st.lastErrorAtNs = now;
    if (!keepSession) st.upload.reset();
    return okStatus();
  });
}

Result<bool> DirtyJournal::completeUpload(FileKey key, std::string_view nodeId,
                                          std::string_view version) {
  bool clean = false;
  auto e = impl_->find(key);
  if (!e.ok()) return e.error();
  {
    std::lock_guard<std::mutex> lock((*e)->mu);
    FASTIO_TRY(Impl::usable(**e));
    DirtyFileState& st = (*e)->st;
    if (!st.upload) return makeError(ErrorCode::kInvalid, "journal: no upload in progress");
    if (st.generation == st.upload->generation) {
      clean = true;
      (*e)->discarded = true;
    } else {
      // Later writes stay dirty. Uncovered bytes below baseVisibleSize read the same from the
      // new version as from the old, because the new version is the snapshot's content.
      st.baseNodeId = std::string(nodeId);
      st.baseVersion = std::string(version);
      st.targetNodeId = st.baseNodeId;
      st.targetVersion = st.baseVersion;
      st.baseSize = st.upload->size;
      st.upload.reset();
      st.attempts = 0;
      st.lastError.clear();
      Impl::refreshPoison(**e);
    }
    ++(*e)->changeSeq;
  }
  FASTIO_TRY(impl_->groupSync(key, Durability::kProcess, nullptr));
  return clean;
}

Status DirtyJournal::discard(FileKey key) {
  auto e = impl_->find(key);
  if (!e.ok()) return e.error();
  {
    std::lock_guard<std::mutex> lock((*e)->mu);
    FASTIO_TRY(Impl::usable(**e));
    (*e)->discarded = true;
    ++(*e)->changeSeq;
  }
  return impl_->groupSync(key, Durability::kProcess, nullptr);
}

}  // namespace fastio::cache
