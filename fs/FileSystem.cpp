#include "fs/FileSystem.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

#include "common/Log.h"
#include "fs/VirtualNames.h"

namespace fastio::fs {
namespace {

std::string normalizeNodeId(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (char c : raw) {
    if (c == '-') continue;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string folderIdOf(const InodeInfo& info) {
  return info.kind == InodeKind::kWorkspace ? std::string("root") : info.nodeId;
}

}  // namespace

FileSystem::FileSystem(RemoteStore& remote, ContentCache& cache, MetadataBackup* backup,
                       const FsOptions& options, const Clock& clock)
    : remote_(remote),
      cache_(cache),
      backup_(backup),
      options_(options),
      clock_(clock),
      startedAt_(clock.now()),
      startedWall_(clock.wallNow()),
      folders_(remote, clock, options.attrTtl, options.remoteTimeout, counters_, health_, backup),
      paths_(remote, folders_, clock, options.remoteTimeout),
      search_(remote, paths_, clock, options.searchTtl, options.remoteTimeout, counters_),
      ask_(remote, paths_, clock, options.askTtl, options.askTimeout, counters_, backup),
      blocks_(remote, cache, options.blockSize, options.remoteTimeout, counters_, &health_, clock),
      prefetch_(options.readAheadThreads, 256),
      folderScans_(4, options.folderReadAheadFiles) {}

FileSystem::~FileSystem() {
  stop();
}

Status FileSystem::start(KernelInvalidator* invalidator) {
  if (invalidator != nullptr) notifier_ = std::make_unique<KernelNotifier>(*invalidator);
  auto list = workspaces(true);
  if (!list.ok()) return list.error();
  if (options_.watchChanges) {
    watcher_ = std::make_unique<ChangeWatcher>(
        remote_, options_.activityWaitSeconds,
        [this](const std::string& ws, const std::vector<std::string>& keys) {
          applyActivity(ws, keys);
        });
    for (const Workspace& ws : (*list)->workspaces) watcher_->watch(ws.id);
  }
  return okStatus();
}

void FileSystem::stop() {
  if (watcher_) watcher_->stop();
  prefetch_.stop();
  if (notifier_) notifier_->stop();
}

// ---------------------------------------------------------------- helpers

Result<InodeInfo> FileSystem::inodeInfo(InodeId ino) const {
  auto info = inodes_.get(ino);
  if (!info) return makeError(ErrorCode::kStale, "unknown inode " + std::to_string(ino));
  return *info;
}

Result<std::shared_ptr<const FileSystem::WorkspaceList>> FileSystem::workspaces(bool allowStale) {
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

Result<std::shared_ptr<const FileSystem::WorkspaceList>> FileSystem::fetchWorkspaces() {
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
  return std::shared_ptr<const WorkspaceList>(result);
}

void FileSystem::remember(InodeId ino, const std::string& workspaceId, const Node& node) {
  std::lock_guard lock(mu_);
  records_[ino] = NodeRecord{workspaceId, node, clock_.now(), false};
}

InodeInfo FileSystem::childInfo(const InodeInfo& parent, const Node& node,
                                const std::string& name) const {
  InodeInfo info;
  info.kind = node.isFolder() ? InodeKind::kFolder : InodeKind::kFile;
  info.parent = parent.ino;
  info.name = name;
  info.workspaceId = parent.workspaceId;
  info.nodeId = node.id;
  return info;
}

Result<Node> FileSystem::nodeFor(const InodeInfo& info, bool forceFresh) {
  std::optional<NodeRecord> record;
  {
    std::lock_guard lock(mu_);
    if (auto it = records_.find(info.ino); it != records_.end()) record = it->second;
  }
  if (record && !forceFresh && !record->stale &&
      clock_.now() - record->fetchedAt < options_.attrTtl) {
    return record->node;
  }
  if (record && !health_.online() && !health_.shouldProbe(clock_.now())) return record->node;
  auto parent = inodes_.get(info.parent);
  if (parent && (parent->kind == InodeKind::kWorkspace || parent->kind == InodeKind::kFolder)) {
    auto listing = folders_.get(info.workspaceId, folderIdOf(*parent));
    if (listing.ok()) {
      auto it = (*listing)->byNodeId.find(info.nodeId);
      if (it != (*listing)->byNodeId.end()) {
        const Node& node = (*listing)->nodes[(*listing)->entries[it->second].index];
        if ((*listing)->stale) return node;  // offline: do not pretend it is fresh
        remember(info.ino, info.workspaceId, node);
        return node;
      }
      if ((*listing)->stale && record) return record->node;
    } else if (record && Health::meansOffline(listing.error())) {
      return record->node;
    } else if (!listing.ok() && listing.error().code != ErrorCode::kNotFound) {
      return listing.error();
    }
  }
  // Not in its folder any more: moved elsewhere, or gone.
  auto details =
      remote_.nodeDetails(info.workspaceId, {info.nodeId},
                          Deadline::after(health_.callTimeout(options_.remoteTimeout), clock_));
  if (!details.ok()) {
    if (record && Health::meansOffline(details.error())) return record->node;
    return details.error();
  }
  for (const Node& n : details->nodes) {
    if (n.id == info.nodeId) {
      remember(info.ino, info.workspaceId, n);
      return n;
    }
  }
  return makeError(ErrorCode::kNotFound, "node " + info.nodeId + " no longer exists");
}

Attributes FileSystem::attrFor(const InodeInfo& info, const Node* node) const {
  Attributes a;
  a.ino = info.ino;
  a.uid = options_.uid;
  a.gid = options_.gid;
  a.blockSize = blocks_.blockSize();
  const uint32_t writeMask = options_.readOnly ? 0555u : 0777u;
  if (node == nullptr || isDirectoryKind(info.kind)) {
    a.mode = S_IFDIR | (0777u & ~options_.umask & writeMask);
    a.nlink = 2;
    a.mtime = node ? node->modified : startedWall_;
    if (node && node->modified == WallTime{}) a.mtime = startedWall_;
    a.ctime = a.mtime;
    return a;
  }
  a.mode = S_IFREG | (0666u & ~options_.umask & writeMask);
  a.size = node->size;
  a.mtime = node->modified == WallTime{} ? node->created : node->modified;
  a.ctime = a.mtime;
  return a;
}

Attributes FileSystem::virtualAttr(const InodeInfo& info, uint64_t size) const {
  Attributes a;
  a.ino = info.ino;
  a.uid = options_.uid;
  a.gid = options_.gid;
  a.blockSize = 4096;
  a.mtime = startedWall_;
  a.ctime = startedWall_;
  if (isDirectoryKind(info.kind)) {
    a.mode = S_IFDIR | (0555u & ~options_.umask);
    a.nlink = 2;
  } else if (info.kind == InodeKind::kSearchHitLink) {
    a.mode = S_IFLNK | 0777u;
    a.size = size;
  } else {
    a.mode = S_IFREG | (0444u & ~options_.umask);
    a.size = size;
  }
  return a;
}

EntryReply FileSystem::entryFor(const std::string& key, const InodeInfo& info, const Node* node,
                                uint64_t virtualSize) {
  InodeInfo held = inodes_.lookupOrCreate(key, info);
  if (node != nullptr) remember(held.ino, held.workspaceId, *node);
  EntryReply reply;
  reply.attr = isVirtual(held.kind) ? virtualAttr(held, virtualSize) : attrFor(held, node);
  reply.entryTtl = options_.entryTtl;
  reply.attrTtl = isVirtual(held.kind) ? std::chrono::seconds(1) : options_.attrTtl;
  if (held.kind == InodeKind::kControlFile || held.kind == InodeKind::kAskFile) {
    reply.attrTtl = Duration::zero();
  }
  return reply;
}

// ---------------------------------------------------------------- lookup

Result<EntryReply> FileSystem::lookup(InodeId parent, const std::string& name) {
  counters_.lookups++;
  if (name.size() > kMaxNameBytes) {
    return makeError(ErrorCode::kNameTooLong, "name longer than 255 bytes");
  }
  auto info = inodeInfo(parent);
  if (!info.ok()) return info.error();
  switch (info->kind) {
    case InodeKind::kMountRoot:
      return lookupInRoot(name);
    case InodeKind::kWorkspace:
    case InodeKind::kFolder:
      return lookupInFolder(*info, name);
    default:
      if (!isDirectoryKind(info->kind)) {
        return makeError(ErrorCode::kNotDirectory, "not a directory");
      }
      return lookupVirtual(*info, name);
  }
}

Result<EntryReply> FileSystem::lookupInRoot(const std::string& name) {
  if (name == kControlDirName) {
    InodeInfo info;
    info.kind = InodeKind::kControlDir;
    info.parent = kRootInode;
    info.name = name;
    return entryFor(InodeTable::virtualKey("ctl", "", ""), info, nullptr);
  }
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
  if (watcher_) watcher_->watch(ws.id);
  return entryFor(InodeTable::workspaceKey(ws.id), info, nullptr);
}

Result<EntryReply> FileSystem::lookupInFolder(const InodeInfo& parent, const std::string& name) {
  if (parent.kind == InodeKind::kWorkspace && (name == kSearchDirName || name == kAskDirName)) {
    InodeInfo info;
    info.kind = name == kSearchDirName ? InodeKind::kSearchDir : InodeKind::kAskDir;
    info.parent = parent.ino;
    info.name = name;
    info.workspaceId = parent.workspaceId;
    return entryFor(
        InodeTable::virtualKey(name == kSearchDirName ? "search" : "ask", parent.workspaceId, ""),
        info, nullptr);
  }
  auto listing = folders_.get(parent.workspaceId, folderIdOf(parent));
  if (!listing.ok()) return listing.error();
  const Node* node = (*listing)->find(name);
  if (node == nullptr) return makeError(ErrorCode::kNotFound, "no entry named " + name);
  InodeInfo info = childInfo(parent, *node, name);
  return entryFor(InodeTable::nodeKey(parent.workspaceId, node->id), info, node);
}

void FileSystem::forget(InodeId ino, uint64_t count) {
  if (inodes_.forget(ino, count) == 0) {
    std::lock_guard lock(mu_);
    records_.erase(ino);
    lastOpenedVersion_.erase(ino);
  }
}

// ---------------------------------------------------------------- attributes

Result<AttrReply> FileSystem::getattr(InodeId ino) {
  auto info = inodeInfo(ino);
  if (!info.ok()) return info.error();
  AttrReply reply;
  if (isVirtual(info->kind)) {
    reply.attr = virtualAttr(*info, virtualSize(*info));
    reply.ttl = (info->kind == InodeKind::kControlFile || info->kind == InodeKind::kAskFile)
                    ? Duration::zero()
                    : std::chrono::seconds(1);
    return reply;
  }
  if (info->kind == InodeKind::kMountRoot || info->kind == InodeKind::kWorkspace) {
    reply.attr = attrFor(*info, nullptr);
    reply.ttl = options_.attrTtl;
    return reply;
  }
  auto node = nodeFor(*info, false);
  if (!node.ok()) return node.error();
  reply.attr = attrFor(*info, &*node);
  reply.ttl = options_.attrTtl;
  return reply;
}

// ---------------------------------------------------------------- directories

Result<std::shared_ptr<const DirSnapshot>> FileSystem::opendir(InodeId ino) {
  auto info = inodeInfo(ino);
  if (!info.ok()) return info.error();
  if (!isDirectoryKind(info->kind)) return makeError(ErrorCode::kNotDirectory, "not a directory");
  auto snap = std::make_shared<DirSnapshot>();
  snap->ino = ino;
  snap->parent = info->parent;
  if (info->kind == InodeKind::kMountRoot) {
    auto list = workspaces(true);
    if (!list.ok()) return list.error();
    snap->entries.reserve((*list)->entries.size());
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
      snap->entries.push_back(std::move(d));
    }
    return std::shared_ptr<const DirSnapshot>(snap);
  }
  if (info->kind == InodeKind::kWorkspace || info->kind == InodeKind::kFolder) {
    auto listing = folders_.get(info->workspaceId, folderIdOf(*info));
    if (!listing.ok()) return listing.error();
    snap->entries.reserve((*listing)->entries.size());
    for (const DisplayEntry& e : (*listing)->entries) {
      const Node& node = (*listing)->nodes[e.index];
      DirEntry d;
      d.name = e.name;
      d.key = InodeTable::nodeKey(info->workspaceId, node.id);
      d.info = childInfo(*info, node, e.name);
      d.info.ino = inodes_.numberFor(d.key, d.info);
      d.attr = attrFor(d.info, &node);
      d.node = node;
      snap->entries.push_back(std::move(d));
    }
    return std::shared_ptr<const DirSnapshot>(snap);
  }
  auto listed = listVirtual(*info);
  if (!listed.ok()) return listed.error();
  *snap = std::move(*listed);
  snap->ino = ino;
  snap->parent = info->parent;
  return std::shared_ptr<const DirSnapshot>(snap);
}

EntryReply FileSystem::acquire(const DirEntry& entry) {
  return entryFor(entry.key, entry.info, entry.node ? &*entry.node : nullptr, entry.attr.size);
}

// ---------------------------------------------------------------- files

Result<OpenReply> FileSystem::open(InodeId ino, bool forWriting) {
  auto info = inodeInfo(ino);
  if (!info.ok()) return info.error();
  if (isDirectoryKind(info->kind)) return makeError(ErrorCode::kIsDirectory, "is a directory");
  if (forWriting) return refuseWrite(ino);
  auto handle = std::make_shared<Handle>();
  handle->ino = ino;
  OpenReply reply;
  if (isVirtual(info->kind)) {
    auto content = virtualContent(*info);
    if (!content.ok()) return content.error();
    handle->isVirtual = true;
    handle->content = std::move(*content);
    reply.directIo = info->kind == InodeKind::kControlFile || info->kind == InodeKind::kAskFile;
  } else {
    auto node = nodeFor(*info, false);
    if (!node.ok()) return node.error();
    handle->file = FileVersion{info->workspaceId, node->id, node->version, node->size};
    prefetchSiblings(*info);
    handle->window = ReadAheadWindow(blocks_.blockSize(), options_.readAheadMaxBytes,
                                     options_.readAheadRunBytes);
  }
  std::lock_guard lock(mu_);
  if (!handle->isVirtual) {
    auto& last = lastOpenedVersion_[ino];
    reply.keepCache = !handle->file.version.empty() && last == handle->file.version;
    last = handle->file.version;
  }
  reply.handle = nextHandle_++;
  handles_.emplace(reply.handle, std::move(handle));
  return reply;
}

Result<std::string> FileSystem::read(uint64_t handleId, uint64_t offset, size_t size) {
  auto buffer = readBuffer(handleId, offset, size);
  if (!buffer.ok()) return buffer.error();
  return buffer->str();
}

Result<ReadBuffer> FileSystem::readBuffer(uint64_t handleId, uint64_t offset, size_t size) {
  std::shared_ptr<Handle> handle;
  {
    std::lock_guard lock(mu_);
    auto it = handles_.find(handleId);
    if (it == handles_.end()) return makeError(ErrorCode::kStale, "unknown file handle");
    handle = it->second;
  }
  counters_.reads++;
  if (handle->isVirtual) {
    ReadBuffer out;
    if (offset < handle->content.size()) {
      out.append(std::string_view(handle->content).substr(offset, size), handle);
    }
    counters_.bytesRead += out.size();
    return out;
  }
  // Read-ahead is planned before this read blocks: a read that waits for its data must not
  // reach the window late, after reads behind it, and look like a seek.
  if (offset < handle->file.size) {
    const uint64_t length = std::min<uint64_t>(size, handle->file.size - offset);
    std::pair<uint64_t, uint64_t> ahead;
    {
      std::lock_guard lock(handle->mu);
      ahead = handle->window.nextBatch(offset, length, handle->file.size);
    }
    if (ahead.second > ahead.first) scheduleReadAhead(handle, ahead.first, ahead.second);
  }
  auto data = blocks_.read(handle->file, offset, size);
  if (!data.ok()) return data.error();
  counters_.bytesRead += data->size();
  return data;
}

void FileSystem::scheduleReadAhead(const std::shared_ptr<Handle>& handle, uint64_t from,
                                   uint64_t to) {
  const uint64_t bs = blocks_.blockSize();
  const FileVersion file = handle->file;
  if (file.version.empty()) return;  // nothing would be cached
  const uint64_t runBlocks = std::max<uint64_t>(1, options_.readAheadRunBytes / bs);
  // Runs are cut on multiples of runBlocks; the window ends its batches there too, so a
  // sequential reader's read-ahead goes out as whole runs.
  const uint64_t last = (to + bs - 1) / bs;
  uint64_t index = from / bs;
  while (index < last) {
    // claimRun skips blocks that are cached or in flight; no need to look them up twice.
    const uint64_t runEnd = std::min(last, (index / runBlocks + 1) * runBlocks);
    index = std::max(submitRun(file, index, runEnd - index), index + 1);
  }
}

uint64_t FileSystem::submitRun(const FileVersion& file, uint64_t first, uint64_t count) {
  // Claimed now, so a reader arriving before the run starts waits for it instead of
  // fetching the block on its own and splitting the run.
  const auto [from, to] = blocks_.claimRun(file, first, count);
  if (to <= from) return to;
  std::string key = file.nodeId + "/" + file.version + "/" + std::to_string(from);
  prefetch_.submit(
      std::move(key),
      [this, file, from, to] {
        if (blocks_.fetchClaimed(file, from, to).ok()) counters_.readAheadBlocks += to - from;
      },
      [this, file, from, to] { blocks_.dropClaimed(file, from, to); });
  return to;
}

void FileSystem::prefetchSiblings(const InodeInfo& info) {
  if (options_.folderReadAheadFiles == 0 || options_.readAheadThreads == 0) return;
  auto parent = inodes_.get(info.parent);
  if (!parent || parent->nodeId.empty()) return;
  auto listing = folders_.peek(info.workspaceId, parent->nodeId);
  if (!listing) return;
  auto at = listing->byNodeId.find(info.nodeId);
  if (at == listing->byNodeId.end()) return;
  const auto [from, to] = folderScans_.onOpen(info.workspaceId + ":" + parent->nodeId, at->second,
                                              listing->entries.size());
  for (size_t i = from; i < to; ++i) {
    const Node& sibling = listing->nodes[listing->entries[i].index];
    if (sibling.isFolder() || sibling.size == 0 || sibling.version.empty()) continue;
    submitRun(FileVersion{info.workspaceId, sibling.id, sibling.version, sibling.size}, 0, 1);
  }
}

void FileSystem::release(uint64_t handle) {
  std::lock_guard lock(mu_);
  handles_.erase(handle);
}

size_t FileSystem::openHandles() const {
  std::lock_guard lock(mu_);
  return handles_.size();
}

// ---------------------------------------------------------------- xattrs, statfs, mkdir

Result<std::vector<std::string>> FileSystem::listxattr(InodeId ino) {
  auto info = inodeInfo(ino);
  if (!info.ok()) return info.error();
  std::vector<std::string> names;
  if (info->kind == InodeKind::kWorkspace) {
    names.push_back("user.fastio.id");
    return names;
  }
  if (info->kind != InodeKind::kFile && info->kind != InodeKind::kFolder) return names;
  auto node = nodeFor(*info, false);
  if (!node.ok()) return node.error();
  names.push_back("user.fastio.id");
  if (!node->version.empty()) names.push_back("user.fastio.version");
  if (!node->hash.empty()) names.push_back("user.fastio.hash");
  const NodeSummary& s = node->summary;
  if (!s.longText.empty() || !s.shortText.empty() || !s.title.empty()) {
    names.push_back("user.fastio.summary");
  }
  if (!node->aiState.empty()) names.push_back("user.fastio.ai_state");
  if (!node->isFolder()) names.push_back("user.fastio.sync");
  return names;
}

Result<std::string> FileSystem::getxattr(InodeId ino, const std::string& name) {
  auto info = inodeInfo(ino);
  if (!info.ok()) return info.error();
  // Only the user namespace exists here. EOPNOTSUPP (not ENODATA) for security.* and
  // system.posix_acl_* lets `ls -l` stop asking for every further entry of this mount.
  if (name.rfind("user.", 0) != 0) {
    return makeError(ErrorCode::kNotSupported, "no " + name + " attributes on this mount");
  }
  const Error missing = makeError(ErrorCode::kNotFound, "no attribute " + name);
  if (info->kind == InodeKind::kWorkspace) {
    if (name == "user.fastio.id") return info->workspaceId;
    return missing;
  }
  if (info->kind != InodeKind::kFile && info->kind != InodeKind::kFolder) return missing;
  if (name.rfind("user.fastio.", 0) != 0) return missing;
  auto node = nodeFor(*info, false);
  if (!node.ok()) return node.error();
  std::string value;
  if (name == "user.fastio.id") {
    value = node->id;
  } else if (name == "user.fastio.version") {
    value = node->version;
  } else if (name == "user.fastio.hash") {
    value =
        node->hash.empty() ? "" : (node->hashAlgo.empty() ? "" : node->hashAlgo + ":") + node->hash;
  } else if (name == "user.fastio.summary") {
    const NodeSummary& s = node->summary;
    value = !s.longText.empty() ? s.longText : !s.shortText.empty() ? s.shortText : s.title;
  } else if (name == "user.fastio.ai_state") {
    value = node->aiState;
  } else if (name == "user.fastio.sync" && !node->isFolder()) {
    value = "clean";
  }
  if (value.empty()) return missing;
  return value;
}

FsStats FileSystem::statfs() const {
  FsStats s;
  s.blockSize = blocks_.blockSize();
  // The service does not report a quota here; advertise a large, stable capacity.
  s.blocks = (1ull << 50) / s.blockSize;
  s.blocksFree = s.blocks / 2;
  s.files = 1ull << 32;
  s.filesFree = 1ull << 31;
  s.nameMax = kMaxNameBytes;
  return s;
}

Error FileSystem::refuseWrite(InodeId ino) const {
  auto info = inodes_.get(ino);
  if (info && isVirtual(info->kind)) {
    return makeError(ErrorCode::kReadOnly, "the virtual tree is read-only");
  }
  return makeError(ErrorCode::kReadOnly, "this mount is read-only");
}

Result<EntryReply> FileSystem::mkdir(InodeId parent, const std::string& name) {
  auto info = inodeInfo(parent);
  if (!info.ok()) return info.error();
  if (isVirtual(info->kind)) return refuseWrite(parent);
  if (options_.readOnly) return makeError(ErrorCode::kReadOnly, "mounted read-only");
  if (name.size() > kMaxNameBytes) return makeError(ErrorCode::kNameTooLong, "name too long");
  if (info->kind == InodeKind::kMountRoot) {
    if (name == kControlDirName) return makeError(ErrorCode::kExists, name + " is reserved");
    if (auto list = workspaces(true); list.ok() && (*list)->byName.count(name) != 0) {
      return makeError(ErrorCode::kExists, "workspace " + name + " exists");
    }
    auto orgs = remote_.listOrgs(Deadline::after(options_.remoteTimeout, clock_));
    if (!orgs.ok()) return orgs.error();
    if (orgs->empty()) {
      return makeError(ErrorCode::kDenied, "the account has no organization to create it in");
    }
    CreateWorkspaceRequest request;
    request.orgId = orgs->front().id;
    request.folderName = name;
    request.name = name;
    request.intelligence = true;
    auto created =
        remote_.createWorkspace(request, Deadline::after(options_.remoteTimeout, clock_));
    if (!created.ok()) return created.error();
    {
      std::lock_guard lock(mu_);
      workspaces_.reset();
    }
    auto entry = lookupInRoot(name);
    if (entry.ok() && watcher_) watcher_->watch(created->id);
    return entry;
  }
  if (info->kind == InodeKind::kWorkspace && (name == kSearchDirName || name == kAskDirName)) {
    return makeError(ErrorCode::kExists, name + " is reserved");
  }
  auto listing = folders_.get(info->workspaceId, folderIdOf(*info));
  if (!listing.ok()) return listing.error();
  if ((*listing)->find(name) != nullptr) return makeError(ErrorCode::kExists, name + " exists");
  auto created = remote_.createFolder(info->workspaceId, folderIdOf(*info), name,
                                      Deadline::after(options_.remoteTimeout, clock_));
  if (!created.ok()) return created.error();
  folders_.invalidate(info->workspaceId, folderIdOf(*info));
  auto entry = lookupInFolder(*info, name);
  if (entry.ok()) return entry;
  // The server stored another name than asked (e.g. shortened): show what it stored.
  const std::string shown = safeName(created->name).value_or(name);
  InodeInfo child = childInfo(*info, *created, shown);
  return entryFor(InodeTable::nodeKey(info->workspaceId, created->id), child, &*created);
}

// ---------------------------------------------------------------- change notification

void FileSystem::invalidateKernel(InodeId ino, bool entryToo) {
  if (!notifier_) return;
  notifier_->inode(ino);
  if (entryToo) {
    if (auto info = inodes_.get(ino)) notifier_->entry(info->parent, info->name);
  }
}

void FileSystem::applyActivity(const std::string& workspaceId,
                               const std::vector<std::string>& keys) {
  bool everything = false;
  for (const std::string& key : keys) {
    counters_.invalidations++;
    const size_t colon = key.find(':');
    const std::string kind = key.substr(0, colon);
    if (kind != "storage" && kind != "ai_state" && kind != "preview") continue;
    if (colon == std::string::npos) {
      everything = everything || kind == "storage";
      continue;
    }
    const std::string id = normalizeNodeId(std::string_view(key).substr(colon + 1));
    auto ino = inodes_.find(InodeTable::nodeKey(workspaceId, id));
    if (!ino) {
      // Unknown node: possibly a new child of a folder we listed. Re-list lazily.
      if (kind == "storage") everything = true;
      continue;
    }
    {
      std::lock_guard lock(mu_);
      if (auto it = records_.find(*ino); it != records_.end()) it->second.stale = true;
    }
    auto info = inodes_.get(*ino);
    if (!info) continue;
    if (kind == "storage") {
      if (auto parent = inodes_.get(info->parent)) {
        folders_.invalidate(workspaceId, folderIdOf(*parent));
      }
      if (info->kind == InodeKind::kFolder) folders_.invalidate(workspaceId, info->nodeId);
      invalidateKernel(*ino, true);
    }
  }
  if (everything) {
    folders_.invalidateWorkspace(workspaceId);
    std::lock_guard lock(mu_);
    for (auto& [ino, record] : records_) {
      if (record.workspaceId == workspaceId) record.stale = true;
    }
  }
}

StatusSnapshot FileSystem::statusSnapshot() const {
  StatusSnapshot s;
  s.version = options_.version;
  s.pid = static_cast<int64_t>(getpid());
  s.apiUrl = options_.apiUrl;
  s.online = health_.online();
  s.offlineReason = health_.offlineReason();
  s.uptimeSeconds =
      std::chrono::duration_cast<std::chrono::seconds>(clock_.now() - startedAt_).count();
  {
    std::lock_guard lock(mu_);
    s.workspaces = workspaces_ ? workspaces_->workspaces.size() : 0;
  }
  s.inodes = inodes_.size();
  s.cacheBytesUsed = cache_.bytesUsed();
  s.cacheBytesLimit = options_.cacheSizeBytes;
  s.counters = counters_.snapshot();
  s.recentErrors = health_.recentErrors();
  return s;
}

}  // namespace fastio::fs
