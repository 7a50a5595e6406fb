#include "fs/FileSystem.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

#include "common/Log.h"
#include "common/NameRules.h"
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
  return NodeView::folderIdOf(info);
}

}  // namespace

FileSystem::FileSystem(RemoteStore& remote, ContentCache& cache, MetadataBackup* backup,
                       const FsOptions& options, const Clock& clock, DirtyStore* dirty)
    : remote_(remote),
      cache_(cache),
      options_(options),
      clock_(clock),
      startedAt_(clock.now()),
      startedWall_(clock.wallNow()),
      handles_(inodes_),
      folders_(remote, clock, options.attrTtl, options.remoteTimeout, counters_, health_, backup,
               options.relistGap),
      nodes_(remote, folders_, inodes_, health_, counters_, backup, options_, clock, startedWall_),
      paths_(remote, folders_, clock, options.remoteTimeout),
      search_(remote, paths_, clock, options.searchTtl, options.remoteTimeout, counters_, backup),
      ask_(remote, paths_, clock, options.askTtl, options.askTimeout, counters_, backup),
      virtual_(inodes_, search_, ask_, options_, startedWall_, [this] { return statusSnapshot(); }),
      blocks_(remote, cache, options.blockSize, options.remoteTimeout, counters_, &health_, clock),
      prefetch_(options.readAheadThreads, 256),
      folderScans_(4, options.folderReadAheadFiles),
      dirty_(dirty) {
  if (dirty_ == nullptr || options_.readOnly) return;
  WriteBackOptions wb;
  wb.uploadDelay = options_.uploadDelay;
  wb.dirtyLimitBytes = options_.dirtyLimitBytes;
  wb.dirtyWait = options_.dirtyWait;
  writeBack_ =
      std::make_unique<WriteBack>(*dirty_, blocks_, inodes_, health_, counters_, wb, clock_);
  UploaderOptions up;
  up.threads = options_.uploadThreads;
  up.remoteTimeout = options_.remoteTimeout;
  up.hostName = options_.hostName;
  up.cacheUploadsUpTo =
      options_.cacheSizeBytes == 0 ? up.cacheUploadsUpTo : options_.cacheSizeBytes / 4;
  uploader_ = std::make_unique<Uploader>(remote_, *dirty_, *writeBack_, blocks_, cache_, folders_,
                                         health_, counters_, up, clock_);
  uploader_->setEvents(this);
  writeBack_->setChangeListener(
      [this](DirtyKey key, SteadyTime readyAt) { uploader_->schedule(key, readyAt); });
  nodes_.setLocalChanges(writeBack_.get());
}

FileSystem::~FileSystem() {
  stop();
}

Status FileSystem::start(KernelInvalidator* invalidator) {
  if (invalidator != nullptr) notifier_ = std::make_unique<KernelNotifier>(*invalidator);
  auto list = nodes_.workspaces(true);
  if (!list.ok()) return list.error();
  if (options_.watchChanges) {
    watcher_ = std::make_unique<ChangeWatcher>(
        remote_, options_.activityWaitSeconds,
        [this](const std::string& ws, const std::vector<std::string>& keys) {
          applyActivity(ws, keys);
        });
    for (const Workspace& ws : (*list)->workspaces) watcher_->watch(ws.id);
  }
  if (writeBack_) {
    // The plan's largest file, so a write past it fails at once with EFBIG (not at upload).
    if (options_.maxFileSizeBytes == 0) {
      auto limits = remote_.uploadLimits(
          Deadline::after(health_.callTimeout(options_.remoteTimeout), clock_));
      if (limits.ok()) options_.maxFileSizeBytes = limits->maxFileSize;
    }
    FASTIO_TRY(writeBack_->recover());
    uploader_->start();
  }
  return okStatus();
}

void FileSystem::stopUploads() {
  if (uploader_) uploader_->stop();
}

void FileSystem::stop() {
  if (uploader_) uploader_->stop();
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

// ---------------------------------------------------------------- lookup

Result<EntryReply> FileSystem::lookup(InodeId parent, const std::string& name) {
  counters_.lookups++;
  if (name.size() > kMaxNameBytes) {
    return makeError(ErrorCode::kNameTooLong, "name longer than 255 bytes");
  }
  auto info = inodeInfo(parent);
  if (!info.ok()) return info.error();
  if (!isDirectoryKind(info->kind)) return makeError(ErrorCode::kNotDirectory, "not a directory");
  if (auto entrance = virtual_.lookupEntrance(*info, name)) return *entrance;
  switch (info->kind) {
    case InodeKind::kMountRoot: {
      auto entry = nodes_.lookupWorkspace(name);
      if (entry.ok() && watcher_) {
        if (auto ws = inodes_.get(entry->attr.ino)) watcher_->watch(ws->workspaceId);
      }
      return entry;
    }
    case InodeKind::kWorkspace:
    case InodeKind::kFolder:
      return nodes_.lookupChild(*info, name);
    default:
      return virtual_.lookup(*info, name);
  }
}

void FileSystem::forget(InodeId ino, uint64_t count) {
  if (inodes_.forget(ino, count) == 0) {
    nodes_.forgetNode(ino);
    std::lock_guard lock(openedMu_);
    lastOpenedVersion_.erase(ino);
    ownUploads_.erase(ino);
  }
}

// ---------------------------------------------------------------- attributes

Result<AttrReply> FileSystem::getattr(InodeId ino) {
  auto info = inodeInfo(ino);
  if (!info.ok()) return info.error();
  if (isVirtual(info->kind)) {
    AttrReply reply;
    reply.attr = virtual_.attr(*info);
    reply.ttl = VirtualTree::attrTtl(*info);
    return reply;
  }
  return nodes_.getattr(*info);
}

// ---------------------------------------------------------------- directories

Result<std::shared_ptr<const DirSnapshot>> FileSystem::readDirectory(InodeId ino) {
  auto info = inodeInfo(ino);
  if (!info.ok()) return info.error();
  if (!isDirectoryKind(info->kind)) return makeError(ErrorCode::kNotDirectory, "not a directory");
  auto snap = std::make_shared<DirSnapshot>();
  if (isVirtual(info->kind)) {
    auto listed = virtual_.list(*info);
    if (!listed.ok()) return listed.error();
    *snap = std::move(*listed);
  } else {
    auto entries =
        info->kind == InodeKind::kMountRoot ? nodes_.listRoot() : nodes_.listFolder(*info);
    if (!entries.ok()) return entries.error();
    snap->entries = std::move(*entries);
  }
  snap->ino = ino;
  snap->parent = info->parent;
  return std::shared_ptr<const DirSnapshot>(snap);
}

Result<uint64_t> FileSystem::opendir(InodeId ino) {
  auto snap = readDirectory(ino);
  if (!snap.ok()) return snap.error();
  return handles_.addDirectory(std::move(*snap));
}

std::shared_ptr<const DirSnapshot> FileSystem::directory(uint64_t handle) const {
  return handles_.directory(handle);
}

void FileSystem::releasedir(uint64_t handle) {
  handles_.removeDirectory(handle);
}

EntryReply FileSystem::acquire(const DirEntry& entry) {
  if (isVirtual(entry.info.kind)) {
    InodeInfo held = inodes_.lookupOrCreate(entry.key, entry.info);
    EntryReply reply;
    reply.attr = entry.attr;
    reply.attr.ino = held.ino;
    reply.entryTtl = options_.entryTtl;
    reply.attrTtl = VirtualTree::attrTtl(held);
    return reply;
  }
  return nodes_.acquire(entry);
}

// ---------------------------------------------------------------- files

Result<OpenReply> FileSystem::open(InodeId ino, const OpenFlags& flags) {
  auto info = inodeInfo(ino);
  if (!info.ok()) return info.error();
  if (isDirectoryKind(info->kind)) return makeError(ErrorCode::kIsDirectory, "is a directory");
  if ((flags.write || flags.truncate) && (isVirtual(info->kind) || !writeBack_)) {
    return refuseWrite(ino);
  }
  auto handle = std::make_shared<FileHandle>();
  handle->ino = ino;
  handle->writable = flags.write;
  handle->append = flags.append;
  OpenReply reply;
  if (isVirtual(info->kind)) {
    auto content = virtual_.content(*info);
    if (!content.ok()) return content.error();
    handle->isVirtual = true;
    handle->content = std::move(*content);
    reply.directIo = VirtualTree::wantsDirectIo(*info);
    reply.handle = handles_.addFile(std::move(handle));
    return reply;
  }
  DirtyRecordPtr dirty = writeBack_ ? writeBack_->find(*info) : nullptr;
  if (!dirty) {
    auto node = nodes_.nodeFor(*info, false);
    if (!node.ok()) return node.error();
    handle->file = FileVersion{info->workspaceId, node->id, node->version, node->size};
    if (!flags.write) prefetchSiblings(*info);
  }
  handle->window =
      ReadAheadWindow(blocks_.blockSize(), options_.readAheadMaxBytes, options_.readAheadRunBytes);
  if (flags.truncate) {
    FASTIO_TRY(truncateTo(*info, handle.get(), 0));
    dirty = writeBack_->find(*info);
  }
  {
    // The kernel's pages stay valid when the content did not change behind its back: the
    // same version, or a file whose every change came through this mount.
    std::lock_guard lock(openedMu_);
    auto& last = lastOpenedVersion_[ino];
    const std::string now = dirty ? "local" : handle->file.version;
    reply.keepCache = !now.empty() && last == now;
    last = now;
  }
  reply.handle = handles_.addFile(std::move(handle));
  return reply;
}

Result<std::string> FileSystem::read(uint64_t handleId, uint64_t offset, size_t size) {
  auto buffer = readBuffer(handleId, offset, size);
  if (!buffer.ok()) return buffer.error();
  return buffer->str();
}

Result<ReadBuffer> FileSystem::readBuffer(uint64_t handleId, uint64_t offset, size_t size) {
  std::shared_ptr<FileHandle> handle = handles_.file(handleId);
  if (!handle) return makeError(ErrorCode::kStale, "unknown file handle");
  counters_.reads++;
  if (handle->isVirtual) {
    ReadBuffer out;
    if (offset < handle->content.size()) {
      out.append(std::string_view(handle->content).substr(offset, size), handle);
    }
    counters_.bytesRead += out.size();
    return out;
  }
  if (writeBack_) {
    if (auto info = inodes_.get(handle->ino)) {
      if (DirtyRecordPtr dirty = writeBack_->find(*info)) {
        auto data = writeBack_->read(*dirty, offset, size);
        if (data.ok()) counters_.bytesRead += data->size();
        return data;
      }
    }
  }
  // Read-ahead is planned before this read blocks: a read that waits for its data must not
  // reach the window late, after reads behind it, and look like a seek.
  FileVersion file;
  std::pair<uint64_t, uint64_t> ahead{0, 0};
  {
    std::lock_guard lock(handle->mu);
    file = handle->file;
    if (offset < file.size) {
      const uint64_t length = std::min<uint64_t>(size, file.size - offset);
      ahead = handle->window.nextBatch(offset, length, file.size);
    }
  }
  if (ahead.second > ahead.first) scheduleReadAhead(file, ahead.first, ahead.second);
  auto data = blocks_.read(file, offset, size);
  if (!data.ok()) return data.error();
  counters_.bytesRead += data->size();
  return data;
}

void FileSystem::scheduleReadAhead(const FileVersion& file, uint64_t from, uint64_t to) {
  const uint64_t bs = blocks_.blockSize();
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
  std::shared_ptr<FileHandle> open = handles_.file(handle);
  // Read before the handle goes: its pin is what keeps an unlinked inode's slot.
  std::optional<InodeInfo> info = open ? inodes_.get(open->ino) : std::nullopt;
  std::shared_ptr<FileHandle> closed = handles_.removeFile(handle);
  if (!closed || !writeBack_ || closed->isVirtual || !info) return;
  if (handles_.openCount(closed->ino) == 0) writeBack_->lastClose(*info);
}

Result<std::string> FileSystem::readlink(InodeId ino) {
  auto info = inodeInfo(ino);
  if (!info.ok()) return info.error();
  return virtual_.readlink(*info);
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
  if (info->kind == InodeKind::kFile && info->nodeId.empty()) {
    names.push_back("user.fastio.sync");  // created here, not uploaded yet
    return names;
  }
  auto node = nodes_.nodeFor(*info, false);
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
  if (name == "user.fastio.sync" && info->kind == InodeKind::kFile) return syncStateOf(*info);
  if (info->nodeId.empty()) return missing;  // not uploaded yet: no id, version or hash
  auto node = nodes_.nodeFor(*info, false);
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

Error FileSystem::refuseXattrChange(InodeId ino) const {
  auto info = inodes_.get(ino);
  if (!info || isVirtual(info->kind) || options_.readOnly) return refuseWrite(ino);
  return makeError(ErrorCode::kNotSupported,
                   "extended attributes are the service's and read-only (user.fastio.*)");
}

Error FileSystem::refuseWrite(InodeId ino) const {
  auto info = inodes_.get(ino);
  if (info && isVirtual(info->kind)) {
    return makeError(ErrorCode::kReadOnly, "the virtual tree is read-only");
  }
  return makeError(ErrorCode::kReadOnly, "this mount is read-only");
}

Result<EntryReply> FileSystem::createWorkspace(const std::string& name) {
  if (name == kControlDirName) return makeError(ErrorCode::kExists, name + " is reserved");
  if (auto list = nodes_.workspaces(true); list.ok() && (*list)->byName.count(name) != 0) {
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
  auto created = remote_.createWorkspace(request, Deadline::after(options_.remoteTimeout, clock_));
  if (!created.ok()) return created.error();
  nodes_.dropWorkspaces();
  auto entry = nodes_.lookupWorkspace(name);
  if (entry.ok() && watcher_) watcher_->watch(created->id);
  return entry;
}

Result<EntryReply> FileSystem::mkdir(InodeId parent, const std::string& name) {
  auto info = inodeInfo(parent);
  if (!info.ok()) return info.error();
  if (isVirtual(info->kind)) return refuseWrite(parent);
  if (options_.readOnly) return makeError(ErrorCode::kReadOnly, "mounted read-only");
  if (name.size() > kMaxNameBytes) return makeError(ErrorCode::kNameTooLong, "name too long");
  if (!health_.online()) {
    return makeError(ErrorCode::kReadOnly, "the server is unreachable (" + health_.offlineReason() +
                                               "); folders cannot be created offline");
  }
  if (info->kind == InodeKind::kMountRoot) {
    if (auto problem = names::workspaceFolderNameProblem(name)) {
      return makeError(problem->code, "not a workspace folder name: " + problem->reason);
    }
    return createWorkspace(name);
  }
  if (Status named = checkName(name); !named.ok()) return named.error();
  if (info->kind == InodeKind::kWorkspace && (name == kSearchDirName || name == kAskDirName)) {
    return makeError(ErrorCode::kExists, name + " is reserved");
  }
  auto listing = folders_.get(info->workspaceId, folderIdOf(*info));
  if (!listing.ok()) return listing.error();
  if (const Node* holder = (*listing)->find(name)) {
    const NamePolicy names = writeBack_ ? writeBack_->namePolicy(info->workspaceId) : NamePolicy{};
    if (!names.mayFree || !names.mayFree(*holder, folderIdOf(*info))) {
      return makeError(ErrorCode::kExists, name + " exists");
    }
    // Held by a file this mount already removed, replaced or renamed away.
    FASTIO_TRY(freeName(remote_, folders_, info->workspaceId, folderIdOf(*info), name, "", names,
                        Deadline::after(options_.remoteTimeout, clock_)));
  }
  auto created = remote_.createFolder(info->workspaceId, folderIdOf(*info), name,
                                      Deadline::after(options_.remoteTimeout, clock_));
  if (!created.ok()) return created.error();
  folders_.invalidate(info->workspaceId, folderIdOf(*info));
  auto entry = nodes_.lookupChild(*info, name);
  if (entry.ok()) return entry;
  // The server stored another name than asked (e.g. shortened): show what it stored.
  const std::string shown = safeName(created->name).value_or(name);
  InodeInfo child = NodeView::childInfo(*info, *created, shown);
  return nodes_.entryFor(InodeTable::nodeKey(info->workspaceId, created->id), child, &*created);
}

// ---------------------------------------------------------------- change notification

void FileSystem::invalidateKernel(InodeId ino, bool entryToo) {
  if (!notifier_) return;
  notifier_->inode(ino);
  if (entryToo) {
    if (auto info = inodes_.get(ino)) notifier_->entry(info->parent, info->name);
  }
}

bool FileSystem::isEchoOfOwnUpload(const std::string& workspaceId, const InodeInfo& info) {
  std::string expected;
  {
    std::lock_guard lock(openedMu_);
    auto it = ownUploads_.find(info.ino);
    if (it == ownUploads_.end()) return false;
    expected = it->second;
    ownUploads_.erase(it);
  }
  const SteadyTime asked = clock_.now();
  auto details = remote_.nodeDetails(workspaceId, {info.nodeId},
                                     Deadline::after(options_.remoteTimeout, clock_));
  if (!details.ok()) return false;
  for (const Node& n : details->nodes) {
    if (n.id == info.nodeId) {
      nodes_.remember(info.ino, workspaceId, n, asked);
      return n.version == expected;
    }
  }
  return false;
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
    nodes_.markStale(*ino);
    auto info = inodes_.get(*ino);
    if (!info) continue;
    if (kind == "storage") {
      if (auto parent = inodes_.get(info->parent)) {
        folders_.invalidate(workspaceId, folderIdOf(*parent), FolderCache::ChangedBy::kServer);
      }
      if (info->kind == InodeKind::kFolder) {
        folders_.invalidate(workspaceId, info->nodeId, FolderCache::ChangedBy::kServer);
      }
      // Our own upload's echo, or a file whose local changes are what the kernel holds: its
      // pages and name stay.
      if (isEchoOfOwnUpload(workspaceId, *info)) continue;
      if (writeBack_ && writeBack_->find(*info)) continue;
      invalidateKernel(*ino, true);
    }
  }
  if (everything) {
    folders_.invalidateWorkspace(workspaceId, FolderCache::ChangedBy::kServer);
    nodes_.markWorkspaceStale(workspaceId);
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
  s.workspaces = nodes_.workspaceCount();
  s.inodes = inodes_.size();
  s.cacheBytesUsed = cache_.bytesUsed();
  s.cacheBytesLimit = options_.cacheSizeBytes;
  s.counters = counters_.snapshot();
  s.recentErrors = health_.recentErrors();
  for (const auto& [key, count] : counters_.failures()) {
    s.failures.push_back(StatusSnapshot::Failure{key.first, key.second, count});
  }
  if (uploader_) {
    const UploadQueueStats q = uploader_->stats();
    s.uploadsQueued = q.filesPending;
    s.uploadBytesPending = writeBack_->pendingBytes();
    s.journalBytes = writeBack_->journalBytes();
    s.uploadsInFlight = q.filesInFlight;
    s.uploadBytesDone = q.bytesInFlightDone;
    s.uploadBytesTotal = q.bytesInFlightTotal;
    s.uploadsStored = q.filesDone;
    s.uploadBytesStored = q.bytesDone;
    s.uploadBytesPerSecond = q.bytesPerSecond;
    s.uploadsParked = q.filesParked;
    s.uploadConflicts = q.conflicts;
    s.uploadErrors = q.parkedErrors;
    s.dirtyLimitBytes = options_.dirtyLimitBytes;
  }
  return s;
}

}  // namespace fastio::fs
