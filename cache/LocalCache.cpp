#include "cache/LocalCache.h"

#include <sys/stat.h>

#include <chrono>
#include <system_error>

#include "cache/Codec.h"
#include "common/Log.h"

namespace fastio::cache {
namespace {

constexpr char kFormatMagic[] = "fastiofs-clean";
constexpr uint32_t kFormatVersion = 1;
constexpr uint64_t kMinDirtyLimit = 4ull << 20;
constexpr uint64_t kMinCleanShare = 8ull << 20;
// Lock files (LMDB's two lock.mdb hold 1024 reader slots each), LOCK and the directories.
constexpr uint64_t kFixedOverhead = 1ull << 20;

// The clean cache's files may take this much: its share less the fixed overhead.
uint64_t cleanFileLimit(const LocalCacheOptions& options, uint64_t dirtyLimit) {
  return options.cacheSizeBytes - dirtyLimit - kFixedOverhead;
}

uint64_t apparentSize(const std::filesystem::path& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

struct CleanParts {
  std::unique_ptr<LmdbEnv> env;
  std::unique_ptr<MetadataCache> metadata;
  std::unique_ptr<BlockCache> blocks;
};

// Why a clean cache cannot be used as it is; nullopt when the failure is of another kind
// (permissions, disk full) that rebuilding would not cure.
std::optional<std::string> unusableReason(const Error& e) {
  if (e.remoteCode != 0 && isCorruptionCode(static_cast<int>(e.remoteCode))) return e.message;
  if (e.code == ErrorCode::kIo && e.message.find("malformed") != std::string::npos) {
    return e.message;
  }
  if (e.code == ErrorCode::kProtocol) return e.message;  // incompatible format
  return std::nullopt;
}

// Checks (or, in an empty environment, writes) the format record.
Status checkFormat(LmdbEnv& env, uint32_t blockSize) {
  auto dbi = env.openDatabase("clean_format");
  if (!dbi.ok()) return dbi.error();
  std::string expected = ByteWriter().raw(kFormatMagic).u32(kFormatVersion).u32(blockSize).take();
  auto txn = env.beginWrite();
  if (!txn.ok()) return txn.error();
  auto v = txn->get(*dbi, "format");
  if (!v.ok()) return v.error();
  if (v->has_value()) {
    if (**v != expected) {
      return makeError(ErrorCode::kProtocol,
                       "clean cache has another format or block size than this build expects");
    }
    return okStatus();
  }
  // No format record: only a brand-new environment may be adopted. Named databases are keys
  // of the main database, so a used environment has keys other than ours.
  MDB_dbi main{};
  int rc = mdb_dbi_open(txn->raw(), nullptr, 0, &main);
  if (rc != 0) return lmdbError(rc, "lmdb open main database");
  {
    auto c = txn->cursor(main);
    if (!c.ok()) return c.error();
    for (auto at = c->first();; at = c->next()) {
      if (!at.ok()) return at.error();
      if (!*at) break;
      if (c->key() != "clean_format") {
        return makeError(ErrorCode::kProtocol, "clean cache has data but no format record");
      }
    }
  }
  FASTIO_TRY(txn->put(*dbi, "format", expected));
  return txn->commit();
}

Result<CleanParts> openClean(const std::filesystem::path& dir, const LocalCacheOptions& options,
                             uint64_t dirtyLimit, const Clock& clock) {
  CleanParts parts;
  LmdbEnvOptions envOptions;
  uint64_t limit = cleanFileLimit(options, dirtyLimit);
  // Address space only: room above the byte cap for metadata and free-page slack.
  envOptions.mapSizeBytes = limit + limit / 4 + (64ull << 20);
  envOptions.durableCommits = false;
  auto env = LmdbEnv::open(dir, envOptions);
  if (!env.ok()) return env.error();
  parts.env = std::move(*env);
  FASTIO_TRY(checkFormat(*parts.env, options.blockSize));
  auto metadata = MetadataCache::open(*parts.env, clock);
  if (!metadata.ok()) return metadata.error();
  parts.metadata = std::move(*metadata);
  BlockCacheOptions blockOptions;
  // LMDB's file runs ~8 % above the pages in use (free pages reusable only two commits later,
  // branch pages, the free list; DuOfTheCacheDirectoryStaysWithinTheCacheSize measures it):
  // keep 10 % of the clean allowance for it so the file, not just the blocks, stays within.
  blockOptions.capacityBytes = limit - limit / 10;
  // ...and when readers or fragmentation make it run further above, the file limit holds.
  blockOptions.fileLimitBytes = limit;
  blockOptions.blockSize = options.blockSize;
  auto blocks = BlockCache::open(*parts.env, blockOptions);
  if (!blocks.ok()) return blocks.error();
  parts.blocks = std::move(*blocks);
  // Touch every record once so a corrupt page shows now, not under a user's read.
  auto listed = parts.metadata->workspaces();
  if (!listed.ok()) return listed.error();
  return parts;
}

// The clean file outgrew its share (a smaller cache size than before): evict blocks down to
// the new budget, write a compacted copy beside it, swap it in and reopen. LMDB files never
// shrink by themselves. A failure is logged and the cache is used as it is.
Result<CleanParts> shrinkClean(CleanParts parts, const std::filesystem::path& dir,
                               const LocalCacheOptions& options, uint64_t dirtyLimit,
                               const Clock& clock) {
  uint64_t before = apparentSize(dir / "data.mdb");
  std::filesystem::path scratch = dir.parent_path() / "clean.compact";
  auto compact = [&]() -> Status {
    auto metadataBytes = parts.metadata->storedBytes();
    if (!metadataBytes.ok()) return metadataBytes.error();
    FASTIO_TRY(parts.blocks->setReservedBytes(*metadataBytes));
    BlockCacheStats s = parts.blocks->stats();
    uint64_t budget = s.capacityBytes > s.reservedBytes ? s.capacityBytes - s.reservedBytes : 0;
    auto freed = parts.blocks->evictTo(
        static_cast<uint64_t>(static_cast<double>(budget) * BlockCacheOptions{}.lowWatermark));
    if (!freed.ok()) return freed.error();
    FASTIO_TRY(parts.blocks->flushAccessTimes());
    std::error_code ec;
    std::filesystem::remove_all(scratch, ec);
    FASTIO_TRY(ensurePrivateDirectory(scratch));
    return parts.env->copyCompactedTo(scratch / "data.mdb");
  };
  Status s = compact();
  // Closed (users of the environment first) before its file is replaced.
  parts.blocks.reset();
  parts.metadata.reset();
  parts.env.reset();
  std::error_code ec;
  if (s.ok()) {
    std::filesystem::rename(scratch / "data.mdb", dir / "data.mdb", ec);
    if (ec) s = makeError(ErrorCode::kIo, "rename into " + dir.string() + ": " + ec.message());
  }
  std::filesystem::remove_all(scratch, ec);
  if (!s.ok()) {
    FASTIO_LOG_WARN("clean cache {} could not be compacted: {}", dir.string(),
                    s.error().describe());
  } else {
    FASTIO_LOG_INFO("clean cache {} compacted from {} to {} bytes", dir.string(), before,
                    apparentSize(dir / "data.mdb"));
  }
  return openClean(dir, options, dirtyLimit, clock);
}

}  // namespace

Result<std::unique_ptr<LocalCache>> LocalCache::open(const LocalCacheOptions& options,
                                                     const Clock& clock) {
  if (options.dir.empty()) return makeError(ErrorCode::kInvalid, "no cache directory given");
  if (options.cacheSizeBytes < (16ull << 20)) {
    return makeError(ErrorCode::kInvalid, "cache size must be at least 16 MiB");
  }
  uint64_t dirtyLimit =
      options.dirtyLimitBytes != 0 ? options.dirtyLimitBytes : options.cacheSizeBytes / 4;
  if (dirtyLimit < kMinDirtyLimit || dirtyLimit > options.cacheSizeBytes - kMinCleanShare) {
    return makeError(ErrorCode::kInvalid,
                     "the dirty limit must be at least 4 MiB and leave 8 MiB of the cache size "
                     "for clean data");
  }
  std::unique_ptr<LocalCache> cache(new LocalCache());
  cache->dir_ = options.dir;
  cache->dirtyLimit_ = dirtyLimit;
  auto lock = DirectoryLock::acquire(options.dir);
  if (!lock.ok()) return lock.error();
  cache->lock_ = std::move(*lock);
  std::error_code stale;
  std::filesystem::remove_all(options.dir / "clean.compact", stale);  // a compaction cut short

  std::filesystem::path cleanDir = options.dir / "clean";
  auto clean = openClean(cleanDir, options, dirtyLimit, clock);
  if (!clean.ok()) {
    auto reason = unusableReason(clean.error());
    if (!reason) return clean.error();
    auto stamp =
        std::chrono::duration_cast<std::chrono::seconds>(clock.wallNow().time_since_epoch())
            .count();
    // Keep only the newest broken copy for inspection: older ones would hold disk space
    // outside --cache-size forever.
    std::error_code ec;
    for (const auto& item : std::filesystem::directory_iterator(options.dir, ec)) {
      if (item.path().filename().string().starts_with("clean.broken-")) {
        std::error_code removeError;
        std::filesystem::remove_all(item.path(), removeError);
      }
    }
    std::filesystem::path aside = options.dir / ("clean.broken-" + std::to_string(stamp));
    std::filesystem::rename(cleanDir, aside, ec);
    if (ec) {
      return makeError(ErrorCode::kIo,
                       "clean cache " + cleanDir.string() +
                           " is unusable and cannot be moved aside: " + ec.message());
    }
    FASTIO_LOG_WARN("clean cache {} was unusable ({}); moved to {} and rebuilt empty",
                    cleanDir.string(), *reason, aside.string());
    cache->rebuilt_ = true;
    clean = openClean(cleanDir, options, dirtyLimit, clock);
    if (!clean.ok()) return clean.error();
  }
  if (apparentSize(cleanDir / "data.mdb") > cleanFileLimit(options, dirtyLimit)) {
    clean = shrinkClean(std::move(*clean), cleanDir, options, dirtyLimit, clock);
    if (!clean.ok()) return clean.error();
  }
  cache->cleanEnv_ = std::move(clean->env);
  cache->metadata_ = std::move(clean->metadata);
  cache->blocks_ = std::move(clean->blocks);

  DirtyJournalOptions journalOptions = options.journal;
  // The write-ahead log and the dead bytes compaction tolerates live in the dirty share too.
  journalOptions.walCheckpointBytes = std::min(journalOptions.walCheckpointBytes, dirtyLimit / 8);
  journalOptions.compactSlackBytes = std::min(journalOptions.compactSlackBytes, dirtyLimit / 16);
  auto journal = DirtyJournal::open(options.dir / "journal", journalOptions, clock);
  if (!journal.ok()) return journal.error();
  cache->journal_ = std::move(*journal);
  FASTIO_TRY(cache->refreshBudget());
  return cache;
}

LocalCache::~LocalCache() {
  stopMaintenance();
  if (journal_) {
    Status s = journal_->checkpoint();
    if (!s.ok()) FASTIO_LOG_WARN("journal checkpoint at close: {}", s.error().describe());
  }
  if (blocks_) (void)blocks_->flushAccessTimes();
  if (cleanEnv_) (void)cleanEnv_->sync();
  // Members are destroyed in reverse order: the journal and environments close before the
  // directory lock is released.
}

Status LocalCache::flush() {
  FASTIO_TRY(blocks_->flushAccessTimes());
  return cleanEnv_->sync();
}

Status LocalCache::refreshBudget() {
  auto metadataBytes = metadata_->storedBytes();
  if (!metadataBytes.ok()) return metadataBytes.error();
  // Dirty data has its own share (dirtyLimitBytes): it takes nothing from the block budget.
  return blocks_->setReservedBytes(*metadataBytes);
}

uint64_t LocalCache::diskFootprintBytes() const {
  uint64_t total = apparentSize(dir_);
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir_, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    total += apparentSize(it->path());
  }
  return total;
}

Status LocalCache::maintain() {
  FASTIO_TRY(flush());
  FASTIO_TRY(refreshBudget());
  auto purged = metadata_->purgeExpiredAnswers();
  if (!purged.ok()) return purged.error();
  return journal_->checkpoint();
}

void LocalCache::startMaintenance(std::chrono::milliseconds interval) {
  std::lock_guard<std::mutex> lock(maintenanceMu_);
  if (maintenance_.joinable()) return;
  stopMaintenance_ = false;
  maintenance_ = std::thread([this, interval] {
    std::unique_lock<std::mutex> lk(maintenanceMu_);
    while (!maintenanceCv_.wait_for(lk, interval, [this] { return stopMaintenance_; })) {
      lk.unlock();
      Status s = maintain();
      if (!s.ok()) FASTIO_LOG_WARN("cache maintenance: {}", s.error().describe());
      lk.lock();
    }
  });
}

void LocalCache::stopMaintenance() {
  std::thread t;
  {
    std::lock_guard<std::mutex> lock(maintenanceMu_);
    stopMaintenance_ = true;
    t = std::move(maintenance_);
  }
  maintenanceCv_.notify_all();
  if (t.joinable()) t.join();
}

}  // namespace fastio::cache
