#include "cache/LocalCache.h"

#include <chrono>
#include <system_error>

#include "cache/Codec.h"
#include "common/Log.h"

namespace fastio::cache {
namespace {

constexpr char kFormatMagic[] = "fastiofs-clean";
constexpr uint32_t kFormatVersion = 1;

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
                             const Clock& clock) {
  CleanParts parts;
  LmdbEnvOptions envOptions;
  // Address space only: room above the byte cap for metadata and free-page slack.
  envOptions.mapSizeBytes = options.cacheSizeBytes + options.cacheSizeBytes / 4 + (64ull << 20);
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
  // branch pages, the free list), measured by TheFilesOnDiskStayWithinTheCacheSize: keep 10 %
  // of --cache-size for it so the file, not just the blocks, stays within the limit.
  blockOptions.capacityBytes = options.cacheSizeBytes - options.cacheSizeBytes / 10;
  blockOptions.blockSize = options.blockSize;
  auto blocks = BlockCache::open(*parts.env, blockOptions);
  if (!blocks.ok()) return blocks.error();
  parts.blocks = std::move(*blocks);
  // Touch every record once so a corrupt page shows now, not under a user's read.
  auto listed = parts.metadata->workspaces();
  if (!listed.ok()) return listed.error();
  return parts;
}

}  // namespace

Result<std::unique_ptr<LocalCache>> LocalCache::open(const LocalCacheOptions& options,
                                                     const Clock& clock) {
  if (options.dir.empty()) return makeError(ErrorCode::kInvalid, "no cache directory given");
  if (options.cacheSizeBytes < (16ull << 20)) {
    return makeError(ErrorCode::kInvalid, "cache size must be at least 16 MiB");
  }
  std::unique_ptr<LocalCache> cache(new LocalCache());
  auto lock = DirectoryLock::acquire(options.dir);
  if (!lock.ok()) return lock.error();
  cache->lock_ = std::move(*lock);

  std::filesystem::path cleanDir = options.dir / "clean";
  auto clean = openClean(cleanDir, options, clock);
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
    clean = openClean(cleanDir, options, clock);
    if (!clean.ok()) return clean.error();
  }
  cache->cleanEnv_ = std::move(clean->env);
  cache->metadata_ = std::move(clean->metadata);
  cache->blocks_ = std::move(clean->blocks);

  DirtyJournalOptions journalOptions = options.journal;
  auto journal = DirtyJournal::open(options.dir / "journal", journalOptions, clock);
  if (!journal.ok()) return journal.error();
  cache->journal_ = std::move(*journal);
  FASTIO_TRY(cache->refreshBudget());
  return cache;
}

LocalCache::~LocalCache() {
  stopMaintenance();
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
  return blocks_->setReservedBytes(*metadataBytes + journal_->stagingBytes());
}

Status LocalCache::maintain() {
  FASTIO_TRY(flush());
  FASTIO_TRY(refreshBudget());
  auto purged = metadata_->purgeExpiredAnswers();
  if (!purged.ok()) return purged.error();
  return okStatus();
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
