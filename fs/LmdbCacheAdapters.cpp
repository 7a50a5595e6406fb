#include "fs/LmdbCacheAdapters.h"

#include "common/Log.h"
#include "fs/NameSanitizer.h"
#include "fs/VirtualNames.h"

namespace fastio::fs {
namespace {

cache::BlockKey blockKey(const ContentKey& key) {
  return cache::BlockKey{key.nodeId, key.version, key.index};
}

int64_t toNs(WallTime t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

WallTime fromNs(int64_t ns) {
  return WallTime{} + std::chrono::duration_cast<WallTime::duration>(std::chrono::nanoseconds(ns));
}

std::string listingKey(const std::string& workspaceId, const std::string& folderId) {
  return workspaceId + ":" + folderId;
}

}  // namespace

std::optional<std::string> LmdbContentCache::get(const ContentKey& key) {
  auto got = blocks_.get(blockKey(key));
  if (!got.ok()) {
    FASTIO_LOG_WARN("block cache read failed: {}", got.error().describe());
    return std::nullopt;
  }
  return std::move(*got);
}

std::optional<BlockView> LmdbContentCache::view(const ContentKey& key) {
  auto pinned = blocks_.pin(blockKey(key));
  if (!pinned.ok()) {
    FASTIO_LOG_WARN("block cache read failed: {}", pinned.error().describe());
    return std::nullopt;
  }
  if (!pinned->has_value()) return std::nullopt;
  return BlockView{(*pinned)->bytes, std::move((*pinned)->keepAlive)};
}

bool LmdbContentCache::contains(const ContentKey& key) {
  auto has = blocks_.contains(blockKey(key));
  return has.ok() && *has;
}

Status LmdbContentCache::put(const ContentKey& key, std::string_view data) {
  return blocks_.put(blockKey(key), data);
}

uint64_t LmdbContentCache::bytesUsed() const {
  return blocks_.stats().chargedBytes;
}

cache::CachedNode LmdbMetadataBackup::toCached(const Node& n) {
  cache::CachedNode c;
  c.id = n.id;
  c.parentId = n.parentId;
  c.name = n.name;
  switch (n.type) {
    case NodeType::kFile:
      c.type = cache::CachedNodeType::kFile;
      break;
    case NodeType::kFolder:
      c.type = cache::CachedNodeType::kFolder;
      break;
    case NodeType::kNote:
      c.type = cache::CachedNodeType::kNote;
      break;
    case NodeType::kLink:
      c.type = cache::CachedNodeType::kLink;
      break;
    case NodeType::kOther:
      c.type = cache::CachedNodeType::kOther;
      break;
  }
  c.size = n.size;
  c.version = n.version;
  c.hash = n.hash;
  c.hashAlgo = n.hashAlgo;
  c.createdNs = toNs(n.created);
  c.modifiedNs = toNs(n.modified);
  c.mimetype = n.mimetype;
  c.aiState = n.aiState;
  c.summaryTitle = n.summary.title;
  c.summaryShort = n.summary.shortText;
  c.summaryLong = n.summary.longText;
  c.locked = n.locked;
  return c;
}

Node LmdbMetadataBackup::fromCached(const cache::CachedNode& c) {
  Node n;
  n.id = c.id;
  n.parentId = c.parentId;
  n.name = c.name;
  switch (c.type) {
    case cache::CachedNodeType::kFile:
      n.type = NodeType::kFile;
      break;
    case cache::CachedNodeType::kFolder:
      n.type = NodeType::kFolder;
      break;
    case cache::CachedNodeType::kNote:
      n.type = NodeType::kNote;
      break;
    case cache::CachedNodeType::kLink:
      n.type = NodeType::kLink;
      break;
    case cache::CachedNodeType::kOther:
      n.type = NodeType::kOther;
      break;
  }
  n.size = c.size;
  n.version = c.version;
  n.hash = c.hash;
  n.hashAlgo = c.hashAlgo;
  n.created = fromNs(c.createdNs);
  n.modified = fromNs(c.modifiedNs);
  n.mimetype = c.mimetype;
  n.aiState = c.aiState;
  n.summary = NodeSummary{c.summaryTitle, c.summaryShort, c.summaryLong};
  n.locked = c.locked;
  return n;
}

void LmdbMetadataBackup::saveWorkspaces(const std::vector<Workspace>& workspaces) {
  std::vector<cache::CachedWorkspace> out;
  out.reserve(workspaces.size());
  for (const auto& w : workspaces) {
    out.push_back(cache::CachedWorkspace{w.id, w.folderName, w.name, w.orgId, w.intelligence});
  }
  if (Status s = metadata_.putWorkspaces(out); !s.ok()) {
    FASTIO_LOG_WARN("could not persist the workspace list: {}", s.error().describe());
  }
}

std::optional<std::vector<Workspace>> LmdbMetadataBackup::loadWorkspaces() {
  auto got = metadata_.workspaces();
  if (!got.ok() || got->empty()) return std::nullopt;
  std::vector<Workspace> out;
  for (const auto& w : *got) {
    out.push_back(Workspace{w.id, w.folderName, w.name, w.orgId, w.intelligence});
  }
  return out;
}

void LmdbMetadataBackup::saveListing(const std::string& workspaceId, const std::string& folderId,
                                     const std::vector<Node>& children, Duration ttl) {
  const auto& reserved = folderId == "root" ? reservedAtWorkspaceRoot() : noReservedNames();
  std::vector<cache::CachedNode> out;
  const auto entries = assignDisplayNames(children, reserved);
  out.reserve(entries.size());
  for (const DisplayEntry& e : entries) {
    cache::CachedNode c = toCached(children[e.index]);
    c.name = e.name;
    out.push_back(std::move(c));
  }
  if (Status s = metadata_.putListing(listingKey(workspaceId, folderId), out, ttl); !s.ok()) {
    FASTIO_LOG_WARN("could not persist the listing of {}: {}", folderId, s.error().describe());
  }
}

std::optional<std::vector<Node>> LmdbMetadataBackup::loadListing(const std::string& workspaceId,
                                                                 const std::string& folderId) {
  auto got = metadata_.listing(listingKey(workspaceId, folderId));
  if (!got.ok() || !got->complete) return std::nullopt;
  std::vector<Node> out;
  out.reserve(got->children.size());
  for (const auto& c : got->children) {
    Node n = fromCached(c);
    n.parentId = folderId;
    out.push_back(std::move(n));
  }
  return out;
}

void LmdbMetadataBackup::saveAnswer(bool isAsk, const std::string& workspaceId,
                                    const std::string& query, const std::string& payload,
                                    Duration ttl) {
  const auto kind = isAsk ? cache::AnswerKind::kAsk : cache::AnswerKind::kSearch;
  if (Status s = metadata_.putAnswer(kind, workspaceId, query, payload, ttl); !s.ok()) {
    FASTIO_LOG_DEBUG("answer not persisted: {}", s.error().describe());
  }
}

std::optional<std::string> LmdbMetadataBackup::loadAnswer(bool isAsk,
                                                          const std::string& workspaceId,
                                                          const std::string& query) {
  const auto kind = isAsk ? cache::AnswerKind::kAsk : cache::AnswerKind::kSearch;
  auto got = metadata_.answer(kind, workspaceId, query);
  if (!got.ok() || !got->has_value()) return std::nullopt;
  return (*got)->payload;
}

}  // namespace fastio::fs
