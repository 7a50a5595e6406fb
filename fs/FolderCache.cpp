#include "fs/FolderCache.h"

#include "common/Log.h"
#include "fs/VirtualNames.h"

namespace fastio::fs {

const Node* FolderListing::find(const std::string& name) const {
  auto it = byName.find(name);
  if (it == byName.end()) return nullptr;
  return &nodes[entries[it->second].index];
}

const std::string* FolderListing::nameOf(const std::string& nodeId) const {
  auto it = byNodeId.find(nodeId);
  if (it == byNodeId.end()) return nullptr;
  return &entries[it->second].name;
}

FolderCache::FolderCache(RemoteStore& remote, const Clock& clock, Duration ttl, Duration timeout,
                         FsCounters& counters, Health& health, MetadataBackup* backup,
                         Duration relistGap)
    : remote_(remote),
      clock_(clock),
      ttl_(ttl),
      timeout_(timeout),
      relistGap_(relistGap),
      counters_(counters),
      health_(health),
      backup_(backup) {}

std::string FolderCache::keyOf(const std::string& workspaceId, const std::string& folderId) {
  return workspaceId + "/" + folderId;
}

FolderCache::ListingPtr FolderCache::makeListing(std::vector<Node> nodes, bool isWorkspaceRoot,
                                                 SteadyTime at, bool stale) {
  auto listing = std::make_shared<FolderListing>();
  listing->nodes = std::move(nodes);
  listing->entries = assignDisplayNames(
      listing->nodes, isWorkspaceRoot ? reservedAtWorkspaceRoot() : noReservedNames());
  listing->byName.reserve(listing->entries.size());
  listing->byNodeId.reserve(listing->entries.size());
  for (size_t i = 0; i < listing->entries.size(); ++i) {
    listing->byName.emplace(listing->entries[i].name, i);
    listing->byNodeId.emplace(listing->nodes[listing->entries[i].index].id, i);
  }
  listing->fetchedAt = at;
  listing->stale = stale;
  return listing;
}

FolderCache::ListingPtr FolderCache::peek(const std::string& workspaceId,
                                          const std::string& folderId) const {
  std::lock_guard lock(mu_);
  auto it = slots_.find(keyOf(workspaceId, folderId));
  return it == slots_.end() ? nullptr : it->second.listing;
}

Result<FolderCache::ListingPtr> FolderCache::get(const std::string& workspaceId,
                                                 const std::string& folderId, Freshness freshness) {
  const std::string key = keyOf(workspaceId, folderId);
  {
    std::lock_guard lock(mu_);
    auto it = slots_.find(key);
    if (it != slots_.end() && it->second.listing && !it->second.listing->stale) {
      const Slot& slot = it->second;
      const Duration age = clock_.now() - slot.listing->fetchedAt;
      if (age < ttl_ && !slot.invalidated) return slot.listing;
      if (freshness == Freshness::kMayLag && age < ttl_ && !slot.forced && age < relistGap_) {
        counters_.folderRelistsDeferred++;
        return slot.listing;
      }
    }
  }
  if (!health_.online() && !health_.shouldProbe(clock_.now())) {
    if (auto held = peek(workspaceId, folderId)) {
      if (held->stale) return held;
      auto copy = std::make_shared<FolderListing>(*held);
      copy->stale = true;
      return ListingPtr(std::move(copy));
    }
  }
  return flights_.run(key, [&] { return fetch(workspaceId, folderId); });
}

Result<FolderCache::ListingPtr> FolderCache::fetch(const std::string& workspaceId,
                                                   const std::string& folderId) {
  const std::string key = keyOf(workspaceId, folderId);
  const SteadyTime started = clock_.now();
  uint64_t startSequence;
  {
    std::lock_guard lock(mu_);
    startSequence = ++sequence_;
  }
  std::vector<Node> nodes;
  counters_.folderListings++;
  Status listed = remote_.listFolder(
      workspaceId, folderId,
      [&](FolderPage&& page) {
        for (auto& n : page.nodes) nodes.push_back(std::move(n));
        return true;
      },
      Deadline::after(health_.callTimeout(timeout_), clock_));
  if (!listed.ok()) {
    counters_.remoteErrors++;
    const bool offline = health_.recordFailure("list " + key, listed.error());
    if (!offline) return listed.error();
    if (auto held = peek(workspaceId, folderId)) {
      if (held->stale) return held;
      auto copy = std::make_shared<FolderListing>(*held);
      copy->stale = true;
      return ListingPtr(std::move(copy));
    }
    if (backup_) {
      if (auto saved = backup_->loadListing(workspaceId, folderId)) {
        auto listing = makeListing(std::move(*saved), folderId == "root", started, true);
        std::lock_guard lock(mu_);
        slots_[key] = Slot{listing, false, false, 0};
        return listing;
      }
    }
    return listed.error();
  }
  health_.recordSuccess();
  if (backup_) backup_->saveListing(workspaceId, folderId, nodes, ttl_);
  auto listing = makeListing(std::move(nodes), folderId == "root", started, false);
  std::lock_guard lock(mu_);
  Slot& slot = slots_[key];
  slot.listing = listing;
  // An invalidation that arrived while fetching may describe a change the listing missed.
  if (slot.invalidated && slot.invalidatedAt < startSequence) {
    slot.invalidated = false;
    slot.forced = false;
  }
  return listing;
}

bool FolderCache::outdated(const std::string& workspaceId, const std::string& folderId,
                           const ListingPtr& listing) const {
  std::lock_guard lock(mu_);
  auto it = slots_.find(keyOf(workspaceId, folderId));
  return it != slots_.end() && it->second.listing == listing && it->second.invalidated;
}

void FolderCache::markInvalid(Slot& slot, ChangedBy by) {
  slot.invalidated = true;
  slot.forced = slot.forced || by == ChangedBy::kThisMount;
  slot.invalidatedAt = ++sequence_;
}

void FolderCache::invalidate(const std::string& workspaceId, const std::string& folderId,
                             ChangedBy by) {
  std::lock_guard lock(mu_);
  auto it = slots_.find(keyOf(workspaceId, folderId));
  if (it != slots_.end()) markInvalid(it->second, by);
}

void FolderCache::invalidateWorkspace(const std::string& workspaceId, ChangedBy by) {
  const std::string prefix = workspaceId + "/";
  std::lock_guard lock(mu_);
  for (auto& [key, slot] : slots_) {
    if (key.compare(0, prefix.size(), prefix) == 0) markInvalid(slot, by);
  }
}

}  // namespace fastio::fs
