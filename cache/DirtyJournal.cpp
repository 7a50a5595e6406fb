#include "cache/DirtyJournal.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <unordered_map>

#include "cache/Codec.h"
#include "cache/DirectoryLock.h"
#include "cache/ExtentMap.h"
#include "cache/LmdbEnv.h"
#include "cache/StagingFiles.h"
#include "common/Log.h"

namespace fastio::cache {
namespace {

constexpr uint8_t kRecordFormat = 1;
constexpr uint64_t kMaxFileSize = 1ull << 50;  // 1 PiB: far past any plan limit
const std::string kNextKeyKey = "next_key";

std::string fileKeyBytes(FileKey key) {
  return ByteWriter().u64(key).take();
}

std::string logName(FileKey key, uint64_t gen) {
  return std::to_string(key) + "-" + std::to_string(gen) + ".log";
}

void writeExtents(ByteWriter& w, const std::vector<DirtyExtent>& extents) {
  w.u64(extents.size());
  for (const auto& e : extents) w.u64(e.offset).u64(e.length).u64(e.logOffset);
}

bool readExtents(ByteReader& r, std::vector<DirtyExtent>& extents) {
  uint64_t n = 0;
  if (!r.u64(n) || n > r.rest().size() / 24) return false;
  extents.resize(n);
  for (auto& e : extents) {
    if (!r.u64(e.offset) || !r.u64(e.length) || !r.u64(e.logOffset)) return false;
  }
  return true;
}

std::string encodeRecord(const DirtyFileState& st, uint64_t logGen) {
  ByteWriter w;
  w.u8(kRecordFormat)
      .u64(st.key)
      .u64(logGen)
      .str(st.workspaceId)
      .str(st.parentId)
      .str(st.name)
      .str(st.baseNodeId)
      .str(st.baseVersion)
      .u64(st.size)
      .u64(st.baseVisibleSize)
      .u64(st.generation);
  writeExtents(w, st.extents);
  w.u32(st.attempts).str(st.lastError).i64(st.lastErrorAtNs).i64(st.modifiedAtNs);
  w.u8(st.upload ? 1 : 0);
  if (st.upload) {
    const UploadSnapshot& u = *st.upload;
    w.u64(u.generation).u64(u.size).u64(u.baseVisibleSize).str(u.baseNodeId).str(u.baseVersion);
    writeExtents(w, u.extents);
    w.str(u.sessionId).u64(u.chunkSize).u64(u.ackedChunks.size());
    for (uint32_t order : u.ackedChunks) w.u32(order);
  }
  return w.take();
}

Result<std::pair<DirtyFileState, uint64_t>> decodeRecord(std::string_view bytes) {
  ByteReader r(bytes);
  DirtyFileState st;
  uint8_t format = 0, hasUpload = 0;
  uint64_t logGen = 0;
  r.u8(format);
  if (format != kRecordFormat) return corruptValue("journal (unknown format)");
  r.u64(st.key);
  r.u64(logGen);
  r.str(st.workspaceId);
  r.str(st.parentId);
  r.str(st.name);
  r.str(st.baseNodeId);
  r.str(st.baseVersion);
  r.u64(st.size);
  r.u64(st.baseVisibleSize);
  r.u64(st.generation);
  if (!r.ok() || !readExtents(r, st.extents)) return corruptValue("journal");
  r.u32(st.attempts);
  r.str(st.lastError);
  r.i64(st.lastErrorAtNs);
  r.i64(st.modifiedAtNs);
  r.u8(hasUpload);
  if (hasUpload != 0) {
    UploadSnapshot u;
    uint64_t acked = 0;
    r.u64(u.generation);
    r.u64(u.size);
    r.u64(u.baseVisibleSize);
    r.str(u.baseNodeId);
    r.str(u.baseVersion);
    if (!r.ok() || !readExtents(r, u.extents)) return corruptValue("journal upload");
    r.str(u.sessionId);
    r.u64(u.chunkSize);
    r.u64(acked);
    if (!r.ok() || acked > r.rest().size() / 4) return corruptValue("journal upload");
    u.ackedChunks.resize(acked);
    for (auto& order : u.ackedChunks) r.u32(order);
    st.upload = std::move(u);
  }
  if (!r.ok()) return corruptValue("journal");
  return std::make_pair(std::move(st), logGen);
}

}  // namespace

uint64_t DirtyFileState::dirtyBytes() const {
  return liveBytes(extents);
}

// One dirty file in memory. `mu` guards everything; the log handle is fetched on demand.
struct FileEntry {
  std::mutex mu;
  DirtyFileState st;
  uint64_t logGen = 0;
  uint64_t logSize = 0;        // append position
  uint64_t syncedLogSize = 0;  // bytes known fdatasync'd
  bool logExists = false;
  bool nameDurable = false;       // the log's directory entry is fsync'd
  bool discarded = false;         // to be deleted at the next commit
  bool removed = false;           // gone from LMDB and disk: every call fails
  uint64_t changeSeq = 0;         // bumps on every change
  uint64_t persistedSeq = 0;      // changeSeq of the last committed record
  std::vector<uint64_t> oldLogs;  // log generations to delete once a commit no longer needs them
};

struct DirtyJournal::Impl {
  DirtyJournalOptions options;
  const Clock* clock = nullptr;
  std::unique_ptr<LmdbEnv> env;
  MDB_dbi files{};
  MDB_dbi meta{};
  std::unique_ptr<StagingFiles> staging;

  mutable std::shared_mutex mapMu;
  std::unordered_map<FileKey, std::shared_ptr<FileEntry>> entries;
  FileKey nextKey = 1;
  FileKey persistedNextKey = 0;  // written by the committer only

  // Group commit: callers join the open batch; one of them commits it for all.
  struct Batch {
    std::set<FileKey> keys;
    bool all = false;
    bool done = false;
    Status status;
  };
  std::mutex groupMu;
  std::condition_variable groupCv;
  std::shared_ptr<Batch> openBatch;
  bool committing = false;

  int64_t nowNs() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(clock->wallNow().time_since_epoch())
        .count();
  }

  Result<std::shared_ptr<FileEntry>> find(FileKey key) const {
    std::shared_lock<std::shared_mutex> lock(mapMu);
    auto it = entries.find(key);
    if (it == entries.end()) {
      return makeError(ErrorCode::kNotFound, "journal: no dirty file " + std::to_string(key));
    }
    return it->second;
  }

  static Status usable(const FileEntry& e) {
    if (e.discarded || e.removed) {
      return makeError(ErrorCode::kStale,
                       "journal: dirty file " + std::to_string(e.st.key) + " was discarded");
    }
    return okStatus();
  }

  Result<std::shared_ptr<StagingFile>> logFor(FileEntry& e, bool create) {
    auto f = staging->get(logName(e.st.key, e.logGen), create);
    if (f.ok() && create) e.logExists = true;
    return f;
  }

  Status fill(FileEntry& e, const std::vector<DirtyExtent>& extents, uint64_t size,
              uint64_t baseVisible, uint64_t offset, std::span<std::byte> out, ReadPlan& plan) {
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

  // Many extents of which most touch their neighbour in the file but not in the log (e.g.
  // small writes in reverse or random order): a rewrite in file order merges them, keeping
  // the record (rewritten at every sync) small.
  bool fragmented(const std::vector<DirtyExtent>& extents) const {
    if (extents.size() <= options.compactExtentCount) return false;
    size_t mergeable = 0;
    for (size_t i = 1; i < extents.size(); ++i) {
      const DirtyExtent& a = extents[i - 1];
      if (a.offset + a.length == extents[i].offset) ++mergeable;
    }
    return mergeable * 2 > extents.size();
  }

  // Rewrites the live extents into a fresh log when the current one is mostly dead bytes.
  // Called by the committer with e.mu held.
  Status maybeCompact(FileEntry& e) {
    if (e.st.upload || !e.logExists) return okStatus();
    uint64_t live = liveBytes(e.st.extents);
    double limit = static_cast<double>(live) * options.compactFactor +
                   static_cast<double>(options.compactSlackBytes);
    if (static_cast<double>(e.logSize) <= limit && !fragmented(e.st.extents)) return okStatus();
    auto oldLog = logFor(e, false);
    if (!oldLog.ok()) return oldLog.error();
    uint64_t newGen = e.logGen + 1;
    auto fresh = staging->get(logName(e.st.key, newGen), true);
    if (!fresh.ok()) return fresh.error();
    std::vector<DirtyExtent> moved;
    std::vector<std::byte> buf;
    uint64_t pos = 0;
    for (const auto& ext : e.st.extents) {
      buf.resize(ext.length);
      FASTIO_TRY((*oldLog)->readAt(ext.logOffset, buf));
      FASTIO_TRY((*fresh)->writeAt(pos, buf));
      overlayExtent(moved, {ext.offset, ext.length, pos});
      pos += ext.length;
    }
    FASTIO_TRY((*fresh)->dataSync());
    e.oldLogs.push_back(e.logGen);
    e.logGen = newGen;
    e.logSize = pos;
    e.syncedLogSize = pos;
    e.nameDurable = false;
    e.st.extents = std::move(moved);
    ++e.changeSeq;
    return okStatus();
  }

  struct Pending {
    std::shared_ptr<FileEntry> entry;
    uint64_t seq = 0;
    uint64_t logSize = 0;
    bool remove = false;
    std::string record;
    std::shared_ptr<StagingFile> toSync;
    std::vector<uint64_t> oldLogs;
  };

  // Makes every change of the batch's files durable: staging fdatasync, directory fsync,
  // then one LMDB transaction (fsync'd on commit).
  Status commitBatch(const Batch& batch) {
    std::vector<std::shared_ptr<FileEntry>> targets;
    {
      std::shared_lock<std::shared_mutex> lock(mapMu);
      if (batch.all) {
        for (auto& [k, e] : entries) targets.push_back(e);
      } else {
        for (FileKey k : batch.keys) {
          auto it = entries.find(k);
          if (it != entries.end()) targets.push_back(it->second);
        }
      }
    }
    std::vector<Pending> pending;
    bool dirSync = false;
    for (auto& e : targets) {
      std::lock_guard<std::mutex> lock(e->mu);
      if (e->removed || e->persistedSeq == e->changeSeq) continue;
      Pending p;
      p.entry = e;
      if (e->discarded) {
        p.remove = true;
      } else {
        FASTIO_TRY(maybeCompact(*e));
        p.record = encodeRecord(e->st, e->logGen);
        p.logSize = e->logSize;
        if (e->logSize > e->syncedLogSize) {
          auto f = logFor(*e, false);
          if (!f.ok()) return f.error();
          p.toSync = *f;
        }
        if (e->logExists && !e->nameDurable) dirSync = true;
        p.oldLogs = e->oldLogs;
      }
      p.seq = e->changeSeq;
      pending.push_back(std::move(p));
    }
    if (pending.empty()) return okStatus();
    for (auto& p : pending) {
      if (p.toSync) FASTIO_TRY(p.toSync->dataSync());
    }
    if (dirSync) FASTIO_TRY(staging->syncDirectory());
    {
      auto txn = env->beginWrite();
      if (!txn.ok()) return txn.error();
      for (auto& p : pending) {
        std::string k = fileKeyBytes(p.entry->st.key);
        if (p.remove) {
          auto d = txn->del(files, k);
          if (!d.ok()) return d.error();
        } else {
          FASTIO_TRY(txn->put(files, k, p.record));
        }
      }
      FileKey next;
      {
        std::shared_lock<std::shared_mutex> lock(mapMu);
        next = nextKey;
      }
      // Written only when it moved: one LMDB page less per commit.
      if (next != persistedNextKey) {
        FASTIO_TRY(txn->put(meta, kNextKeyKey, ByteWriter().u64(next).take()));
      }
      FASTIO_TRY(txn->commit());
      persistedNextKey = next;
    }
    // The records no longer need what they replaced: remove dropped files and old logs.
    bool removedNames = false;
    for (auto& p : pending) {
      FileEntry& e = *p.entry;
      std::unique_lock<std::mutex> lock(e.mu);
      e.persistedSeq = std::max(e.persistedSeq, p.seq);
      if (p.remove) {
        e.removed = true;
        std::vector<uint64_t> gens = e.oldLogs;
        gens.push_back(e.logGen);
        FileKey key = e.st.key;
        lock.unlock();
        for (uint64_t g : gens) {
          Status s = staging->remove(logName(key, g));
          if (!s.ok()) FASTIO_LOG_WARN("journal: {}", s.error().describe());
        }
        removedNames = true;
        std::unique_lock<std::shared_mutex> mapLock(mapMu);
        auto it = entries.find(key);
        if (it != entries.end() && it->second == p.entry) entries.erase(it);
        continue;
      }
      e.syncedLogSize = std::max(e.syncedLogSize, p.logSize);
      if (e.logExists) e.nameDurable = true;
      for (uint64_t g : p.oldLogs) {
        Status s = staging->remove(logName(e.st.key, g));
        if (!s.ok()) FASTIO_LOG_WARN("journal: {}", s.error().describe());
        e.oldLogs.erase(std::remove(e.oldLogs.begin(), e.oldLogs.end(), g), e.oldLogs.end());
        removedNames = true;
      }
    }
    if (removedNames) {
      Status s = staging->syncDirectory();
      if (!s.ok()) FASTIO_LOG_WARN("journal: {}", s.error().describe());
    }
    return okStatus();
  }

  // Flushes the file's staging log in the caller's thread, so that concurrent syncs of
  // different files flush their logs in parallel and the group commit is left with the LMDB
  // commit alone.
  Status flushLog(FileEntry& e) {
    std::shared_ptr<StagingFile> log;
    uint64_t size = 0, gen = 0;
    {
      std::lock_guard<std::mutex> lock(e.mu);
      if (e.discarded || e.removed || e.logSize <= e.syncedLogSize) return okStatus();
      auto f = logFor(e, false);
      if (!f.ok()) return f.error();
      log = *f;
      size = e.logSize;
      gen = e.logGen;
    }
    FASTIO_TRY(log->dataSync());
    std::lock_guard<std::mutex> lock(e.mu);
    // A compaction may have switched logs meanwhile; then this flush proves nothing new.
    if (e.logGen == gen) e.syncedLogSize = std::max(e.syncedLogSize, size);
    return okStatus();
  }

  Status groupSync(std::optional<FileKey> key) {
    std::unique_lock<std::mutex> lock(groupMu);
    if (!openBatch) openBatch = std::make_shared<Batch>();
    std::shared_ptr<Batch> mine = openBatch;
    if (key) {
      mine->keys.insert(*key);
    } else {
      mine->all = true;
    }
    while (!mine->done) {
      if (!committing) {
        committing = true;
        openBatch.reset();
        lock.unlock();
        Status s = commitBatch(*mine);
        lock.lock();
        mine->status = s;
        mine->done = true;
        committing = false;
        groupCv.notify_all();
      } else {
        groupCv.wait(lock);
      }
    }
    return mine->status;
  }

  Status load() {
    auto txn = env->beginRead();
    if (!txn.ok()) return txn.error();
    auto next = txn->get(meta, kNextKeyKey);
    if (!next.ok()) return next.error();
    if (next->has_value()) {
      ByteReader r(**next);
      if (!r.u64(nextKey)) return corruptValue("journal next key");
      persistedNextKey = nextKey;
    }
    std::set<std::string> wanted;
    auto c = txn->cursor(files);
    if (!c.ok()) return c.error();
    for (auto at = c->first();; at = c->next()) {
      if (!at.ok()) return at.error();
      if (!*at) break;
      auto rec = decodeRecord(c->value());
      if (!rec.ok()) {
        return makeError(ErrorCode::kIo, "journal " + env->dir().string() +
                                             " holds an unreadable record: " + rec.error().message);
      }
      auto e = std::make_shared<FileEntry>();
      e->st = std::move(rec->first);
      e->logGen = rec->second;
      std::string name = logName(e->st.key, e->logGen);
      auto f = staging->get(name, false);
      if (f.ok()) {
        auto size = (*f)->size();
        if (!size.ok()) return size.error();
        e->logSize = *size;
        e->logExists = true;
        e->nameDurable = true;
      } else if (!e->st.extents.empty()) {
        return makeError(ErrorCode::kIo, "journal: staging log " + name + " of dirty file " +
                                             std::to_string(e->st.key) + " is missing");
      }
      wanted.insert(name);
      nextKey = std::max(nextKey, e->st.key + 1);
      entries[e->st.key] = std::move(e);
    }
    // Logs no record points at: unacknowledged new files, compactions that did not commit.
    std::error_code ec;
    for (const auto& item : std::filesystem::directory_iterator(staging->dir(), ec)) {
      std::string name = item.path().filename().string();
      if (wanted.count(name) == 0) {
        Status s = staging->remove(name);
        if (!s.ok()) FASTIO_LOG_WARN("journal: {}", s.error().describe());
      }
    }
    if (ec) return makeError(ErrorCode::kIo, "journal: cannot list " + staging->dir().string());
    return okStatus();
  }

  // Applies `change` to the entry under its lock, then syncs it (upload lifecycle calls).
  template <typename F>
  Status changeAndSync(FileKey key, F&& change) {
    auto e = find(key);
    if (!e.ok()) return e.error();
    {
      std::lock_guard<std::mutex> lock((*e)->mu);
      FASTIO_TRY(usable(**e));
      FASTIO_TRY(change((*e)->st));
      ++(*e)->changeSeq;
    }
    return groupSync(key);
  }
};

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
  FASTIO_TRY(impl->load());
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
  e->st.size = file.baseSize;
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
  entry.st.size = std::max(entry.st.size, offset + data.size());
  ++entry.st.generation;
  entry.st.modifiedAtNs = impl_->nowNs();
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
  ++entry.changeSeq;
  return okStatus();
}

Status DirtyJournal::setPlacement(FileKey key, std::string_view parentId, std::string_view name) {
  auto e = impl_->find(key);
  if (!e.ok()) return e.error();
  std::lock_guard<std::mutex> lock((*e)->mu);
  FASTIO_TRY(Impl::usable(**e));
  (*e)->st.parentId = std::string(parentId);
  (*e)->st.name = std::string(name);
  ++(*e)->changeSeq;
  return okStatus();
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

Status DirtyJournal::sync(FileKey key) {
  auto e = impl_->find(key);
  if (!e.ok()) return e.error();
  FASTIO_TRY(impl_->flushLog(**e));
  return impl_->groupSync(key);
}

Status DirtyJournal::syncAll() {
  return impl_->groupSync(std::nullopt);
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
  std::shared_lock<std::shared_mutex> lock(impl_->mapMu);
  for (const auto& [key, e] : impl_->entries) {
    std::lock_guard<std::mutex> entryLock(e->mu);
    if (!e->discarded && !e->removed && e->st.baseNodeId == nodeId) return key;
  }
  return std::nullopt;
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
    if (!e->removed) total += liveBytes(e->st.extents);
  }
  return total;
}

uint64_t DirtyJournal::stagingBytes() const {
  uint64_t total = 0;
  std::shared_lock<std::shared_mutex> lock(impl_->mapMu);
  for (const auto& [key, e] : impl_->entries) {
    std::lock_guard<std::mutex> entryLock(e->mu);
    if (!e->removed) total += e->logSize;
  }
  return total;
}

Result<UploadSnapshot> DirtyJournal::beginUpload(FileKey key) {
  UploadSnapshot snapshot;
  FASTIO_TRY(impl_->changeAndSync(key, [&](DirtyFileState& st) -> Status {
    if (st.upload) {
      return makeError(ErrorCode::kConflict, "journal: an upload of dirty file " +
                                                 std::to_string(key) + " is in progress");
    }
    snapshot.generation = st.generation;
    snapshot.size = st.size;
    snapshot.baseVisibleSize = st.baseVisibleSize;
    snapshot.baseNodeId = st.baseNodeId;
    snapshot.baseVersion = st.baseVersion;
    snapshot.extents = st.extents;
    st.upload = snapshot;
    return okStatus();
  }));
  return snapshot;
}

Status DirtyJournal::setUploadSession(FileKey key, std::string_view sessionId, uint64_t chunkSize) {
  return impl_->changeAndSync(key, [&](DirtyFileState& st) -> Status {
    if (!st.upload) return makeError(ErrorCode::kInvalid, "journal: no upload in progress");
    st.upload->sessionId = std::string(sessionId);
    st.upload->chunkSize = chunkSize;
    st.upload->ackedChunks.clear();
    return okStatus();
  });
}

Status DirtyJournal::ackChunk(FileKey key, uint32_t order) {
  return impl_->changeAndSync(key, [&](DirtyFileState& st) -> Status {
    if (!st.upload) return makeError(ErrorCode::kInvalid, "journal: no upload in progress");
    auto& acked = st.upload->ackedChunks;
    auto it = std::lower_bound(acked.begin(), acked.end(), order);
    if (it == acked.end() || *it != order) acked.insert(it, order);
    return okStatus();
  });
}

Status DirtyJournal::recordFailure(FileKey key, std::string_view message, bool keepSession) {
  int64_t now = impl_->nowNs();
  return impl_->changeAndSync(key, [&](DirtyFileState& st) -> Status {
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
      st.upload.reset();
      st.attempts = 0;
      st.lastError.clear();
    }
    ++(*e)->changeSeq;
  }
  FASTIO_TRY(impl_->groupSync(key));
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
  return impl_->groupSync(key);
}

}  // namespace fastio::cache
