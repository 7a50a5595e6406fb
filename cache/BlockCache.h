#pragma once
// Clean file content, in blocks keyed by (node id, version, block index): a block of an old
// version can never be served for a newer one, because the version is part of the key.
//
// Size: a hard byte cap. Each block is charged the LMDB pages it occupies plus its index
// entries. An insert that would take the charged total above the high watermark first evicts
// least-recently-used blocks until the total is at or below the low watermark, so the cap is
// never exceeded. If LMDB still reports MDB_MAP_FULL, the insert evicts further and retries
// once. Dirty data does not live here (see DirtyJournal), so nothing here is ever dirty and
// everything here is evictable; setReservedBytes() lets the owner shrink the budget by the
// space the dirty journal uses, so clean + dirty stays within --cache-size.
//
// Recency: a hit is recorded in memory (no write transaction on the read path) and written to
// LMDB with the next insert or flushAccessTimes(), so the order is approximate by at most the
// hits since the last insert. It survives restarts.
//
// Thread-safe. Reads are short read transactions that copy the bytes out (or pin them in
// place); inserts and evictions go through one writer at a time.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "cache/LmdbEnv.h"
#include "common/Result.h"

namespace fastio::cache {

struct BlockKey {
  std::string nodeId;   // at most 255 bytes
  std::string version;  // at most 255 bytes
  uint64_t index = 0;   // byte offset / blockSize
};

struct BlockCacheOptions {
  uint64_t capacityBytes = 1ull << 30;
  // Default chosen by measurement (docs/CACHE.md): large enough that sequential reads cost few
  // transactions, small enough that a random 4 KiB read does not fetch much more than it needs.
  uint32_t blockSize = 1u << 20;
  double highWatermark = 0.95;  // fraction of the budget that triggers eviction
  double lowWatermark = 0.85;   // fraction eviction brings the total down to
  // A cap on LMDB's file itself (0: none). The file runs above the charged blocks (branch pages,
  // free pages that become reusable only two commits later); when it nears this limit and has
  // grown since the last time it did, the budget shrinks by a step (until reopened) and the
  // blocks are evicted down to it, so later inserts reuse freed pages instead of growing it.
  uint64_t fileLimitBytes = 0;
};

struct BlockCacheStats {
  uint64_t capacityBytes = 0;
  uint64_t reservedBytes = 0;  // taken out of the budget by setReservedBytes
  uint64_t chargedBytes = 0;   // what the blocks occupy, as charged against the cap
  uint64_t blocks = 0;
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t inserts = 0;
  uint64_t evictedBlocks = 0;
  uint64_t evictedBytes = 0;
  uint64_t fileSqueezes = 0;      // times the budget shrank to keep LMDB's file within its limit
  uint64_t fileSqueezeBytes = 0;  // by how much, in all (until reopened)
};

// A block's bytes in place in the map, without a copy: valid while keepAlive (the read
// transaction they live in) is held. Hold it briefly; an open read transaction keeps LMDB from
// reusing the pages it sees.
struct PinnedBlock {
  std::string_view bytes;
  std::shared_ptr<const void> keepAlive;
};

class BlockCache {
 public:
  // Opens its databases in env (call once at start-up, before other threads use env).
  static Result<std::unique_ptr<BlockCache>> open(LmdbEnv& env, const BlockCacheOptions& options);

  uint32_t blockSize() const { return options_.blockSize; }

  // Copies up to out.size() bytes of the block, starting at offsetInBlock, into out.
  // nullopt on a miss; otherwise the number of bytes copied (0 when offsetInBlock is at or
  // past the block's end).
  Result<std::optional<size_t>> read(const BlockKey& key, uint64_t offsetInBlock,
                                     std::span<std::byte> out);
  // The whole block, or nullopt on a miss.
  Result<std::optional<std::string>> get(const BlockKey& key);
  // The block without copying it out (counts as a hit, like read and get).
  Result<std::optional<PinnedBlock>> pin(const BlockKey& key);
  Result<bool> contains(const BlockKey& key) const;

  // Inserts or replaces a block (at most blockSize bytes; only a file's last block is
  // shorter). Evicts first when needed. kInvalid for an oversized block or key; kNoSpace when
  // a single block cannot fit in the budget.
  Status put(const BlockKey& key, std::string_view data);

  // Drops every block of the node (all versions), or of every version but keepVersion.
  Result<uint64_t> invalidateNode(std::string_view nodeId);
  Result<uint64_t> dropOtherVersions(std::string_view nodeId, std::string_view keepVersion);

  // Space taken out of the budget by something else that shares --cache-size (dirty data).
  // Evicts at once when the new budget is exceeded.
  Status setReservedBytes(uint64_t bytes);
  // Writes recorded hits to LMDB (also happens with every put).
  Status flushAccessTimes();
  // Evicts least-recently-used blocks until chargedBytes <= target. Returns bytes freed.
  Result<uint64_t> evictTo(uint64_t targetChargedBytes);

  BlockCacheStats stats() const;
  // The charge of one block of `length` bytes (its pages plus index entries).
  uint64_t chargeFor(size_t length) const;

 private:
  BlockCache(LmdbEnv& env, const BlockCacheOptions& options) : env_(env), options_(options) {}
  Status loadCounters();
  Status putOnce(const BlockKey& key, std::string_view data, uint64_t charge);
  Status applyTouches(WriteTxn& txn, std::unordered_map<std::string, uint64_t>& touches);
  Result<uint64_t> evictInTxn(WriteTxn& txn, uint64_t target);
  Status keepFileWithinLimit(WriteTxn& txn, uint64_t charge);
  Status removeBlockInTxn(WriteTxn& txn, std::string_view blockKey, uint64_t* freed);
  Result<uint64_t> dropMatching(std::string_view nodeId, const std::string* keepVersion);
  Status storeCounters(WriteTxn& txn);
  uint64_t budget() const;
  void recordTouch(std::string blockKey);

  LmdbEnv& env_;
  BlockCacheOptions options_;
  MDB_dbi blocks_{};  // block key -> bytes
  MDB_dbi atime_{};   // block key -> tick (u64 BE)
  MDB_dbi lru_{};     // tick (u64 BE) -> block key
  MDB_dbi meta_{};    // counters

  std::mutex writerMu_;  // one writer path; also guards the counters below while writing
  uint64_t nextTick_ = 1;
  uint64_t fileUsedAtLastSqueeze_ = 0;
  std::atomic<uint64_t> charged_{0};
  std::atomic<uint64_t> blockCount_{0};
  std::atomic<uint64_t> reserved_{0};
  std::atomic<uint64_t> fileSqueeze_{0};  // budget given up to LMDB's file overhead

  mutable std::mutex touchMu_;
  std::unordered_map<std::string, uint64_t> touches_;  // block key -> order of the hit
  uint64_t touchSeq_ = 0;

  std::atomic<uint64_t> hits_{0}, misses_{0}, inserts_{0}, evictedBlocks_{0}, evictedBytes_{0},
      fileSqueezes_{0};
};

}  // namespace fastio::cache
