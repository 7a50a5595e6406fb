#pragma once
// Persistent metadata: workspaces, nodes by id, children by (parent, name), whether a folder's
// listing is complete and until when it is fresh, and search / ask answers with their TTL.
//
// Freshness uses wall-clock time (Clock::wallNow) because entries outlive the process: after a
// restart everything is still there and is served while fresh; stale entries are still
// returned (flagged `fresh = false`) so the filesystem can serve them when the remote is down
// and revalidate otherwise. putNode() reports whether the node's version changed, which is
// how the filesystem learns that cached blocks of the old version are obsolete.
//
// Thread-safe: reads are short LMDB read transactions; writes are serialized by LMDB.
// Key layouts are in docs/CACHE.md.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cache/CachedTypes.h"
#include "cache/LmdbEnv.h"
#include "common/Clock.h"
#include "common/Result.h"

namespace fastio::cache {

struct NodePutOutcome {
  bool existed = false;
  bool versionChanged = false;  // existed and the version differs
  std::string previousVersion;
};

struct CachedListing {
  std::vector<CachedNode> children;  // ordered by name (byte order)
  bool complete = false;             // every child is present (set by putListing)
  bool fresh = false;                // complete and not expired
  int64_t fetchedAtNs = 0;
};

enum class AnswerKind : uint8_t { kSearch = 1, kAsk = 2 };

struct CachedAnswer {
  std::string query;
  std::string payload;  // opaque to the cache (the fs stores its own encoding)
  int64_t storedAtNs = 0;
  int64_t expiresAtNs = 0;
  bool fresh = false;
};

class MetadataCache {
 public:
  // Opens its databases in env (call once at start-up, before other threads use env).
  static Result<std::unique_ptr<MetadataCache>> open(LmdbEnv& env, const Clock& clock);

  // --- workspaces: the whole list is replaced at once.
  Status putWorkspaces(const std::vector<CachedWorkspace>& workspaces);
  Result<std::vector<CachedWorkspace>> workspaces() const;

  // --- nodes. putNode inserts or updates the node and its (parent, name) entry; a rename or
  // move drops the old entry. The parent's listing keeps its completeness: a node learned
  // from a lookup is a member of the folder either way.
  Result<NodePutOutcome> putNode(const CachedNode& node);
  Result<std::optional<CachedNode>> node(std::string_view id) const;
  // The child of `parentId` named `name`, if known.
  Result<std::optional<CachedNode>> child(std::string_view parentId, std::string_view name) const;
  // Removes the node and its (parent, name) entry. Its own children entries stay until their
  // folder's listing is replaced or they are removed.
  Status removeNode(std::string_view id);

  // --- listings. putListing replaces every child of parentId with `children`, marks the
  // listing complete and fresh for `ttl`.
  Status putListing(std::string_view parentId, const std::vector<CachedNode>& children,
                    Duration ttl);
  // Whatever children are known; complete/fresh say whether that is the whole folder.
  Result<CachedListing> listing(std::string_view parentId) const;
  // Marks a listing incomplete (e.g. the change watcher saw the folder change).
  Status invalidateListing(std::string_view parentId);

  // --- search / ask answers, per workspace, keyed by the query text.
  Status putAnswer(AnswerKind kind, std::string_view workspaceId, std::string_view query,
                   std::string_view payload, Duration ttl);
  Result<std::optional<CachedAnswer>> answer(AnswerKind kind, std::string_view workspaceId,
                                             std::string_view query) const;
  // Answers still fresh, ordered by query (what `ls WS/.search/` shows).
  Result<std::vector<CachedAnswer>> freshAnswers(AnswerKind kind,
                                                 std::string_view workspaceId) const;
  // Removes expired answers of every kind; returns how many.
  Result<uint64_t> purgeExpiredAnswers();

  // Bytes of LMDB pages the metadata databases occupy (counted against --cache-size).
  Result<uint64_t> storedBytes() const;

 private:
  MetadataCache(LmdbEnv& env, const Clock& clock) : env_(env), clock_(clock) {}
  int64_t nowNs() const;
  LmdbEnv& env_;
  const Clock& clock_;
  MDB_dbi workspaces_{};
  MDB_dbi nodes_{};
  MDB_dbi children_{};
  MDB_dbi listings_{};
  MDB_dbi answers_{};
};

}  // namespace fastio::cache
