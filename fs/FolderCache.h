#pragma once
// Folder listings in memory, as immutable snapshots with a time to live. A listing is fetched
// whole (every page) once per TTL however many lookups ask for it at the same time; a name not
// in a fresh listing does not exist (that is the negative cache). When the server is
// unreachable, the last snapshot (or the persisted one) is served, stale, instead of an error.
// A change reported by the activity poll re-lists the folder at most once per `relistGap`
// after its last fetch, for lookups of names it does not hold (`kMayLag`, then `outdated`): a
// folder that changes all the time (often by this mount's own uploads, whose results the local
// side already shows) is not fetched whole for every new name created in it. A name it holds,
// attributes and readdir ask for the current listing.

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "client/RemoteStore.h"
#include "common/Clock.h"
#include "fs/FsCounters.h"
#include "fs/Health.h"
#include "fs/MetadataBackup.h"
#include "fs/NameSanitizer.h"
#include "fs/SingleFlight.h"

namespace fastio::fs {

struct FolderListing {
  std::vector<Node> nodes;
  std::vector<DisplayEntry> entries;                 // shown children, in listing order
  std::unordered_map<std::string, size_t> byName;    // display name -> entries index
  std::unordered_map<std::string, size_t> byNodeId;  // node id -> entries index
  SteadyTime fetchedAt{};
  bool stale = false;  // served from an old snapshot because the server was unreachable

  const Node* find(const std::string& name) const;
  // The display name of a child node, if shown.
  const std::string* nameOf(const std::string& nodeId) const;
};

class FolderCache {
 public:
  FolderCache(RemoteStore& remote, const Clock& clock, Duration ttl, Duration timeout,
              FsCounters& counters, Health& health, MetadataBackup* backup,
              Duration relistGap = Duration::zero());

  using ListingPtr = std::shared_ptr<const FolderListing>;
  enum class Freshness { kCurrent, kMayLag };
  // A fresh listing (fetched if needed) or, when the server is unreachable, a stale one.
  // kMayLag accepts one the poll outdated less than `relistGap` after its fetch.
  Result<ListingPtr> get(const std::string& workspaceId, const std::string& folderId,
                         Freshness freshness = Freshness::kCurrent);
  // Whether `listing` is held while the poll says its folder changed (a kMayLag get served it
  // deferred): a name it lacks may lag by up to `relistGap`, a name it has must be asked again.
  bool outdated(const std::string& workspaceId, const std::string& folderId,
                const ListingPtr& listing) const;
  // Whatever is held now, fresh or not, without any remote call.
  ListingPtr peek(const std::string& workspaceId, const std::string& folderId) const;
  // Who says the folder changed. This mount: the next get fetches it. The server (activity
  // poll): a kMayLag get fetches it once `relistGap` has passed since the last fetch.
  enum class ChangedBy { kThisMount, kServer };
  void invalidate(const std::string& workspaceId, const std::string& folderId,
                  ChangedBy by = ChangedBy::kThisMount);
  void invalidateWorkspace(const std::string& workspaceId, ChangedBy by = ChangedBy::kThisMount);
  // Builds a snapshot (exposed for tests of naming).
  static ListingPtr makeListing(std::vector<Node> nodes, bool isWorkspaceRoot, SteadyTime at,
                                bool stale);

 private:
  static std::string keyOf(const std::string& workspaceId, const std::string& folderId);
  Result<ListingPtr> fetch(const std::string& workspaceId, const std::string& folderId);

  RemoteStore& remote_;
  const Clock& clock_;
  Duration ttl_;
  Duration timeout_;
  Duration relistGap_;
  FsCounters& counters_;
  Health& health_;
  MetadataBackup* backup_;

  mutable std::mutex mu_;
  struct Slot {
    ListingPtr listing;
    bool invalidated = false;
    bool forced = false;         // by this mount's own change: never deferred
    uint64_t invalidatedAt = 0;  // value of sequence_ when invalidated
  };
  void markInvalid(Slot& slot, ChangedBy by);
  uint64_t sequence_ = 0;  // orders invalidations against fetches (guarded by mu_)
  std::unordered_map<std::string, Slot> slots_;
  SingleFlight<std::string, ListingPtr> flights_;
};

}  // namespace fastio::fs
