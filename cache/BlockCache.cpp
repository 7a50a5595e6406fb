#include "cache/BlockCache.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "cache/Codec.h"
#include "common/Log.h"

namespace fastio::cache {
namespace {

constexpr size_t kMaxKeyPart = 255;
// What the two index entries (atime, lru) and the leaf entry of a block cost, roughly.
constexpr uint64_t kIndexCharge = 256;
// LMDB's header on an overflow-page run.
constexpr uint64_t kOverflowHeader = 16;

const std::string kChargedKey = "charged";
const std::string kCountKey = "count";
const std::string kTickKey = "tick";

std::string encodeKey(const BlockKey& key) {
  return ByteWriter().shortStr(key.nodeId).shortStr(key.version).u64(key.index).take();
}

std::string nodePrefix(std::string_view nodeId) {
  return ByteWriter().shortStr(nodeId).take();
}

std::string tickKey(uint64_t tick) {
  return ByteWriter().u64(tick).take();
}

bool decodeU64(std::string_view bytes, uint64_t& v) {
  ByteReader r(bytes);
  return r.u64(v) && r.atEnd();
}

// The version part of an encoded block key, or nullopt when malformed.
std::optional<std::string> versionOf(std::string_view blockKey) {
  ByteReader r(blockKey);
  std::string node, version;
  uint64_t index = 0;
  if (!r.shortStr(node) || !r.shortStr(version) || !r.u64(index)) return std::nullopt;
  return version;
}

bool isMapFull(const Error& e) {
  return e.remoteCode == MDB_MAP_FULL;
}

}  // namespace

Result<std::unique_ptr<BlockCache>> BlockCache::open(LmdbEnv& env,
                                                     const BlockCacheOptions& options) {
  if (options.blockSize < 4096 || options.blockSize > (64u << 20)) {
    return makeError(ErrorCode::kInvalid, "block size must be between 4 KiB and 64 MiB, got " +
                                              std::to_string(options.blockSize));
  }
  if (!(options.lowWatermark > 0 && options.lowWatermark < options.highWatermark &&
        options.highWatermark <= 1.0)) {
    return makeError(ErrorCode::kInvalid, "block cache watermarks must be 0 < low < high <= 1");
  }
  std::unique_ptr<BlockCache> cache(new BlockCache(env, options));
  auto blocks = env.openDatabase("blocks");
  if (!blocks.ok()) return blocks.error();
  auto atime = env.openDatabase("block_atime");
  if (!atime.ok()) return atime.error();
  auto lru = env.openDatabase("block_lru");
  if (!lru.ok()) return lru.error();
  auto meta = env.openDatabase("block_meta");
  if (!meta.ok()) return meta.error();
  cache->blocks_ = *blocks;
  cache->atime_ = *atime;
  cache->lru_ = *lru;
  cache->meta_ = *meta;
  FASTIO_TRY(cache->loadCounters());
  return cache;
}

Status BlockCache::loadCounters() {
  auto txn = env_.beginRead();
  if (!txn.ok()) return txn.error();
  uint64_t charged = 0, count = 0, tick = 1;
  for (auto [key, target] : {std::pair{&kChargedKey, &charged}, std::pair{&kCountKey, &count},
                             std::pair{&kTickKey, &tick}}) {
    auto v = txn->get(meta_, *key);
    if (!v.ok()) return v.error();
    if (v->has_value() && !decodeU64(**v, *target)) return corruptValue("block counter");
  }
  charged_ = charged;
  blockCount_ = count;
  nextTick_ = std::max<uint64_t>(tick, 1);
  return okStatus();
}

Status BlockCache::storeCounters(WriteTxn& txn) {
  FASTIO_TRY(txn.put(meta_, kChargedKey, ByteWriter().u64(charged_).take()));
  FASTIO_TRY(txn.put(meta_, kCountKey, ByteWriter().u64(blockCount_).take()));
  return txn.put(meta_, kTickKey, ByteWriter().u64(nextTick_).take());
}

uint64_t BlockCache::chargeFor(size_t length) const {
  uint64_t page = env_.pageSize();
  uint64_t pages = (length + kOverflowHeader + page - 1) / page;
  return pages * page + kIndexCharge;
}

uint64_t BlockCache::budget() const {
  uint64_t taken = reserved_.load() + fileSqueeze_.load();
  return taken >= options_.capacityBytes ? 0 : options_.capacityBytes - taken;
}

void BlockCache::recordTouch(std::string blockKey) {
  std::lock_guard<std::mutex> lock(touchMu_);
  touches_[std::move(blockKey)] = ++touchSeq_;
}

Result<std::optional<size_t>> BlockCache::read(const BlockKey& key, uint64_t offsetInBlock,
                                               std::span<std::byte> out) {
  if (key.nodeId.empty() || key.nodeId.size() > kMaxKeyPart || key.version.size() > kMaxKeyPart) {
    return std::optional<size_t>();
  }
  std::string k = encodeKey(key);
  size_t copied = 0;
  {
    auto txn = env_.beginRead();
    if (!txn.ok()) return txn.error();
    auto v = txn->get(blocks_, k);
    if (!v.ok()) return v.error();
    if (!v->has_value()) {
      ++misses_;
      return std::optional<size_t>();
    }
    std::string_view bytes = **v;
    if (offsetInBlock < bytes.size()) {
      copied = std::min<size_t>(out.size(), bytes.size() - offsetInBlock);
      std::memcpy(out.data(), bytes.data() + offsetInBlock, copied);
    }
  }
  ++hits_;
  recordTouch(std::move(k));
  return std::optional<size_t>(copied);
}

Result<std::optional<PinnedBlock>> BlockCache::pin(const BlockKey& key) {
  if (key.nodeId.empty() || key.nodeId.size() > kMaxKeyPart || key.version.size() > kMaxKeyPart) {
    return std::optional<PinnedBlock>();
  }
  std::string k = encodeKey(key);
  auto txn = env_.beginRead();
  if (!txn.ok()) return txn.error();
  auto held = std::make_shared<ReadTxn>(std::move(*txn));
  auto v = held->get(blocks_, k);
  if (!v.ok()) return v.error();
  if (!v->has_value()) {
    ++misses_;
    return std::optional<PinnedBlock>();
  }
  const std::string_view bytes = **v;
  ++hits_;
  recordTouch(std::move(k));
  return std::optional<PinnedBlock>(PinnedBlock{bytes, std::move(held)});
}

Result<std::optional<std::string>> BlockCache::get(const BlockKey& key) {
  if (key.nodeId.empty() || key.nodeId.size() > kMaxKeyPart || key.version.size() > kMaxKeyPart) {
    return std::optional<std::string>();
  }
  std::string k = encodeKey(key);
  std::optional<std::string> out;
  {
    auto txn = env_.beginRead();
    if (!txn.ok()) return txn.error();
    auto v = txn->get(blocks_, k);
    if (!v.ok()) return v.error();
    if (!v->has_value()) {
      ++misses_;
      return out;
    }
    out.emplace(**v);
  }
  ++hits_;
  recordTouch(std::move(k));
  return out;
}

Result<bool> BlockCache::contains(const BlockKey& key) const {
  if (key.nodeId.empty() || key.nodeId.size() > kMaxKeyPart || key.version.size() > kMaxKeyPart) {
    return false;
  }
  auto txn = env_.beginRead();
  if (!txn.ok()) return txn.error();
  auto v = txn->get(blocks_, encodeKey(key));
  if (!v.ok()) return v.error();
  return v->has_value();
}

Status BlockCache::applyTouches(WriteTxn& txn, std::unordered_map<std::string, uint64_t>& touches) {
  std::vector<std::pair<uint64_t, const std::string*>> ordered;
  ordered.reserve(touches.size());
  for (const auto& [key, seq] : touches) ordered.emplace_back(seq, &key);
  std::sort(ordered.begin(), ordered.end());
  for (const auto& [seq, key] : ordered) {
    auto old = txn.get(atime_, *key);
    if (!old.ok()) return old.error();
    if (!old->has_value()) continue;  // evicted since the hit
    uint64_t oldTick = 0;
    if (decodeU64(**old, oldTick)) {
      auto d = txn.del(lru_, tickKey(oldTick));
      if (!d.ok()) return d.error();
    }
    uint64_t tick = nextTick_++;
    FASTIO_TRY(txn.put(lru_, tickKey(tick), *key));
    FASTIO_TRY(txn.put(atime_, *key, tickKey(tick)));
  }
  return okStatus();
}

Status BlockCache::removeBlockInTxn(WriteTxn& txn, std::string_view blockKey, uint64_t* freed) {
  auto v = txn.get(blocks_, blockKey);
  if (!v.ok()) return v.error();
  if (v->has_value()) {
    uint64_t charge = chargeFor((*v)->size());
    auto d = txn.del(blocks_, blockKey);
    if (!d.ok()) return d.error();
    charged_ = charged_ >= charge ? charged_ - charge : 0;
    if (blockCount_ > 0) --blockCount_;
    if (freed != nullptr) *freed += charge;
  }
  auto t = txn.get(atime_, blockKey);
  if (!t.ok()) return t.error();
  if (t->has_value()) {
    uint64_t tick = 0;
    if (decodeU64(**t, tick)) {
      auto d = txn.del(lru_, tickKey(tick));
      if (!d.ok()) return d.error();
    }
    auto d = txn.del(atime_, blockKey);
    if (!d.ok()) return d.error();
  }
  return okStatus();
}

Result<uint64_t> BlockCache::evictInTxn(WriteTxn& txn, uint64_t target) {
  uint64_t freed = 0;
  while (charged_ > target) {
    std::string victim;
    std::string victimTick;
    {
      auto c = txn.cursor(lru_);
      if (!c.ok()) return c.error();
      auto at = c->first();
      if (!at.ok()) return at.error();
      if (!*at) break;
      victim = std::string(c->value());
      victimTick = std::string(c->key());
    }
    uint64_t before = freed;
    FASTIO_TRY(removeBlockInTxn(txn, victim, &freed));
    // An lru entry whose block is gone would stop eviction; drop it explicitly.
    auto d = txn.del(lru_, victimTick);
    if (!d.ok()) return d.error();
    if (freed > before) {
      ++evictedBlocks_;
      evictedBytes_ += freed - before;
    }
  }
  return freed;
}

Status BlockCache::keepFileWithinLimit(WriteTxn& txn, uint64_t charge) {
  const uint64_t limit = options_.fileLimitBytes;
  if (limit == 0) return okStatus();
  const uint64_t used = env_.usedBytes();
  // Grown since the last step means the free pages ran out (or readers still hold them).
  if (used + charge <= limit - limit / 20 || used <= fileUsedAtLastSqueeze_) return okStatus();
  fileUsedAtLastSqueeze_ = used;
  // The budget shrinks for good (until reopened) by a step, so the blocks settle at what the
  // file can hold with LMDB's overhead, instead of churning at the edge.
  const uint64_t step = std::max<uint64_t>(options_.capacityBytes / 20, 2 * charge);
  fileSqueeze_ = std::min(options_.capacityBytes, fileSqueeze_.load() + step);
  ++fileSqueezes_;
  const uint64_t b = budget();
  const uint64_t low = static_cast<uint64_t>(static_cast<double>(b) * options_.lowWatermark);
  auto freed = evictInTxn(txn, b > charge ? std::min(low, b - charge) : 0);
  return freed.ok() ? okStatus() : Status(freed.error());
}

Status BlockCache::putOnce(const BlockKey& key, std::string_view data, uint64_t charge) {
  std::unordered_map<std::string, uint64_t> touches;
  {
    std::lock_guard<std::mutex> lock(touchMu_);
    touches.swap(touches_);
  }
  auto txn = env_.beginWrite();
  if (!txn.ok()) return txn.error();
  FASTIO_TRY(applyTouches(*txn, touches));
  std::string k = encodeKey(key);
  FASTIO_TRY(removeBlockInTxn(*txn, k, nullptr));
  uint64_t b = budget();
  if (charge > b) {  // the reservation grew since put() checked
    return makeError(ErrorCode::kNoSpace,
                     "block cache budget of " + std::to_string(b) + " bytes cannot hold one block");
  }
  uint64_t high = static_cast<uint64_t>(static_cast<double>(b) * options_.highWatermark);
  if (charged_ + charge > high) {
    uint64_t low = static_cast<uint64_t>(static_cast<double>(b) * options_.lowWatermark);
    uint64_t target = std::min(low, b - charge);
    auto freed = evictInTxn(*txn, target);
    if (!freed.ok()) return freed.error();
  }
  FASTIO_TRY(keepFileWithinLimit(*txn, charge));
  uint64_t tick = nextTick_++;
  FASTIO_TRY(txn->put(blocks_, k, data));
  FASTIO_TRY(txn->put(atime_, k, tickKey(tick)));
  FASTIO_TRY(txn->put(lru_, tickKey(tick), k));
  charged_ += charge;
  ++blockCount_;
  FASTIO_TRY(storeCounters(*txn));
  return txn->commit();
}

Status BlockCache::put(const BlockKey& key, std::string_view data) {
  if (key.nodeId.empty() || key.nodeId.size() > kMaxKeyPart || key.version.size() > kMaxKeyPart) {
    return makeError(ErrorCode::kInvalid, "block key: node id or version of a bad length");
  }
  if (data.empty() || data.size() > options_.blockSize) {
    return makeError(ErrorCode::kInvalid, "block of " + std::to_string(data.size()) +
                                              " bytes (block size " +
                                              std::to_string(options_.blockSize) + ")");
  }
  uint64_t charge = chargeFor(data.size());
  std::lock_guard<std::mutex> lock(writerMu_);
  if (charge > budget()) {
    return makeError(ErrorCode::kNoSpace, "block cache budget of " + std::to_string(budget()) +
                                              " bytes cannot hold one block");
  }
  uint64_t charged = charged_, count = blockCount_, tick = nextTick_;
  uint64_t evictedBlocks = evictedBlocks_, evictedBytes = evictedBytes_;
  uint64_t usedAtSqueeze = fileUsedAtLastSqueeze_, squeeze = fileSqueeze_;
  auto restore = [&] {
    charged_ = charged;
    blockCount_ = count;
    nextTick_ = tick;
    evictedBlocks_ = evictedBlocks;
    evictedBytes_ = evictedBytes;
    fileUsedAtLastSqueeze_ = usedAtSqueeze;
    fileSqueeze_ = squeeze;
  };
  Status s = putOnce(key, data, charge);
  if (!s.ok()) {
    restore();
    if (!isMapFull(s.error())) return s;
    // The map filled before the byte cap did (free-page fragmentation): evict harder, retry once.
    FASTIO_LOG_WARN("block cache: LMDB map full at {} charged bytes; evicting and retrying",
                    charged_.load());
    auto txn = env_.beginWrite();
    if (!txn.ok()) return txn.error();
    auto freed = evictInTxn(*txn, charged_ / 2);
    if (!freed.ok()) {
      restore();
      return freed.error();
    }
    Status st = storeCounters(*txn);
    if (st.ok()) st = txn->commit();
    // LMDB reuses pages freed by a transaction only two commits later (the previous snapshot
    // must stay intact), so commit once more before retrying.
    if (st.ok()) {
      auto again = env_.beginWrite();
      st = again.ok() ? storeCounters(*again) : Status(again.error());
      if (st.ok()) st = again->commit();
    }
    if (!st.ok()) {
      restore();
      return st;
    }
    charged = charged_;
    count = blockCount_;
    tick = nextTick_;
    evictedBlocks = evictedBlocks_;
    evictedBytes = evictedBytes_;
    s = putOnce(key, data, charge);
    if (!s.ok()) {
      restore();
      return s;
    }
  }
  ++inserts_;
  return okStatus();
}

Result<uint64_t> BlockCache::dropMatching(std::string_view nodeId, const std::string* keepVersion) {
  if (nodeId.empty() || nodeId.size() > kMaxKeyPart) return uint64_t{0};
  std::lock_guard<std::mutex> lock(writerMu_);
  uint64_t charged = charged_, count = blockCount_;
  auto txn = env_.beginWrite();
  if (!txn.ok()) return txn.error();
  std::string prefix = nodePrefix(nodeId);
  std::vector<std::string> victims;
  {
    auto c = txn->cursor(blocks_);
    if (!c.ok()) return c.error();
    for (auto at = c->seek(prefix);; at = c->next()) {
      if (!at.ok()) return at.error();
      if (!*at || !c->key().starts_with(prefix)) break;
      if (keepVersion != nullptr) {
        auto version = versionOf(c->key());
        if (version && *version == *keepVersion) continue;
      }
      victims.emplace_back(c->key());
    }
  }
  uint64_t removed = 0;
  Status s;
  for (const auto& v : victims) {
    s = removeBlockInTxn(*txn, v, nullptr);
    if (!s.ok()) break;
    ++removed;
  }
  if (s.ok()) s = storeCounters(*txn);
  if (s.ok()) s = txn->commit();
  if (!s.ok()) {
    charged_ = charged;
    blockCount_ = count;
    return s.error();
  }
  return removed;
}

Result<uint64_t> BlockCache::invalidateNode(std::string_view nodeId) {
  return dropMatching(nodeId, nullptr);
}

Result<uint64_t> BlockCache::dropOtherVersions(std::string_view nodeId,
                                               std::string_view keepVersion) {
  std::string keep(keepVersion);
  return dropMatching(nodeId, &keep);
}

Result<uint64_t> BlockCache::evictTo(uint64_t targetChargedBytes) {
  std::lock_guard<std::mutex> lock(writerMu_);
  uint64_t charged = charged_, count = blockCount_;
  auto txn = env_.beginWrite();
  if (!txn.ok()) return txn.error();
  auto freed = evictInTxn(*txn, targetChargedBytes);
  Status s = freed.ok() ? storeCounters(*txn) : Status(freed.error());
  if (s.ok()) s = txn->commit();
  if (!s.ok()) {
    charged_ = charged;
    blockCount_ = count;
    return s.error();
  }
  return *freed;
}

Status BlockCache::setReservedBytes(uint64_t bytes) {
  reserved_ = bytes;
  uint64_t b = budget();
  if (charged_ > static_cast<uint64_t>(static_cast<double>(b) * options_.highWatermark)) {
    auto freed = evictTo(static_cast<uint64_t>(static_cast<double>(b) * options_.lowWatermark));
    if (!freed.ok()) return freed.error();
  }
  return okStatus();
}

Status BlockCache::flushAccessTimes() {
  std::lock_guard<std::mutex> lock(writerMu_);
  std::unordered_map<std::string, uint64_t> touches;
  {
    std::lock_guard<std::mutex> touchLock(touchMu_);
    touches.swap(touches_);
  }
  if (touches.empty()) return okStatus();
  uint64_t tick = nextTick_;
  auto txn = env_.beginWrite();
  if (!txn.ok()) return txn.error();
  Status s = applyTouches(*txn, touches);
  if (s.ok()) s = storeCounters(*txn);
  if (s.ok()) s = txn->commit();
  if (!s.ok()) nextTick_ = tick;
  return s;
}

BlockCacheStats BlockCache::stats() const {
  BlockCacheStats s;
  s.capacityBytes = options_.capacityBytes;
  s.reservedBytes = reserved_;
  s.chargedBytes = charged_;
  s.blocks = blockCount_;
  s.hits = hits_;
  s.misses = misses_;
  s.inserts = inserts_;
  s.evictedBlocks = evictedBlocks_;
  s.evictedBytes = evictedBytes_;
  s.fileSqueezes = fileSqueezes_;
  s.fileSqueezeBytes = fileSqueeze_;
  return s;
}

}  // namespace fastio::cache
