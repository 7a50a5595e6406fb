#include "cache/MetadataCache.h"

#include <algorithm>
#include <chrono>
#include <unordered_set>

#include "cache/Codec.h"

namespace fastio::cache {
namespace {

constexpr uint8_t kNodeFormat = 1;
constexpr uint8_t kWorkspaceFormat = 1;
constexpr size_t kMaxIdBytes = 255;
constexpr size_t kMaxNameBytes = 255;
// Longer queries are keyed by a hash; the full text is kept in the value and compared.
constexpr size_t kMaxQueryKeyBytes = 200;

Status checkId(std::string_view id, std::string_view what) {
  if (id.empty() || id.size() > kMaxIdBytes) {
    return makeError(ErrorCode::kInvalid, "cache: " + std::string(what) + " id of " +
                                              std::to_string(id.size()) + " bytes");
  }
  return okStatus();
}

std::string childKey(std::string_view parentId, std::string_view name) {
  return ByteWriter().shortStr(parentId).raw(name).take();
}

std::string childPrefix(std::string_view parentId) {
  return ByteWriter().shortStr(parentId).take();
}

uint64_t fnv1a64(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (char c : s) {
    h ^= static_cast<uint8_t>(c);
    h *= 1099511628211ull;
  }
  return h;
}

std::string answerPrefix(AnswerKind kind, std::string_view workspaceId) {
  return ByteWriter().u8(static_cast<uint8_t>(kind)).shortStr(workspaceId).take();
}

std::string answerKey(AnswerKind kind, std::string_view workspaceId, std::string_view query) {
  ByteWriter w;
  w.u8(static_cast<uint8_t>(kind)).shortStr(workspaceId);
  if (query.size() <= kMaxQueryKeyBytes) {
    w.u8(0).raw(query);
  } else {
    w.u8(1).u64(fnv1a64(query));
  }
  return w.take();
}

std::string encodeNode(const CachedNode& n) {
  ByteWriter w;
  w.u8(kNodeFormat)
      .str(n.id)
      .str(n.parentId)
      .str(n.name)
      .u8(static_cast<uint8_t>(n.type))
      .u64(n.size)
      .str(n.version)
      .str(n.hash)
      .str(n.hashAlgo)
      .i64(n.createdNs)
      .i64(n.modifiedNs)
      .str(n.mimetype)
      .str(n.aiState)
      .str(n.summaryTitle)
      .str(n.summaryShort)
      .str(n.summaryLong)
      .u8(n.locked ? 1 : 0);
  return w.take();
}

Result<CachedNode> decodeNode(std::string_view bytes) {
  ByteReader r(bytes);
  CachedNode n;
  uint8_t format = 0, type = 0, locked = 0;
  r.u8(format);
  if (format != kNodeFormat) return corruptValue("node");
  r.str(n.id);
  r.str(n.parentId);
  r.str(n.name);
  r.u8(type);
  r.u64(n.size);
  r.str(n.version);
  r.str(n.hash);
  r.str(n.hashAlgo);
  r.i64(n.createdNs);
  r.i64(n.modifiedNs);
  r.str(n.mimetype);
  r.str(n.aiState);
  r.str(n.summaryTitle);
  r.str(n.summaryShort);
  r.str(n.summaryLong);
  r.u8(locked);
  if (!r.ok() || type > static_cast<uint8_t>(CachedNodeType::kOther)) return corruptValue("node");
  n.type = static_cast<CachedNodeType>(type);
  n.locked = locked != 0;
  return n;
}

std::string encodeWorkspace(const CachedWorkspace& ws) {
  return ByteWriter()
      .u8(kWorkspaceFormat)
      .str(ws.id)
      .str(ws.folderName)
      .str(ws.name)
      .str(ws.orgId)
      .u8(ws.intelligence ? 1 : 0)
      .take();
}

Result<CachedWorkspace> decodeWorkspace(std::string_view bytes) {
  ByteReader r(bytes);
  CachedWorkspace ws;
  uint8_t format = 0, intelligence = 0;
  r.u8(format);
  r.str(ws.id);
  r.str(ws.folderName);
  r.str(ws.name);
  r.str(ws.orgId);
  r.u8(intelligence);
  if (!r.ok() || format != kWorkspaceFormat) return corruptValue("workspace");
  ws.intelligence = intelligence != 0;
  return ws;
}

struct ListingRecord {
  bool complete = false;
  int64_t fetchedAtNs = 0;
  int64_t expiresAtNs = 0;
};

std::string encodeListing(const ListingRecord& l) {
  return ByteWriter().u8(l.complete ? 1 : 0).i64(l.fetchedAtNs).i64(l.expiresAtNs).take();
}

Result<ListingRecord> decodeListing(std::string_view bytes) {
  ByteReader r(bytes);
  ListingRecord l;
  uint8_t complete = 0;
  r.u8(complete);
  r.i64(l.fetchedAtNs);
  r.i64(l.expiresAtNs);
  if (!r.ok()) return corruptValue("listing");
  l.complete = complete != 0;
  return l;
}

std::string encodeAnswer(const CachedAnswer& a) {
  return ByteWriter().str(a.query).i64(a.storedAtNs).i64(a.expiresAtNs).str(a.payload).take();
}

Result<CachedAnswer> decodeAnswer(std::string_view bytes, int64_t nowNs) {
  ByteReader r(bytes);
  CachedAnswer a;
  r.str(a.query);
  r.i64(a.storedAtNs);
  r.i64(a.expiresAtNs);
  r.str(a.payload);
  if (!r.ok()) return corruptValue("answer");
  a.fresh = nowNs < a.expiresAtNs;
  return a;
}

int64_t ttlNs(Duration ttl) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(ttl).count();
}

}  // namespace

Result<std::unique_ptr<MetadataCache>> MetadataCache::open(LmdbEnv& env, const Clock& clock) {
  std::unique_ptr<MetadataCache> m(new MetadataCache(env, clock));
  auto ws = env.openDatabase("md_workspaces");
  if (!ws.ok()) return ws.error();
  auto nodes = env.openDatabase("md_nodes");
  if (!nodes.ok()) return nodes.error();
  auto children = env.openDatabase("md_children");
  if (!children.ok()) return children.error();
  auto listings = env.openDatabase("md_listings");
  if (!listings.ok()) return listings.error();
  auto answers = env.openDatabase("md_answers");
  if (!answers.ok()) return answers.error();
  m->workspaces_ = *ws;
  m->nodes_ = *nodes;
  m->children_ = *children;
  m->listings_ = *listings;
  m->answers_ = *answers;
  return m;
}

int64_t MetadataCache::nowNs() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(clock_.wallNow().time_since_epoch())
      .count();
}

Status MetadataCache::putWorkspaces(const std::vector<CachedWorkspace>& workspaces) {
  for (const auto& ws : workspaces) FASTIO_TRY(checkId(ws.id, "workspace"));
  auto txn = env_.beginWrite();
  if (!txn.ok()) return txn.error();
  auto removed = txn->delPrefix(workspaces_, "");
  if (!removed.ok()) return removed.error();
  for (const auto& ws : workspaces) FASTIO_TRY(txn->put(workspaces_, ws.id, encodeWorkspace(ws)));
  return txn->commit();
}

Result<std::vector<CachedWorkspace>> MetadataCache::workspaces() const {
  auto txn = env_.beginRead();
  if (!txn.ok()) return txn.error();
  auto c = txn->cursor(workspaces_);
  if (!c.ok()) return c.error();
  std::vector<CachedWorkspace> out;
  for (auto at = c->first();; at = c->next()) {
    if (!at.ok()) return at.error();
    if (!*at) break;
    auto ws = decodeWorkspace(c->value());
    if (!ws.ok()) return ws.error();
    out.push_back(std::move(*ws));
  }
  return out;
}

Result<NodePutOutcome> MetadataCache::putNode(const CachedNode& node) {
  FASTIO_TRY(checkId(node.id, "node"));
  FASTIO_TRY(checkId(node.parentId, "parent"));
  if (node.name.empty() || node.name.size() > kMaxNameBytes) {
    return makeError(ErrorCode::kNameTooLong,
                     "cache: node name of " + std::to_string(node.name.size()) + " bytes");
  }
  auto txn = env_.beginWrite();
  if (!txn.ok()) return txn.error();
  NodePutOutcome outcome;
  auto old = txn->get(nodes_, node.id);
  if (!old.ok()) return old.error();
  if (old->has_value()) {
    auto previous = decodeNode(**old);
    // An undecodable old record is simply replaced.
    if (previous.ok()) {
      outcome.existed = true;
      outcome.previousVersion = previous->version;
      outcome.versionChanged = previous->version != node.version;
      if (previous->parentId != node.parentId || previous->name != node.name) {
        std::string oldKey = childKey(previous->parentId, previous->name);
        auto owner = txn->get(children_, oldKey);
        if (!owner.ok()) return owner.error();
        if (owner->has_value() && **owner == node.id) {
          auto d = txn->del(children_, oldKey);
          if (!d.ok()) return d.error();
        }
      }
    }
  }
  FASTIO_TRY(txn->put(nodes_, node.id, encodeNode(node)));
  FASTIO_TRY(txn->put(children_, childKey(node.parentId, node.name), node.id));
  FASTIO_TRY(txn->commit());
  return outcome;
}

Result<std::optional<CachedNode>> MetadataCache::node(std::string_view id) const {
  if (id.empty() || id.size() > kMaxIdBytes) return std::optional<CachedNode>();
  auto txn = env_.beginRead();
  if (!txn.ok()) return txn.error();
  auto v = txn->get(nodes_, id);
  if (!v.ok()) return v.error();
  if (!v->has_value()) return std::optional<CachedNode>();
  auto n = decodeNode(**v);
  if (!n.ok()) return n.error();
  return std::optional<CachedNode>(std::move(*n));
}

Result<std::optional<CachedNode>> MetadataCache::child(std::string_view parentId,
                                                       std::string_view name) const {
  if (parentId.empty() || parentId.size() > kMaxIdBytes || name.empty() ||
      name.size() > kMaxNameBytes) {
    return std::optional<CachedNode>();
  }
  auto txn = env_.beginRead();
  if (!txn.ok()) return txn.error();
  auto id = txn->get(children_, childKey(parentId, name));
  if (!id.ok()) return id.error();
  if (!id->has_value()) return std::optional<CachedNode>();
  auto v = txn->get(nodes_, **id);
  if (!v.ok()) return v.error();
  if (!v->has_value()) return std::optional<CachedNode>();
  auto n = decodeNode(**v);
  if (!n.ok()) return n.error();
  return std::optional<CachedNode>(std::move(*n));
}

Status MetadataCache::removeNode(std::string_view id) {
  if (id.empty() || id.size() > kMaxIdBytes) return okStatus();
  auto txn = env_.beginWrite();
  if (!txn.ok()) return txn.error();
  auto v = txn->get(nodes_, id);
  if (!v.ok()) return v.error();
  if (!v->has_value()) return okStatus();
  auto n = decodeNode(**v);
  if (n.ok()) {
    std::string key = childKey(n->parentId, n->name);
    auto owner = txn->get(children_, key);
    if (!owner.ok()) return owner.error();
    if (owner->has_value() && **owner == id) {
      auto d = txn->del(children_, key);
      if (!d.ok()) return d.error();
    }
  }
  auto d = txn->del(nodes_, id);
  if (!d.ok()) return d.error();
  return txn->commit();
}

Status MetadataCache::putListing(std::string_view parentId, const std::vector<CachedNode>& children,
                                 Duration ttl) {
  FASTIO_TRY(checkId(parentId, "parent"));
  for (const auto& n : children) {
    FASTIO_TRY(checkId(n.id, "node"));
    if (n.name.empty() || n.name.size() > kMaxNameBytes) {
      return makeError(ErrorCode::kNameTooLong,
                       "cache: node name of " + std::to_string(n.name.size()) + " bytes");
    }
  }
  auto txn = env_.beginWrite();
  if (!txn.ok()) return txn.error();
  // The previous children, so that nodes gone from the folder are dropped, not leaked.
  std::vector<std::string> previous;
  {
    std::string prefix = childPrefix(parentId);
    auto c = txn->cursor(children_);
    if (!c.ok()) return c.error();
    for (auto at = c->seek(prefix);; at = c->next()) {
      if (!at.ok()) return at.error();
      if (!*at || !c->key().starts_with(prefix)) break;
      previous.emplace_back(c->value());
    }
  }
  auto removed = txn->delPrefix(children_, childPrefix(parentId));
  if (!removed.ok()) return removed.error();
  std::unordered_set<std::string> current;
  for (const auto& n : children) {
    CachedNode stored = n;
    stored.parentId = std::string(parentId);
    FASTIO_TRY(txn->put(nodes_, stored.id, encodeNode(stored)));
    FASTIO_TRY(txn->put(children_, childKey(parentId, stored.name), stored.id));
    current.insert(stored.id);
  }
  for (const auto& id : previous) {
    if (current.count(id) != 0) continue;
    auto v = txn->get(nodes_, id);
    if (!v.ok()) return v.error();
    if (!v->has_value()) continue;
    auto old = decodeNode(**v);
    // Only if it still belongs here: a node that moved elsewhere keeps its record.
    if (!old.ok() || old->parentId == parentId) {
      auto d = txn->del(nodes_, id);
      if (!d.ok()) return d.error();
    }
  }
  int64_t now = nowNs();
  FASTIO_TRY(txn->put(listings_, parentId, encodeListing({true, now, now + ttlNs(ttl)})));
  return txn->commit();
}

Result<CachedListing> MetadataCache::listing(std::string_view parentId) const {
  CachedListing out;
  if (parentId.empty() || parentId.size() > kMaxIdBytes) return out;
  auto txn = env_.beginRead();
  if (!txn.ok()) return txn.error();
  auto rec = txn->get(listings_, parentId);
  if (!rec.ok()) return rec.error();
  if (rec->has_value()) {
    auto l = decodeListing(**rec);
    if (!l.ok()) return l.error();
    out.complete = l->complete;
    out.fetchedAtNs = l->fetchedAtNs;
    out.fresh = l->complete && nowNs() < l->expiresAtNs;
  }
  std::string prefix = childPrefix(parentId);
  auto c = txn->cursor(children_);
  if (!c.ok()) return c.error();
  for (auto at = c->seek(prefix);; at = c->next()) {
    if (!at.ok()) return at.error();
    if (!*at || !c->key().starts_with(prefix)) break;
    auto v = txn->get(nodes_, c->value());
    if (!v.ok()) return v.error();
    if (!v->has_value()) {
      out.complete = out.fresh = false;  // a dangling entry: the listing cannot be trusted
      continue;
    }
    auto n = decodeNode(**v);
    if (!n.ok()) return n.error();
    out.children.push_back(std::move(*n));
  }
  return out;
}

Status MetadataCache::invalidateListing(std::string_view parentId) {
  if (parentId.empty() || parentId.size() > kMaxIdBytes) return okStatus();
  auto txn = env_.beginWrite();
  if (!txn.ok()) return txn.error();
  auto rec = txn->get(listings_, parentId);
  if (!rec.ok()) return rec.error();
  if (!rec->has_value()) return okStatus();
  auto l = decodeListing(**rec);
  ListingRecord updated = l.ok() ? *l : ListingRecord{};
  updated.complete = false;
  FASTIO_TRY(txn->put(listings_, parentId, encodeListing(updated)));
  return txn->commit();
}

Status MetadataCache::putAnswer(AnswerKind kind, std::string_view workspaceId,
                                std::string_view query, std::string_view payload, Duration ttl) {
  FASTIO_TRY(checkId(workspaceId, "workspace"));
  if (query.empty()) return makeError(ErrorCode::kInvalid, "cache: empty query");
  CachedAnswer a;
  a.query = std::string(query);
  a.payload = std::string(payload);
  a.storedAtNs = nowNs();
  a.expiresAtNs = a.storedAtNs + ttlNs(ttl);
  auto txn = env_.beginWrite();
  if (!txn.ok()) return txn.error();
  FASTIO_TRY(txn->put(answers_, answerKey(kind, workspaceId, query), encodeAnswer(a)));
  return txn->commit();
}

Result<std::optional<CachedAnswer>> MetadataCache::answer(AnswerKind kind,
                                                          std::string_view workspaceId,
                                                          std::string_view query) const {
  if (workspaceId.empty() || workspaceId.size() > kMaxIdBytes || query.empty()) {
    return std::optional<CachedAnswer>();
  }
  auto txn = env_.beginRead();
  if (!txn.ok()) return txn.error();
  auto v = txn->get(answers_, answerKey(kind, workspaceId, query));
  if (!v.ok()) return v.error();
  if (!v->has_value()) return std::optional<CachedAnswer>();
  auto a = decodeAnswer(**v, nowNs());
  if (!a.ok()) return a.error();
  if (a->query != query) return std::optional<CachedAnswer>();  // a hash collision
  return std::optional<CachedAnswer>(std::move(*a));
}

Result<std::vector<CachedAnswer>> MetadataCache::freshAnswers(AnswerKind kind,
                                                              std::string_view workspaceId) const {
  std::vector<CachedAnswer> out;
  if (workspaceId.empty() || workspaceId.size() > kMaxIdBytes) return out;
  auto txn = env_.beginRead();
  if (!txn.ok()) return txn.error();
  std::string prefix = answerPrefix(kind, workspaceId);
  int64_t now = nowNs();
  auto c = txn->cursor(answers_);
  if (!c.ok()) return c.error();
  for (auto at = c->seek(prefix);; at = c->next()) {
    if (!at.ok()) return at.error();
    if (!*at || !c->key().starts_with(prefix)) break;
    auto a = decodeAnswer(c->value(), now);
    if (!a.ok()) return a.error();
    if (a->fresh) out.push_back(std::move(*a));
  }
  std::sort(out.begin(), out.end(),
            [](const CachedAnswer& x, const CachedAnswer& y) { return x.query < y.query; });
  return out;
}

Result<uint64_t> MetadataCache::purgeExpiredAnswers() {
  auto txn = env_.beginWrite();
  if (!txn.ok()) return txn.error();
  int64_t now = nowNs();
  uint64_t removed = 0;
  {
    auto c = txn->cursor(answers_);
    if (!c.ok()) return c.error();
    auto at = c->first();
    while (true) {
      if (!at.ok()) return at.error();
      if (!*at) break;
      auto a = decodeAnswer(c->value(), now);
      if (!a.ok() || !a->fresh) {
        std::string deleted(c->key());
        FASTIO_TRY(c->del());
        ++removed;
        at = c->seek(deleted);
      } else {
        at = c->next();
      }
    }
  }
  FASTIO_TRY(txn->commit());
  return removed;
}

Result<uint64_t> MetadataCache::storedBytes() const {
  auto txn = env_.beginRead();
  if (!txn.ok()) return txn.error();
  uint64_t pages = 0;
  for (MDB_dbi dbi : {workspaces_, nodes_, children_, listings_, answers_}) {
    MDB_stat st{};
    int rc = mdb_stat(txn->raw(), dbi, &st);
    if (rc != 0) return lmdbError(rc, "lmdb stat");
    pages += st.ms_branch_pages + st.ms_leaf_pages + st.ms_overflow_pages;
  }
  return pages * env_.pageSize();
}

}  // namespace fastio::cache
