#include "fs/NodeView.h"

#include <sys/stat.h>

#include <unordered_set>

#include "fs/VirtualNames.h"

namespace fastio::fs {

NodeView::NodeView(RemoteStore& remote, FolderCache& folders, InodeTable& inodes, Health& health,
                   FsCounters& counters, MetadataBackup* backup, const FsOptions& options,
                   const Clock& clock, WallTime startedWall)
    : remote_(remote),
      folders_(folders),
      inodes_(inodes),
      health_(health),
      counters_(counters),
      backup_(backup),
      options_(options),
      clock_(clock),
      startedWall_(startedWall) {}

std::string NodeView::folderIdOf(const InodeInfo& info) {
  return info.kind == InodeKind::kWorkspace ? std::string("root") : info.nodeId;
}

InodeInfo NodeView::childInfo(const InodeInfo& parent, const Node& node, const std::string& name) {
  InodeInfo info;
  info.kind = node.isFolder() ? InodeKind::kFolder : InodeKind::kFile;
  info.parent = parent.ino;
  info.name = name;
  info.workspaceId = parent.workspaceId;
  info.nodeId = node.id;
  return info;
}

// ---------------------------------------------------------------- workspaces

Result<NodeView::WorkspaceListPtr> NodeView::workspaces(bool allowStale) {
  {
    std::lock_guard lock(mu_);
    if (workspaces_ && !workspaces_->stale &&
        clock_.now() - workspaces_->fetchedAt < options_.attrTtl) {
      return workspaces_;
    }
  }
  if (allowStale && !health_.online() && !health_.shouldProbe(clock_.now())) {
    std::lock_guard lock(mu_);
    if (workspaces_) return workspaces_;
  }
  auto fetched = workspaceFlight_.run(0, [&] { return fetchWorkspaces(); });
  if (fetched.ok() || !allowStale) return fetched;
  std::lock_guard lock(mu_);
  if (workspaces_) return workspaces_;
  return fetched;
}

void NodeView::dropWorkspaces() {
  std::lock_guard lock(mu_);
  workspaces_.reset();
}

size_t NodeView::workspaceCount() const {
  std::lock_guard lock(mu_);
  return workspaces_ ? workspaces_->workspaces.size() : 0;
}

Result<NodeView::WorkspaceListPtr> NodeView::fetchWorkspaces() {
  const SteadyTime started = clock_.now();
  auto listed =
      remote_.listWorkspaces(Deadline::after(health_.callTimeout(options_.remoteTimeout), clock_));
  std::vector<Workspace> list;
  bool stale = false;
  if (listed.ok()) {
    health_.recordSuccess();
    list = std::move(*listed);
    if (backup_) backup_->saveWorkspaces(list);
  } else {
    counters_.remoteErrors++;
    const bool offline = health_.recordFailure("list workspaces", listed.error());
    if (!offline) return listed.error();
    {
      std::lock_guard lock(mu_);
      if (workspaces_) {
        auto copy = std::make_shared<WorkspaceList>(*workspaces_);
        copy->stale = true;
        workspaces_ = copy;
        return workspaces_;
      }
    }
    std::optional<std::vector<Workspace>> saved;
    if (backup_) saved = backup_->loadWorkspaces();
    if (!saved) return listed.error();
    list = std::move(*saved);
    stale = true;
  }
  auto result = std::make_shared<WorkspaceList>();
  std::vector<Node> asNodes;
  asNodes.reserve(list.size());
  for (const Workspace& ws : list) {
    Node n;
    n.id = ws.id;
    n.name = ws.folderName;
    n.type = NodeType::kFolder;
    asNodes.push_back(std::move(n));
  }
  result->entries = assignDisplayNames(asNodes, reservedAtMountRoot());
  for (size_t i = 0; i < result->entries.size(); ++i) result->byName[result->entries[i].name] = i;
  result->workspaces = std::move(list);
  result->fetchedAt = started;
  result->stale = stale;
  std::lock_guard lock(mu_);
  workspaces_ = result;
  return WorkspaceListPtr(result);
}

// ---------------------------------------------------------------- nodes

void NodeView::remember(InodeId ino, const std::string& workspaceId, const Node& node,
                        SteadyTime seenAt) {
  std::lock_guard lock(mu_);
  const SteadyTime at = seenAt == SteadyTime{} ? clock_.now() : seenAt;
  auto it = records_.find(ino);
  if (it != records_.end() && it->second.node.id == node.id) {
    // A listing fetched before an upload stored a new version must not bring the old one back,
    // nor one fetched before the poll reported a change clear that report.
    if (it->second.fetchedAt > at) return;
    if (seenAt != SteadyTime{} && it->second.stale && at <= it->second.staleAt) return;
  }
  records_[ino] = NodeRecord{workspaceId, node, at, false, {}};
}

bool NodeView::outdated(InodeId ino, SteadyTime seenAt) const {
  std::lock_guard lock(mu_);
  auto it = records_.find(ino);
  return it != records_.end() && it->second.stale && seenAt <= it->second.staleAt;
}

Node NodeView::newest(InodeId ino, const Node& seen, SteadyTime seenAt) const {
  std::lock_guard lock(mu_);
  auto it = records_.find(ino);
  if (it != records_.end() && it->second.node.id == seen.id && it->second.fetchedAt > seenAt) {
    return it->second.node;
  }
  return seen;
}

void NodeView::forgetNode(InodeId ino) {
  std::lock_guard lock(mu_);
  records_.erase(ino);
  mtimes_.erase(ino);
}

void NodeView::markStale(InodeId ino) {
  std::lock_guard lock(mu_);
  if (auto it = records_.find(ino); it != records_.end()) {
    it->second.stale = true;
    it->second.staleAt = clock_.now();
  }
}

void NodeView::markWorkspaceStale(const std::string& workspaceId) {
  std::lock_guard lock(mu_);
  for (auto& [ino, record] : records_) {
    if (record.workspaceId == workspaceId) {
      record.stale = true;
      record.staleAt = clock_.now();
    }
  }
}

Result<Node> NodeView::nodeFor(const InodeInfo& asSeen, bool forceFresh) {
  InodeInfo info = asSeen;
  if (info.nodeId.empty()) {
    // Its upload may have finished since the caller looked: the inode then names the node.
    auto now = inodes_.get(info.ino);
    if (!now || now->nodeId.empty()) {
      return makeError(ErrorCode::kNotFound,
                       "not uploaded yet: no remote node for inode " + std::to_string(info.ino));
    }
    info = *now;
  }
  std::optional<NodeRecord> record;
  {
    std::lock_guard lock(mu_);
    if (auto it = records_.find(info.ino); it != records_.end()) record = it->second;
  }
  if (record && record->node.id != info.nodeId) record.reset();  // re-keyed since
  if (record && !forceFresh && !record->stale &&
      clock_.now() - record->fetchedAt < options_.attrTtl) {
    return record->node;
  }
  if (record && !health_.online() && !health_.shouldProbe(clock_.now())) return record->node;
  auto parent = inodes_.get(info.parent);
  if (parent && (parent->kind == InodeKind::kWorkspace || parent->kind == InodeKind::kFolder)) {
    auto listing = folders_.get(info.workspaceId, folderIdOf(*parent));
    // A listing from before the poll reported this node changed cannot tell its new state.
    const bool lags = listing.ok() && !(*listing)->stale && record && record->stale &&
                      (*listing)->fetchedAt <= record->staleAt;
    if (lags) {
      // asked below, by id
    } else if (listing.ok()) {
      auto it = (*listing)->byNodeId.find(info.nodeId);
      if (it != (*listing)->byNodeId.end()) {
        const Node& node = (*listing)->nodes[(*listing)->entries[it->second].index];
        if ((*listing)->stale) return node;  // offline: do not pretend it is fresh
        // A node remembered after the listing was fetched (an upload stored since) is newer.
        remember(info.ino, info.workspaceId, node, (*listing)->fetchedAt);
        return newest(info.ino, node, (*listing)->fetchedAt);
      }
      if ((*listing)->stale && record) return record->node;
    } else if (record && Health::meansOffline(listing.error())) {
      return record->node;
    } else if (!listing.ok() && listing.error().code != ErrorCode::kNotFound) {
      return listing.error();
    }
  }
  // Not in its folder any more: moved elsewhere, or gone.
  const SteadyTime asked = clock_.now();
  auto details =
      remote_.nodeDetails(info.workspaceId, {info.nodeId},
                          Deadline::after(health_.callTimeout(options_.remoteTimeout), clock_));
  if (!details.ok()) {
    if (record && Health::meansOffline(details.error())) return record->node;
    return details.error();
  }
  for (const Node& n : details->nodes) {
    if (n.id == info.nodeId) {
      // As of when it was asked: an answer that crossed an upload must not hide it.
      remember(info.ino, info.workspaceId, n, asked);
      return newest(info.ino, n, asked);
    }
  }
  return makeError(ErrorCode::kNotFound, "node " + info.nodeId + " no longer exists");
}

// ---------------------------------------------------------------- attributes

Attributes NodeView::attrFor(const InodeInfo& info, const Node* node) const {
  Attributes a;
  a.ino = info.ino;
  a.uid = options_.uid;
  a.gid = options_.gid;
  a.blockSize = options_.blockSize;
  const uint32_t writeMask = options_.readOnly ? 0555u : 0777u;
  auto overridden = [&](const std::string& version) -> std::optional<WallTime> {
    std::lock_guard lock(mu_);
    auto it = mtimes_.find(info.ino);
    if (it == mtimes_.end() || it->second.version != version) return std::nullopt;
    return it->second.mtime;
  };
  if (isDirectoryKind(info.kind)) {
    a.mode = S_IFDIR | (0777u & ~options_.umask & writeMask);
    a.nlink = 2;
    a.mtime = node ? node->modified : startedWall_;
    if (node && node->modified == WallTime{}) a.mtime = startedWall_;
    if (auto m = overridden("")) a.mtime = *m;
    a.ctime = a.mtime;
    return a;
  }
  a.mode = S_IFREG | (0666u & ~options_.umask & writeMask);
  if (node != nullptr) {
    a.size = node->size;
    a.mtime = node->modified == WallTime{} ? node->created : node->modified;
    if (auto m = overridden(node->version)) a.mtime = *m;
  } else {
    a.mtime = startedWall_;
  }
  a.ctime = a.mtime;
  overlay(a);
  return a;
}

void NodeView::overrideMtime(InodeId ino, const std::string& version, WallTime mtime) {
  std::lock_guard lock(mu_);
  mtimes_[ino] = MtimeOverride{version, mtime};
}

void NodeView::overlay(Attributes& a) const {
  if (local_ == nullptr) return;
  if (auto local = local_->attrsOf(a.ino)) {
    a.size = local->size;
    a.mtime = local->mtime;
    a.ctime = local->mtime;
  }
}

Result<AttrReply> NodeView::getattr(const InodeInfo& info) {
  AttrReply reply;
  reply.ttl = options_.attrTtl;
  if (info.kind == InodeKind::kMountRoot || info.kind == InodeKind::kWorkspace) {
    reply.attr = attrFor(info, nullptr);
    return reply;
  }
  if (info.kind == InodeKind::kFile && local_ != nullptr) {
    // A file with local changes answers from them: no remote call, also offline.
    if (local_->attrsOf(info.ino)) {
      reply.attr = attrFor(info, nullptr);
      return reply;
    }
  }
  auto node = nodeFor(info, false);
  if (!node.ok()) return node.error();
  reply.attr = attrFor(info, &*node);
  return reply;
}

// ---------------------------------------------------------------- entries

EntryReply NodeView::entryFor(const std::string& key, const InodeInfo& info, const Node* node,
                              SteadyTime seenAt) {
  InodeInfo held = inodes_.lookupOrCreate(key, info);
  std::optional<Node> shown;
  if (node != nullptr) {
    remember(held.ino, held.workspaceId, *node, seenAt);
    shown = newest(held.ino, *node, seenAt);
    if (seenAt != SteadyTime{} && outdated(held.ino, seenAt)) {
      if (auto fresh = nodeFor(held, false); fresh.ok()) shown = *fresh;
    }
  }
  EntryReply reply;
  reply.attr = attrFor(held, shown ? &*shown : nullptr);
  reply.entryTtl = options_.entryTtl;
  reply.attrTtl = options_.attrTtl;
  return reply;
}

EntryReply NodeView::localEntry(const LocalFile& file) {
  InodeInfo held = inodes_.lookupOrCreate(file.key, file.info);
  EntryReply reply;
  reply.attr = attrFor(held, nullptr);
  reply.attr.size = file.size;
  reply.attr.mtime = file.mtime;
  reply.attr.ctime = file.mtime;
  overlay(reply.attr);
  reply.entryTtl = options_.entryTtl;
  reply.attrTtl = options_.attrTtl;
  return reply;
}

EntryReply NodeView::acquire(const DirEntry& entry) {
  if (!entry.node) {
    LocalFile file{entry.key, entry.info, entry.attr.size, entry.attr.mtime, false, {}};
    if (isDirectoryKind(entry.info.kind)) return entryFor(entry.key, entry.info, nullptr);
    return localEntry(file);
  }
  return entryFor(entry.key, entry.info, &*entry.node, entry.seenAt);
}

Result<EntryReply> NodeView::lookupWorkspace(const std::string& name) {
  auto list = workspaces(true);
  if (!list.ok()) return list.error();
  auto it = (*list)->byName.find(name);
  if (it == (*list)->byName.end()) {
    return makeError(ErrorCode::kNotFound, "no workspace named " + name);
  }
  const Workspace& ws = (*list)->workspaces[(*list)->entries[it->second].index];
  InodeInfo info;
  info.kind = InodeKind::kWorkspace;
  info.parent = kRootInode;
  info.name = name;
  info.workspaceId = ws.id;
  info.nodeId = "root";
  return entryFor(InodeTable::workspaceKey(ws.id), info, nullptr);
}

std::vector<LocalFile> NodeView::localFilesIn(
    const InodeInfo& dir, const FolderListing* listing,
    std::unordered_map<std::string, LocalFile>* storedSince) {
  if (local_ == nullptr) return {};
  const std::string folderId = folderIdOf(dir);
  if (listing != nullptr && !listing->stale) {
    local_->listingFetched(dir.workspaceId, folderId, listing->fetchedAt);
  }
  std::vector<LocalFile> files = local_->filesIn(dir, folderId);
  if (listing != nullptr) {
    // A file stored a moment ago that the listing names: listed under the listing's name, with
    // what the upload made (the listing predates it, or its fetch crossed it).
    std::erase_if(files, [&](const LocalFile& f) {
      if (!f.stored || listing->byNodeId.count(f.info.nodeId) == 0) return false;
      if (storedSince != nullptr) storedSince->emplace(f.info.nodeId, f);
      return true;
    });
  }
  return files;
}

Result<std::optional<NodeView::Child>> NodeView::findChild(const InodeInfo& parent,
                                                           const std::string& name) {
  auto listing =
      folders_.get(parent.workspaceId, folderIdOf(parent), FolderCache::Freshness::kMayLag);
  // Only "no such name" may lag: a name the deferred listing holds is asked for again.
  if (listing.ok() && (*listing)->find(name) != nullptr &&
      folders_.outdated(parent.workspaceId, folderIdOf(parent), *listing)) {
    listing = folders_.get(parent.workspaceId, folderIdOf(parent));
  }
  // Local files answer even when the listing cannot be had (offline, never listed).
  if (local_ != nullptr) {
    const std::string folderId = folderIdOf(parent);
    if (listing.ok() && !(*listing)->stale) {
      local_->listingFetched(parent.workspaceId, folderId, (*listing)->fetchedAt);
    }
    std::optional<LocalFile> f = local_->fileNamed(parent, folderId, name);
    // A file stored a moment ago that the listing names: the listing's entry, with what the
    // upload made (a listing fetched after the upload would have retired the local entry).
    if (f && f->stored && listing.ok() && (*listing)->byNodeId.count(f->info.nodeId) != 0) {
      Child c;
      c.key = InodeTable::nodeKey(parent.workspaceId, f->info.nodeId);
      c.info = childInfo(parent, f->storedNode, name);
      c.info.ino = inodes_.numberFor(c.key, c.info);
      c.node = f->storedNode;
      c.seenAt = f->storedAt;
      return std::optional<Child>(std::move(c));
    }
    if (f) {
      Child c;
      c.key = f->key;
      c.info = f->info;
      c.info.ino = inodes_.numberFor(c.key, c.info);
      c.local = std::move(*f);
      return std::optional<Child>(std::move(c));
    }
  }
  if (!listing.ok()) return listing.error();
  const Node* node = (*listing)->find(name);
  if (node == nullptr ||
      (local_ != nullptr &&
       (local_->hides(parent.workspaceId, node->id) ||
        local_->placedElsewhere(parent.workspaceId, node->id, folderIdOf(parent), name)))) {
    return std::optional<Child>();
  }
  Child c;
  c.key = InodeTable::nodeKey(parent.workspaceId, node->id);
  c.info = childInfo(parent, *node, name);
  c.info.ino = inodes_.numberFor(c.key, c.info);
  c.node = *node;
  c.seenAt = (*listing)->fetchedAt;
  return std::optional<Child>(std::move(c));
}

Result<EntryReply> NodeView::lookupChild(const InodeInfo& parent, const std::string& name) {
  auto child = findChild(parent, name);
  if (!child.ok()) return child.error();
  if (!*child) return makeError(ErrorCode::kNotFound, "no entry named " + name);
  if ((*child)->local) return localEntry(*(*child)->local);
  return entryFor((*child)->key, (*child)->info, &*(*child)->node, (*child)->seenAt);
}

Result<std::vector<DirEntry>> NodeView::listRoot() {
  auto list = workspaces(true);
  if (!list.ok()) return list.error();
  std::vector<DirEntry> out;
  out.reserve((*list)->entries.size());
  for (const DisplayEntry& e : (*list)->entries) {
    const Workspace& ws = (*list)->workspaces[e.index];
    DirEntry d;
    d.name = e.name;
    d.key = InodeTable::workspaceKey(ws.id);
    d.info.kind = InodeKind::kWorkspace;
    d.info.parent = kRootInode;
    d.info.name = e.name;
    d.info.workspaceId = ws.id;
    d.info.nodeId = "root";
    d.info.ino = inodes_.numberFor(d.key, d.info);
    d.attr = attrFor(d.info, nullptr);
    out.push_back(std::move(d));
  }
  return out;
}

Result<std::vector<DirEntry>> NodeView::listFolder(const InodeInfo& dir) {
  auto listing = folders_.get(dir.workspaceId, folderIdOf(dir));
  if (!listing.ok()) return listing.error();
  std::unordered_map<std::string, LocalFile> storedSince;  // node id -> stored a moment ago
  std::vector<LocalFile> locals = localFilesIn(dir, listing->get(), &storedSince);
  std::unordered_set<std::string> localNames;
  for (const LocalFile& f : locals) localNames.insert(f.info.name);
  std::vector<DirEntry> out;
  out.reserve((*listing)->entries.size() + locals.size());
  for (const DisplayEntry& e : (*listing)->entries) {
    const Node& node = (*listing)->nodes[e.index];
    if (localNames.count(e.name) != 0) continue;  // a local file shadows it
    if (local_ != nullptr &&
        (local_->hides(dir.workspaceId, node.id) ||
         local_->placedElsewhere(dir.workspaceId, node.id, folderIdOf(dir), e.name))) {
      continue;
    }
    DirEntry d;
    d.name = e.name;
    d.key = InodeTable::nodeKey(dir.workspaceId, node.id);
    d.info = childInfo(dir, node, e.name);
    d.info.ino = inodes_.numberFor(d.key, d.info);
    d.seenAt = (*listing)->fetchedAt;
    d.node = node;
    if (auto s = storedSince.find(node.id); s != storedSince.end()) {
      d.seenAt = s->second.storedAt;
      d.node = s->second.storedNode;
    }
    d.node = newest(d.info.ino, *d.node, d.seenAt);
    d.attr = attrFor(d.info, &*d.node);
    out.push_back(std::move(d));
  }
  for (LocalFile& f : locals) {
    DirEntry d;
    d.name = f.info.name;
    d.key = f.key;
    d.info = f.info;
    d.info.ino = inodes_.numberFor(d.key, d.info);
    d.attr = attrFor(d.info, nullptr);
    d.attr.size = f.size;
    d.attr.mtime = f.mtime;
    d.attr.ctime = f.mtime;
    overlay(d.attr);
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace fastio::fs
