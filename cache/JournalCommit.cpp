// Group commit at the two durability levels, checkpoints, compaction and sticky fdatasync
// errors. The argument for each ordering is in docs/CACHE.md ("Two durability levels").

#include <sys/stat.h>

#include <algorithm>

#include "cache/Codec.h"
#include "cache/DirtyJournalImpl.h"
#include "cache/ExtentMap.h"
#include "common/FaultPoints.h"
#include "common/Log.h"

namespace fastio::cache {
namespace {

bool touches(const std::vector<DirtyExtent>& extents, const PoisonedRange& p) {
  for (const auto& x : extents) {
    if (x.logOffset < p.to && p.from < x.logOffset + x.length) return true;
  }
  return false;
}

uint64_t apparentSize(const std::filesystem::path& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

}  // namespace

// What a batch took from one file under its lock.
struct DirtyJournal::Impl::Capture {
  std::shared_ptr<FileEntry> entry;
  FileKey key = 0;
  uint64_t changeSeq = 0;
  bool remove = false;
  std::string record;
  uint64_t logGen = 0;
  bool newName = false;
  std::vector<OldLog> oldLogs;
  bool skip = false;  // not committed to LMDB (poisoned, or its log could not be flushed)
};

// --- group commit

Status DirtyJournal::Impl::groupSync(std::optional<FileKey> key, Durability level,
                                     std::map<FileKey, Error>* fileErrors) {
  auto slotOf = [this](Durability l) -> std::shared_ptr<Batch>& {
    return openBatch[l == Durability::kPower ? 1 : 0];
  };
  std::unique_lock<std::mutex> lock(groupMu);
  std::shared_ptr<Batch>& slot = slotOf(level);
  if (!slot) {
    slot = std::make_shared<Batch>();
    slot->level = level;
  }
  std::shared_ptr<Batch> mine = slot;
  if (key) {
    mine->keys.insert(*key);
  } else {
    mine->all = true;
  }
  while (!mine->done) {
    if (committing) {
      groupCv.wait(lock);
      continue;
    }
    committing = true;
    if (slotOf(mine->level) == mine) slotOf(mine->level).reset();
    lock.unlock();
    Status s = commitBatch(*mine);
    bool walFull = mine->level == Durability::kProcess && wal->size() > options.walCheckpointBytes;
    lock.lock();
    mine->status = s;
    mine->done = true;
    if (walFull) {
      // The batch's callers may return; this thread stays the committer for the checkpoint.
      groupCv.notify_all();
      lock.unlock();
      Batch checkpointBatch;
      checkpointBatch.level = Durability::kPower;
      checkpointBatch.all = true;
      Status c = commitBatch(checkpointBatch);
      if (!c.ok()) FASTIO_LOG_WARN("journal: checkpoint failed: {}", c.error().describe());
      lock.lock();
    }
    committing = false;
    groupCv.notify_all();
  }
  if (fileErrors != nullptr) *fileErrors = mine->fileErrors;
  return mine->status;
}

std::vector<std::shared_ptr<FileEntry>> DirtyJournal::Impl::targetsOf(const Batch& batch) const {
  std::vector<std::shared_ptr<FileEntry>> targets;
  std::shared_lock<std::shared_mutex> lock(mapMu);
  if (batch.all) {
    for (const auto& [k, e] : entries) targets.push_back(e);
  } else {
    for (FileKey k : batch.keys) {
      auto it = entries.find(k);
      if (it != entries.end()) targets.push_back(it->second);
    }
  }
  return targets;
}

Status DirtyJournal::Impl::commitBatch(Batch& batch) {
  auto targets = targetsOf(batch);
  Status s =
      batch.level == Durability::kProcess ? commitProcess(targets) : commitPower(batch, targets);
  refreshFootprint(batch.level == Durability::kPower);
  return s;
}

std::optional<DirtyJournal::Impl::Capture> DirtyJournal::Impl::capture(
    const std::shared_ptr<FileEntry>& e, Durability level, uint64_t seq) {
  std::lock_guard<std::mutex> lock(e->mu);
  uint64_t done = level == Durability::kPower ? e->powerSeq : e->processSeq;
  if (e->removed || done == e->changeSeq) return std::nullopt;
  Capture c;
  c.entry = e;
  c.key = e->st.key;
  c.logGen = e->logGen;
  if (e->discarded) {
    c.remove = true;
    c.changeSeq = e->changeSeq;
    return c;
  }
  // Only at kPower: a close stays a cheap append; the copy is made durable in the same batch.
  if (level == Durability::kPower) compactIfWorthIt(*e);
  refreshPoison(*e);
  c.changeSeq = e->changeSeq;
  c.logGen = e->logGen;
  c.record = encodeRecord(e->st, e->logGen, seq, e->poison);
  c.newName = e->logExists && !e->nameDurable;
  c.oldLogs = e->oldLogs;
  c.skip = !e->poison.empty();
  return c;
}

// kProcess: one write() of every changed record to the write-ahead log. No fsync: the staging
// bytes and the frames are in the page cache, which outlives the process.
Status DirtyJournal::Impl::commitProcess(const std::vector<std::shared_ptr<FileEntry>>& targets) {
  uint64_t seq = ++lastSeq;
  std::vector<Capture> caps;
  std::string frames;
  for (const auto& e : targets) {
    auto c = capture(e, Durability::kProcess, seq);
    if (!c) continue;
    WriteAheadLog::appendFrame(frames, c->remove ? WalFrameKind::kTombstone : WalFrameKind::kRecord,
                               seq, c->key, c->record);
    caps.push_back(std::move(*c));
  }
  if (caps.empty()) return okStatus();
  FASTIO_TRY(wal->append(frames));
  for (auto& c : caps) {
    std::lock_guard<std::mutex> lock(c.entry->mu);
    c.entry->processSeq = std::max(c.entry->processSeq, c.changeSeq);
  }
  return okStatus();
}

// kPower: fdatasync the logs (writeback of all of them started first, so the waits overlap),
// fsync the staging directory when a log is new, then one fsync'd LMDB transaction. A batch
// of every file is a checkpoint: it also marks the write-ahead log as absorbed and empties it.
Status DirtyJournal::Impl::commitPower(Batch& batch,
                                       const std::vector<std::shared_ptr<FileEntry>>& targets) {
  uint64_t seq = ++lastSeq;
  bool checkpoint = batch.all;
  std::vector<Capture> caps;
  for (const auto& e : targets) {
    if (auto c = capture(e, Durability::kPower, seq)) caps.push_back(std::move(*c));
  }
  if (caps.empty() && (!checkpoint || wal->size() == 0)) return okStatus();  // idle
  for (auto& c : caps) {
    if (c.remove || c.skip) continue;
    FileEntry& e = *c.entry;
    std::lock_guard<std::mutex> lock(e.mu);
    if (e.logExists && e.logSize > e.syncedLogSize) {
      if (auto f = logFor(e, false); f.ok()) {
        (*f)->startWriteback(e.syncedLogSize, e.logSize - e.syncedLogSize);
      }
    }
  }
  bool dirSync = false;
  for (auto& c : caps) {
    if (c.remove || c.skip) continue;
    if (Status f = flushLog(*c.entry); !f.ok()) {
      c.skip = true;
      batch.fileErrors[c.key] = f.error();
      continue;
    }
    std::lock_guard<std::mutex> lock(c.entry->mu);
    if (!c.entry->poison.empty()) c.skip = true;  // this flush failed
    if (!c.skip && c.newName) dirSync = true;
  }
  if (dirSync) FASTIO_TRY(staging->syncDirectory());
  // Files that stay out of LMDB keep (or get) their newest state in the write-ahead log, with
  // a sequence above this batch's, so that a checkpoint's floor does not hide it.
  std::vector<std::shared_ptr<FileEntry>> walOnly;
  for (const auto& c : caps) {
    if (c.skip) walOnly.push_back(c.entry);
  }
  std::string walOnlyFrames;
  if (!walOnly.empty()) {
    auto appended = appendCurrentStates(walOnly);
    if (appended.ok()) {
      walOnlyFrames = std::move(*appended);
    } else {
      FASTIO_LOG_WARN("journal: {}", appended.error().describe());
      checkpoint = false;  // the log must keep what it has
    }
  }
  FASTIO_TRY(commitToLmdb(caps, checkpoint, seq));
  finishPowerCommit(caps);
  if (checkpoint) {
    walFloor = seq;
    Status t = walOnlyFrames.empty() ? wal->truncateTo(0) : wal->replaceWith(walOnlyFrames);
    if (!t.ok())
      FASTIO_LOG_WARN("journal: cannot empty the write-ahead log: {}", t.error().describe());
  }
  return okStatus();
}

Status DirtyJournal::Impl::commitToLmdb(const std::vector<Capture>& caps, bool checkpoint,
                                        uint64_t seq) {
  auto txn = env->beginWrite();
  if (!txn.ok()) return txn.error();
  for (const auto& c : caps) {
    if (c.skip) continue;
    std::string k = fileKeyBytes(c.key);
    if (c.remove) {
      auto d = txn->del(files, k);
      if (!d.ok()) return d.error();
    } else {
      FASTIO_TRY(txn->put(files, k, c.record));
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
  if (checkpoint) FASTIO_TRY(txn->put(meta, kWalFloorKey, ByteWriter().u64(seq).take()));
  FASTIO_TRY(faults::hit("journal.commit"));
  FASTIO_TRY(txn->commit());
  persistedNextKey = next;
  return okStatus();
}

// LMDB no longer needs what the committed records replaced: dropped files and old logs go.
void DirtyJournal::Impl::finishPowerCommit(std::vector<Capture>& caps) {
  bool removedNames = false;
  for (auto& c : caps) {
    if (c.skip) continue;
    FileEntry& e = *c.entry;
    std::unique_lock<std::mutex> lock(e.mu);
    e.powerSeq = std::max(e.powerSeq, c.changeSeq);
    e.processSeq = std::max(e.processSeq, c.changeSeq);
    std::vector<OldLog> gone = c.oldLogs;
    if (c.remove) {
      e.removed = true;
      gone = e.oldLogs;
      gone.push_back({e.logGen, e.logSize});
      e.oldLogs.clear();
      e.logSize = 0;
    } else {
      if (c.newName && e.logGen == c.logGen) e.nameDurable = true;
      std::erase_if(e.oldLogs, [&](const OldLog& o) {
        return std::any_of(gone.begin(), gone.end(),
                           [&](const OldLog& g) { return g.gen == o.gen; });
      });
    }
    lock.unlock();
    if (!gone.empty()) {
      removeLogs(c.key, gone);
      removedNames = true;
    }
    if (c.remove) {
      std::unique_lock<std::shared_mutex> mapLock(mapMu);
      auto it = entries.find(c.key);
      if (it != entries.end() && it->second == c.entry) entries.erase(it);
    }
  }
  if (removedNames) {
    Status s = staging->syncDirectory();
    if (!s.ok()) FASTIO_LOG_WARN("journal: {}", s.error().describe());
  }
}

Result<std::string> DirtyJournal::Impl::appendCurrentStates(
    const std::vector<std::shared_ptr<FileEntry>>& targets) {
  uint64_t seq = ++lastSeq;
  std::string frames;
  std::vector<std::pair<std::shared_ptr<FileEntry>, uint64_t>> written;
  for (const auto& e : targets) {
    std::lock_guard<std::mutex> lock(e->mu);
    if (e->removed) continue;
    if (e->discarded) {
      WriteAheadLog::appendFrame(frames, WalFrameKind::kTombstone, seq, e->st.key, {});
    } else {
      refreshPoison(*e);
      WriteAheadLog::appendFrame(frames, WalFrameKind::kRecord, seq, e->st.key,
                                 encodeRecord(e->st, e->logGen, seq, e->poison));
    }
    written.emplace_back(e, e->changeSeq);
  }
  if (frames.empty()) return frames;
  FASTIO_TRY(wal->append(frames));
  for (auto& [e, changeSeq] : written) {
    std::lock_guard<std::mutex> lock(e->mu);
    e->processSeq = std::max(e->processSeq, changeSeq);
  }
  return frames;
}

void DirtyJournal::Impl::removeLogs(FileKey key, const std::vector<OldLog>& logs) {
  for (const auto& log : logs) {
    Status s = staging->remove(logName(key, log.gen));
    if (!s.ok()) FASTIO_LOG_WARN("journal: {}", s.error().describe());
    stagingTotal -= log.bytes;
  }
}

void DirtyJournal::Impl::refreshFootprint(bool lmdbToo) {
  if (lmdbToo) {
    uint64_t bytes = apparentSize(dir) + apparentSize(dir / "records") +
                     apparentSize(dir / "records" / "data.mdb") +
                     apparentSize(dir / "records" / "lock.mdb");
    lmdbFootprint.store(bytes, std::memory_order_relaxed);
  }
  stagingDirBytes.store(apparentSize(staging->dir()), std::memory_order_relaxed);
}

// --- sticky fdatasync errors

void DirtyJournal::Impl::refreshPoison(FileEntry& e) {
  if (e.poison.empty()) return;
  bool stillRead = std::any_of(e.poison.begin(), e.poison.end(), [&](const PoisonedRange& p) {
    return p.logGen == e.logGen &&
           (touches(e.st.extents, p) || (e.st.upload && touches(e.st.upload->extents, p)));
  });
  if (!stillRead) {
    e.poison.clear();
    e.st.syncError.clear();
  }
}

Status DirtyJournal::Impl::flushLog(FileEntry& e) {
  std::lock_guard<std::mutex> flushLock(e.flushMu);
  std::shared_ptr<StagingFile> log;
  uint64_t size = 0, gen = 0, from = 0;
  {
    std::lock_guard<std::mutex> lock(e.mu);
    if (e.discarded || e.removed || !e.logExists || e.logSize <= e.syncedLogSize) {
      return okStatus();
    }
    auto f = logFor(e, false);
    if (!f.ok()) return f.error();
    log = *f;
    size = e.logSize;
    gen = e.logGen;
    from = e.syncedLogSize;
  }
  Status s = log->dataSync();
  std::lock_guard<std::mutex> lock(e.mu);
  if (e.logGen != gen) return okStatus();  // compacted meanwhile: this log no longer matters
  if (s.ok()) {
    e.syncedLogSize = std::max(e.syncedLogSize, size);
    return okStatus();
  }
  // Linux reports a writeback error once: the next fdatasync succeeds without the lost pages.
  // So every byte written before this failure was reported stays suspect until rewritten.
  e.poison.push_back({gen, from, e.logSize});
  e.syncedLogSize = e.logSize;
  e.st.syncError = "journal: the data of '" + e.st.name + "' (dirty file " +
                   std::to_string(e.st.key) + ") could not be written to disk (" +
                   s.error().message + "); rewrite the file to clear this error";
  FASTIO_LOG_ERROR("{}", e.st.syncError);
  refreshPoison(e);
  ++e.changeSeq;
  return okStatus();
}

Status DirtyJournal::Impl::stickyError(FileKey key) const {
  auto e = find(key);
  if (!e.ok()) return okStatus();
  std::lock_guard<std::mutex> lock((*e)->mu);
  if ((*e)->discarded || (*e)->st.syncError.empty()) return okStatus();
  return makeError(ErrorCode::kIo, (*e)->st.syncError);
}

Status DirtyJournal::Impl::stickyErrorOfAny() const {
  std::optional<std::pair<FileKey, std::string>> first;
  size_t count = 0;
  std::shared_lock<std::shared_mutex> mapLock(mapMu);
  for (const auto& [key, e] : entries) {
    std::lock_guard<std::mutex> lock(e->mu);
    if (e->discarded || e->removed || e->st.syncError.empty()) continue;
    ++count;
    if (!first || key < first->first) first.emplace(key, e->st.syncError);
  }
  if (!first) return okStatus();
  std::string more = count > 1 ? " (and " + std::to_string(count - 1) + " more files)" : "";
  return makeError(ErrorCode::kIo, first->second + more);
}

// --- compaction

// Many extents of which most touch their neighbour in the file but not in the log (e.g. small
// writes in reverse or random order): a rewrite in file order merges them, keeping the record
// (rewritten at every sync) small.
bool DirtyJournal::Impl::fragmented(const std::vector<DirtyExtent>& extents) const {
  if (extents.size() <= options.compactExtentCount) return false;
  size_t mergeable = 0;
  for (size_t i = 1; i < extents.size(); ++i) {
    const DirtyExtent& a = extents[i - 1];
    if (a.offset + a.length == extents[i].offset) ++mergeable;
  }
  return mergeable * 2 > extents.size();
}

// Rewrites the live extents into a fresh log when the current one is mostly dead bytes.
// Called by the committer with e.mu held. Not while a snapshot pins the log, nor while the
// log holds poisoned bytes (a copy would launder them). A failure keeps the old log.
void DirtyJournal::Impl::compactIfWorthIt(FileEntry& e) {
  if (e.st.upload || !e.logExists || !e.poison.empty()) return;
  uint64_t live = liveBytes(e.st.extents);
  double limit = static_cast<double>(live) * options.compactFactor +
                 static_cast<double>(options.compactSlackBytes);
  if (static_cast<double>(e.logSize) <= limit && !fragmented(e.st.extents)) return;
  uint64_t newGen = e.logGen + 1;
  std::string newName = logName(e.st.key, newGen);
  std::vector<DirtyExtent> moved;
  uint64_t pos = 0;
  auto copy = [&]() -> Status {
    auto oldLog = logFor(e, false);
    if (!oldLog.ok()) return oldLog.error();
    auto fresh = staging->get(newName, true);
    if (!fresh.ok()) return fresh.error();
    std::vector<std::byte> buf;
    for (const auto& ext : e.st.extents) {
      buf.resize(ext.length);
      FASTIO_TRY((*oldLog)->readAt(ext.logOffset, buf));
      FASTIO_TRY((*fresh)->writeAt(pos, buf));
      overlayExtent(moved, {ext.offset, ext.length, pos});
      pos += ext.length;
    }
    return okStatus();
  };
  if (Status s = copy(); !s.ok()) {
    FASTIO_LOG_WARN("journal: compaction of dirty file {} failed, keeping its log: {}", e.st.key,
                    s.error().describe());
    (void)staging->remove(newName);
    return;
  }
  e.oldLogs.push_back({e.logGen, e.logSize});
  e.logGen = newGen;
  e.logSize = pos;
  e.syncedLogSize = 0;  // flushed by the same batch before the record switches
  e.nameDurable = false;
  e.st.extents = std::move(moved);
  stagingTotal += pos;
  ++e.changeSeq;
}

}  // namespace fastio::cache
