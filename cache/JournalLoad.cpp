// Opening the journal: the power-level records from LMDB, then the write-ahead log replayed
// over them. Per file the newest record whose staging bytes are all there wins; a torn tail
// ends the replay. A checkpoint then puts the outcome in LMDB before orphaned logs go.

#include <algorithm>
#include <system_error>

#include "cache/Codec.h"
#include "cache/DirtyJournalImpl.h"
#include "common/Log.h"

namespace fastio::cache {
namespace {

// The log's length, or nullopt when it does not exist.
std::optional<uint64_t> logLength(const StagingFiles& staging, FileKey key, uint64_t gen) {
  std::error_code ec;
  uint64_t size = std::filesystem::file_size(staging.dir() / logName(key, gen), ec);
  if (ec) return std::nullopt;
  return size;
}

std::string describeLog(std::optional<uint64_t> have, uint64_t need) {
  if (!have) return "is missing";
  return "holds " + std::to_string(*have) + " of the " + std::to_string(need) +
         " bytes its extents need";
}

}  // namespace

Status DirtyJournal::Impl::load() {
  std::map<FileKey, StoredRecord> durable;
  {
    auto txn = env->beginRead();
    if (!txn.ok()) return txn.error();
    for (const auto& [name, target] :
         {std::pair{&kNextKeyKey, &nextKey}, std::pair{&kWalFloorKey, &walFloor}}) {
      auto v = txn->get(meta, *name);
      if (!v.ok()) return v.error();
      if (v->has_value()) {
        ByteReader r(**v);
        if (!r.u64(*target)) return corruptValue("journal " + *name);
      }
    }
    nextKey = std::max<FileKey>(nextKey, 1);
    persistedNextKey = nextKey;
    lastSeq = walFloor;
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
      FileKey key = rec->state.key;
      lastSeq = std::max(lastSeq, rec->commitSeq);
      nextKey = std::max(nextKey, key + 1);
      durable.emplace(key, std::move(*rec));
    }
  }
  std::error_code ignored;
  std::filesystem::remove(wal->path().string() + ".new", ignored);  // a replace cut short
  auto contents = wal->readAll();
  if (!contents.ok()) return contents.error();
  if (contents->tornBytes > 0) {
    FASTIO_LOG_WARN("journal: ignoring the last {} bytes of {}: a write cut short",
                    contents->tornBytes, wal->path().string());
    FASTIO_TRY(wal->truncateTo(contents->validBytes));
  }
  std::map<FileKey, std::vector<const WalFrame*>> frames;
  for (const WalFrame& f : contents->frames) {
    lastSeq = std::max(lastSeq, f.seq);
    nextKey = std::max(nextKey, f.key + 1);
    // At or below the floor: a checkpoint put it in LMDB already (an emptying that was lost).
    if (f.seq > walFloor) frames[f.key].push_back(&f);
  }
  std::set<FileKey> keys;
  for (const auto& [key, rec] : durable) keys.insert(key);
  for (const auto& [key, list] : frames) keys.insert(key);
  for (FileKey key : keys) {
    auto d = durable.find(key);
    auto f = frames.find(key);
    FASTIO_TRY(adopt(key, d == durable.end() ? nullptr : &d->second,
                     f == frames.end() ? std::vector<const WalFrame*>{} : f->second));
  }
  if (!contents->frames.empty()) FASTIO_TRY(groupSync(std::nullopt, Durability::kPower, nullptr));
  deleteOrphanLogs();
  return okStatus();
}

Status DirtyJournal::Impl::adopt(FileKey key, const StoredRecord* durable,
                                 const std::vector<const WalFrame*>& frames) {
  std::string name;
  for (auto it = frames.rbegin(); it != frames.rend(); ++it) {
    const WalFrame& f = **it;
    if (durable != nullptr && f.seq <= durable->commitSeq) break;  // LMDB holds newer
    if (f.kind == WalFrameKind::kTombstone) {
      if (durable == nullptr) return okStatus();  // never reached LMDB: nothing to undo
      // Removed from LMDB (with its logs) by the checkpoint that follows.
      auto e = std::make_shared<FileEntry>();
      e->st.key = key;
      e->logGen = durable->logGen;
      e->logSize = logLength(*staging, key, durable->logGen).value_or(0);
      e->logExists = e->logSize > 0;
      e->discarded = true;
      e->changeSeq = e->processSeq = 1;
      stagingTotal += e->logSize;
      entries[key] = std::move(e);
      return okStatus();
    }
    auto rec = decodeRecord(f.record);
    if (!rec.ok() || rec->state.key != key) {
      FASTIO_LOG_WARN("journal: skipping an unreadable write-ahead record of dirty file {}", key);
      continue;
    }
    name = rec->state.name;
    auto have = logLength(*staging, key, rec->logGen);
    uint64_t need = logBytesNeeded(rec->state);
    if (need > 0 && (!have || *have < need)) {
      FASTIO_LOG_WARN(
          "journal: dropping the close-level record {} of dirty file {} '{}': its staging log {} "
          "{} (a power cut?); falling back to an older record",
          f.seq, key, rec->state.name, logName(key, rec->logGen), describeLog(have, need));
      continue;
    }
    adoptRecord(std::move(*rec), have, true, durable);
    return okStatus();
  }
  if (durable == nullptr) {
    FASTIO_LOG_WARN(
        "journal: dropping new dirty file {} '{}': none of its close-level records kept its data "
        "(a power cut?)",
        key, name);
    return okStatus();
  }
  auto have = logLength(*staging, key, durable->logGen);
  uint64_t need = logBytesNeeded(durable->state);
  if (need > 0 && (!have || *have < need)) {
    return makeError(ErrorCode::kIo, "journal: staging log " + logName(key, durable->logGen) +
                                         " of dirty file " + std::to_string(key) + " " +
                                         describeLog(have, need));
  }
  adoptRecord(*durable, have, false, nullptr);
  return okStatus();
}

// fromWal: the record is only close-level durable, so the checkpoint after the replay flushes
// its log and commits it. `replaced`: the LMDB record it supersedes, whose log is kept until
// that commit.
void DirtyJournal::Impl::adoptRecord(StoredRecord rec, std::optional<uint64_t> logBytes,
                                     bool fromWal, const StoredRecord* replaced) {
  auto e = std::make_shared<FileEntry>();
  FileKey key = rec.state.key;
  e->st = std::move(rec.state);
  e->logGen = rec.logGen;
  e->poison = std::move(rec.poison);
  e->logExists = logBytes.has_value();
  e->logSize = logBytes.value_or(0);
  stagingTotal += e->logSize;
  if (fromWal) {
    e->changeSeq = e->processSeq = 1;
    if (replaced != nullptr && replaced->logGen != e->logGen) {
      if (auto old = logLength(*staging, key, replaced->logGen)) {
        e->oldLogs.push_back({replaced->logGen, *old});
        stagingTotal += *old;
      }
    }
  } else {
    e->syncedLogSize = e->logSize;
    e->nameDurable = e->logExists;
  }
  entries[key] = std::move(e);
}

void DirtyJournal::Impl::deleteOrphanLogs() {
  std::set<std::string> wanted;
  for (const auto& [key, e] : entries) {
    wanted.insert(logName(key, e->logGen));
    for (const auto& old : e->oldLogs) wanted.insert(logName(key, old.gen));
  }
  std::error_code ec;
  for (const auto& item : std::filesystem::directory_iterator(staging->dir(), ec)) {
    std::string name = item.path().filename().string();
    if (StagingFiles::isSpareName(name)) {
      staging->adoptSpare(name);
    } else if (wanted.count(name) == 0) {
      Status s = staging->remove(name);
      if (!s.ok()) FASTIO_LOG_WARN("journal: {}", s.error().describe());
    }
  }
  if (ec) FASTIO_LOG_WARN("journal: cannot list {}: {}", staging->dir().string(), ec.message());
}

}  // namespace fastio::cache
