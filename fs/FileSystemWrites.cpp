// The mutating operations of FileSystem (docs/SEMANTICS.md "Writes"): content changes go to
// the write-back journal through WriteBack; namespace changes of server objects are server
// calls made while the operation runs; those of files that exist only locally change the
// journal alone.
#include <sys/stat.h>

#include "common/Log.h"
#include "common/NameRules.h"
#include "fs/FileSystem.h"
#include "fs/ServerMove.h"
#include "fs/VirtualNames.h"

namespace fastio::fs {
namespace {

Error offline(const Health& health) {
  return makeError(ErrorCode::kReadOnly, "the server is unreachable (" + health.offlineReason() +
                                             "); only file contents can change offline");
}

}  // namespace

Result<InodeInfo> FileSystem::writableFolder(InodeId ino) const {
  auto info = inodeInfo(ino);
  if (!info.ok()) return info.error();
  if (isVirtual(info->kind) || !writeBack_) return refuseWrite(ino);
  if (info->kind == InodeKind::kMountRoot) {
    return makeError(ErrorCode::kNotPermitted,
                     "only workspaces live at the mount root (mkdir creates one)");
  }
  if (!isDirectoryKind(info->kind)) return makeError(ErrorCode::kNotDirectory, "not a directory");
  return info;
}

Status FileSystem::checkName(const std::string& name) const {
  if (auto problem = names::nodeNameProblem(name)) {
    return makeError(problem->code,
                     "the service does not accept the name '" + name + "': " + problem->reason);
  }
  return okStatus();
}

// ---------------------------------------------------------------- create

Result<CreateReply> FileSystem::create(InodeId parent, const std::string& name,
                                       const OpenFlags& flags) {
  auto dir = writableFolder(parent);
  if (!dir.ok()) return dir.error();
  FASTIO_TRY(checkName(name));
  if (dir->kind == InodeKind::kWorkspace && (name == kSearchDirName || name == kAskDirName)) {
    return makeError(ErrorCode::kExists, name + " is reserved in a workspace root");
  }
  auto existing = nodes_.findChild(*dir, name);
  if (!existing.ok() && !Health::meansOffline(existing.error())) return existing.error();
  if (existing.ok() && *existing) {
    // The kernel had a stale negative entry: the name exists after all.
    if (flags.exclusive) return makeError(ErrorCode::kExists, name + " exists");
    if (isDirectoryKind((*existing)->info.kind)) {
      return makeError(ErrorCode::kIsDirectory, name + " is a directory");
    }
    auto entry = lookup(parent, name);
    if (!entry.ok()) return entry.error();
    auto opened = open(entry->attr.ino, flags);
    if (!opened.ok()) {
      forget(entry->attr.ino, 1);
      return opened.error();
    }
    return CreateReply{*entry, *opened};
  }
  // Offline without a listing: accepted; the upload finds a clash and keeps both then.
  auto rec = writeBack_->createFile(*dir, NodeView::folderIdOf(*dir), name);
  if (!rec.ok()) return rec.error();
  LocalFile file;
  file.key = InodeTable::localKey((*rec)->key);
  file.info.kind = InodeKind::kFile;
  file.info.parent = dir->ino;
  file.info.name = name;
  file.info.workspaceId = dir->workspaceId;
  file.info.dirtyKey = (*rec)->key;
  file.mtime = clock_.wallNow();
  EntryReply entry = nodes_.localEntry(file);
  writeBack_->bindInode(**rec, entry.attr.ino);
  OpenFlags openFlags = flags;
  openFlags.truncate = false;
  auto opened = open(entry.attr.ino, openFlags);
  if (!opened.ok()) return opened.error();
  return CreateReply{entry, *opened};
}

Result<EntryReply> FileSystem::mknod(InodeId parent, const std::string& name) {
  auto created = create(parent, name, OpenFlags{true, false, false, true});
  if (!created.ok()) return created.error();
  // No close will follow: commit the new name now.
  if (Status s = flush(created->open.handle); !s.ok()) {
    release(created->open.handle);
    return s.error();
  }
  release(created->open.handle);
  return created->entry;
}

// ---------------------------------------------------------------- content

Result<DirtyRecordPtr> FileSystem::dirtyFor(const InodeInfo& info, FileHandle* handle) {
  if (info.kind != InodeKind::kFile) return makeError(ErrorCode::kIsDirectory, "not a file");
  if (DirtyRecordPtr rec = writeBack_->find(info)) return rec;
  // The base is the version the writer opened (close-to-open): a change on the server since
  // then is a conflict at upload, not something to write over silently.
  FileVersion base = handle != nullptr ? handle->version() : FileVersion{};
  std::string parentId;
  auto node = nodes_.nodeFor(info, false);
  if (base.nodeId.empty() || base.nodeId != info.nodeId) {
    if (!node.ok()) return node.error();
    base = FileVersion{info.workspaceId, node->id, node->version, node->size};
  }
  if (auto parent = inodes_.get(info.parent);
      parent && (parent->kind == InodeKind::kWorkspace || parent->kind == InodeKind::kFolder)) {
    parentId = NodeView::folderIdOf(*parent);
  } else if (node.ok()) {
    parentId = node->parentId.empty() ? "root" : node->parentId;
  } else {
    return makeError(ErrorCode::kStale, "the folder of " + info.name + " is unknown");
  }
  return writeBack_->ensureDirty(info, base, parentId);
}

Result<size_t> FileSystem::write(uint64_t handleId, uint64_t offset, std::string_view data) {
  std::shared_ptr<FileHandle> handle = handles_.file(handleId);
  if (!handle) return makeError(ErrorCode::kStale, "unknown file handle");
  if (!handle->writable || handle->isVirtual || !writeBack_) return refuseWrite(handle->ino);
  auto info = inodeInfo(handle->ino);
  if (!info.ok()) return info.error();
  if (options_.maxFileSizeBytes != 0 && offset + data.size() > options_.maxFileSizeBytes) {
    return makeError(ErrorCode::kTooLarge, "past the service's maximum file size of " +
                                               std::to_string(options_.maxFileSizeBytes));
  }
  FASTIO_TRY(writeBack_->reserve(data.size()));
  FASTIO_TRY(changeDirty(*info, handle.get(), [&](DirtyRecord& rec) -> Status {
    auto at = writeBack_->write(rec, offset, data, handle->append);
    return at.ok() ? okStatus() : Status(at.error());
  }));
  counters_.writes++;
  return data.size();
}

Status FileSystem::changeDirty(const InodeInfo& info, FileHandle* handle,
                               const std::function<Status(DirtyRecord&)>& change) {
  for (int attempt = 0;; ++attempt) {
    // The inode may have been re-keyed by an upload since `info` was read.
    const InodeInfo current = inodes_.get(info.ino).value_or(info);
    auto rec = dirtyFor(current, handle);
    if (!rec.ok()) return rec.error();
    Status s = change(**rec);
    const bool gone =
        !s.ok() && (s.error().code == ErrorCode::kNotFound || s.error().code == ErrorCode::kStale);
    if (!gone || attempt == 3) return s;
    // Its upload just completed: once the record is forgotten (the inode then names the
    // stored node), the change starts a new record over what was stored.
    writeBack_->waitForgotten((*rec)->key, std::chrono::seconds(5));
  }
}

Status FileSystem::truncateTo(const InodeInfo& info, FileHandle* handle, uint64_t size) {
  if (info.kind != InodeKind::kFile) return makeError(ErrorCode::kIsDirectory, "not a file");
  if (options_.maxFileSizeBytes != 0 && size > options_.maxFileSizeBytes) {
    return makeError(ErrorCode::kTooLarge, "past the service's maximum file size");
  }
  if (!writeBack_->find(info) && !info.nodeId.empty()) {
    // A clean file already of that size stays clean (O_TRUNC of an empty file).
    auto node = nodes_.nodeFor(info, false);
    if (node.ok() && node->size == size) return okStatus();
  }
  return changeDirty(info, handle,
                     [&](DirtyRecord& rec) { return writeBack_->truncate(rec, size); });
}

Status FileSystem::flush(uint64_t handleId) {
  std::shared_ptr<FileHandle> handle = handles_.file(handleId);
  if (!handle || handle->isVirtual || !writeBack_) return okStatus();
  auto info = inodes_.get(handle->ino);
  if (!info) return okStatus();
  DirtyRecordPtr rec = writeBack_->find(*info);
  if (!rec) return okStatus();
  return writeBack_->commit(*rec, Durability::kProcess);
}

void FileSystem::fsync(uint64_t, InodeId ino, std::function<void(Status)> done) {
  auto info = inodes_.get(ino);
  DirtyRecordPtr rec = (writeBack_ && info) ? writeBack_->find(*info) : nullptr;
  if (!rec) {
    done(okStatus());  // nothing of it is dirty
    return;
  }
  if (Status s = writeBack_->commit(*rec, Durability::kPower); !s.ok()) {
    done(s);
    return;
  }
  if (!options_.syncUpload) {
    done(okStatus());
    return;
  }
  auto state = dirty_->state(rec->key);
  if (!state.ok()) {
    done(okStatus());  // uploaded and forgotten meanwhile
    return;
  }
  uploader_->whenStored(rec->key, state->generation, std::move(done));
  uploader_->expedite(rec->key);
}

Status FileSystem::fallocate(uint64_t handleId, InodeId ino, int mode, uint64_t offset,
                             uint64_t length) {
  if (mode != 0) {
    return makeError(ErrorCode::kNotSupported, "only plain allocation (mode 0) is supported");
  }
  auto info = inodeInfo(ino);
  if (!info.ok()) return info.error();
  if (isVirtual(info->kind) || !writeBack_) return refuseWrite(ino);
  std::shared_ptr<FileHandle> handle = handles_.file(handleId);
  uint64_t current;
  if (DirtyRecordPtr rec = writeBack_->find(*info)) {
    current = writeBack_->sizeOf(*rec);
  } else {
    auto attr = getattr(ino);
    if (!attr.ok()) return attr.error();
    current = attr->attr.size;
  }
  // The bytes read as zeros and take no room until written: only the size grows.
  if (offset + length <= current) return okStatus();
  return truncateTo(*info, handle.get(), offset + length);
}

// ---------------------------------------------------------------- attributes

Status FileSystem::checkAttrPolicy(const InodeInfo& info, const SetAttrRequest& r) {
  auto current = getattr(info.ino);
  if (!current.ok()) return current.error();
  // Taking permissions away (a temp file made 0600 by mkstemp, rsync, editors) is accepted and
  // not kept; granting what the mount does not show (exec bits, group write) is refused.
  if (r.mode && (*r.mode & 07777 & ~(current->attr.mode & 07777)) != 0) {
    return makeError(ErrorCode::kNotPermitted,
                     "permissions are mount-wide (umask=); the service stores none");
  }
  if ((r.uid && *r.uid != options_.uid) || (r.gid && *r.gid != options_.gid)) {
    return makeError(ErrorCode::kNotPermitted, "ownership is mount-wide (uid=, gid=)");
  }
  return okStatus();
}

Result<AttrReply> FileSystem::setattr(InodeId ino, const SetAttrRequest& r) {
  auto info = inodeInfo(ino);
  if (!info.ok()) return info.error();
  if (isVirtual(info->kind)) return refuseWrite(ino);
  if (r.mode || r.uid || r.gid) FASTIO_TRY(checkAttrPolicy(*info, r));
  const bool changes = r.size || r.mtime;
  if (changes && (!writeBack_ || info->kind == InodeKind::kMountRoot)) return refuseWrite(ino);
  if (r.size) {
    std::shared_ptr<FileHandle> handle = r.handle != 0 ? handles_.file(r.handle) : nullptr;
    FASTIO_TRY(truncateTo(*info, handle.get(), *r.size));
    // truncate(2) by path: no close follows that would commit it (as with utimens below), so
    // it is committed now and survives kill -9.
    if (!handle) {
      if (DirtyRecordPtr rec = writeBack_->find(*info)) {
        FASTIO_TRY(writeBack_->commit(*rec, Durability::kProcess));
      }
    }
  }
  if (r.mtime) {
    if (DirtyRecordPtr rec = writeBack_->find(*info)) {
      FASTIO_TRY(writeBack_->setMtime(*rec, *r.mtime));
      FASTIO_TRY(writeBack_->commit(*rec, Durability::kProcess));
    } else if (isDirectoryKind(info->kind)) {
      nodes_.overrideMtime(ino, "", *r.mtime);
    } else {
      auto node = nodes_.nodeFor(*info, false);
      if (!node.ok()) return node.error();
      nodes_.overrideMtime(ino, node->version, *r.mtime);
    }
  }
  return getattr(ino);
}

// ---------------------------------------------------------------- unlink, rmdir

DirtyRecordPtr FileSystem::openTombstoneCandidate(const InodeInfo& info) {
  DirtyRecordPtr rec = writeBack_->find(info);
  if (rec || info.nodeId.empty() || handles_.openCount(info.ino) == 0) return rec;
  // A clean server file still open: its descriptors go on reading and writing it after its
  // name is gone, so it gets a record that becomes its tombstone. Without one, a later write
  // through them would find the node's new record (a rename over it) or start one that
  // uploads the file again.
  auto made = dirtyFor(info, nullptr);
  return made.ok() ? *made : nullptr;
}

Status FileSystem::dropLocal(const DirtyRecordPtr& rec, InodeId ino) {
  return writeBack_->unlink(*rec, ino != 0 && handles_.openCount(ino) > 0);
}

Status FileSystem::unlink(InodeId parent, const std::string& name) {
  FASTIO_LOG_DEBUG("unlink {}/{}", parent, name);
  auto dir = writableFolder(parent);
  if (!dir.ok()) return dir.error();
  auto child = nodes_.findChild(*dir, name);
  if (!child.ok()) return child.error();
  if (!*child) return makeError(ErrorCode::kNotFound, "no entry named " + name);
  const InodeInfo& info = (*child)->info;
  if (isDirectoryKind(info.kind)) return makeError(ErrorCode::kIsDirectory, name + " is a folder");
  DirtyRecordPtr rec = openTombstoneCandidate(info);
  const bool open = handles_.openCount(info.ino) > 0;
  if (!info.nodeId.empty() && open && rec) {
    // Still open: the descriptors go on reading it, so the node goes to the trash at the last
    // close (the journal's tombstone carries that, also across a crash). Until then its name
    // is freed on the server only if something needs it (ServerMove's freeName).
    if (!health_.online()) return offline(health_);
    FASTIO_TRY(writeBack_->unlink(*rec, true, {info.nodeId}));
    folders_.invalidate(info.workspaceId, NodeView::folderIdOf(*dir));
    writeBack_->noteRemoved(info.workspaceId, info.nodeId);
    inodes_.detach(info.ino);
    nodes_.forgetNode(info.ino);
    return okStatus();
  }
  if (!info.nodeId.empty()) {
    if (!health_.online()) return offline(health_);
    const Deadline deadline = Deadline::after(options_.remoteTimeout, clock_);
    // The sources of a rename over this file were to go to the trash once its upload was
    // stored; that upload will not happen now, so they go first (else they would show again).
    const std::vector<std::string> sources =
        rec ? writeBack_->placementOf(*rec).trash : std::vector<std::string>{};
    for (const std::string& source : sources) {
      Status t = remote_.deleteNode(info.workspaceId, source, deadline);
      if (!t.ok() && t.error().code != ErrorCode::kNotFound) return t.error();
      writeBack_->noteTrashed(info.workspaceId, source);
    }
    if (!sources.empty()) folders_.invalidateWorkspace(info.workspaceId);
    Status s = remote_.deleteNode(info.workspaceId, info.nodeId, deadline);
    if (!s.ok() && s.error().code != ErrorCode::kNotFound) return s.error();
    folders_.invalidate(info.workspaceId, NodeView::folderIdOf(*dir));
    writeBack_->noteTrashed(info.workspaceId, info.nodeId);
  }
  if (rec) FASTIO_TRY(dropLocal(rec, info.ino));
  inodes_.detach(info.ino);
  nodes_.forgetNode(info.ino);
  return okStatus();
}

Status FileSystem::rmdir(InodeId parent, const std::string& name) {
  auto dir = inodeInfo(parent);
  if (!dir.ok()) return dir.error();
  if (dir->kind == InodeKind::kMountRoot) {
    return makeError(ErrorCode::kNotPermitted, "removing a workspace is refused");
  }
  auto folder = writableFolder(parent);
  if (!folder.ok()) return folder.error();
  auto child = nodes_.findChild(*folder, name);
  if (!child.ok()) return child.error();
  if (!*child) return makeError(ErrorCode::kNotFound, "no entry named " + name);
  const InodeInfo& info = (*child)->info;
  if (!isDirectoryKind(info.kind)) return makeError(ErrorCode::kNotDirectory, name + " is a file");
  if (!health_.online()) return offline(health_);
  // Empty by a fresh listing (the server trashes a folder with all it holds), and nothing
  // created in it locally.
  folders_.invalidate(info.workspaceId, info.nodeId);
  auto listing = folders_.get(info.workspaceId, info.nodeId);
  if (!listing.ok()) return listing.error();
  for (const DisplayEntry& e : (*listing)->entries) {
    if (!writeBack_->hides(info.workspaceId, (*listing)->nodes[e.index].id)) {
      return makeError(ErrorCode::kNotEmpty, name + " is not empty");
    }
  }
  if (!writeBack_->placedIn(info.workspaceId, info.nodeId).empty()) {
    return makeError(ErrorCode::kNotEmpty, name + " holds files not uploaded yet");
  }
  Status s = remote_.deleteNode(info.workspaceId, info.nodeId,
                                Deadline::after(options_.remoteTimeout, clock_));
  if (!s.ok() && s.error().code != ErrorCode::kNotFound) return s.error();
  folders_.invalidate(info.workspaceId, NodeView::folderIdOf(*folder));
  writeBack_->noteTrashed(info.workspaceId, info.nodeId);
  inodes_.detach(info.ino);
  nodes_.forgetNode(info.ino);
  return okStatus();
}

// ---------------------------------------------------------------- rename

Status FileSystem::renameServerObject(const InodeInfo& parent, const NodeView::Child& src,
                                      const InodeInfo& newParent, const std::string& newName) {
  const std::string& ws = src.info.workspaceId;
  const std::string from = NodeView::folderIdOf(parent);
  const std::string to = NodeView::folderIdOf(newParent);
  const Deadline deadline = Deadline::after(options_.remoteTimeout, clock_);
  Node current = src.node.value_or(Node{});
  current.id = src.info.nodeId;
  if (current.name.empty()) current.name = src.info.name;
  // A file being created under the new name (one just deleted or renamed away here) would
  // land on this node: the server overwrites a same-name file in place.
  if (uploader_ && !uploader_->waitNameFree(ws, to, newName, deadline.at())) {
    return makeError(ErrorCode::kUnavailable,
                     "an upload to " + newName + " is still finishing there; try again");
  }
  // Never through a name the destination holds (the server would trash that file). A name
  // still held by a node this mount no longer shows (the source of a pending rename over) is
  // freed first.
  auto moved = moveAndRename(remote_, folders_, ws, current, from, to, newName,
                             writeBack_->namePolicy(ws), deadline);
  if (!moved.ok()) return moved.error();
  const Node node = *moved;
  folders_.invalidate(ws, from);
  folders_.invalidate(ws, to);
  writeBack_->noteRemoved(ws, src.info.nodeId);
  if (!node.id.empty()) nodes_.remember(src.info.ino, ws, node);
  return okStatus();
}

Status FileSystem::rename(InodeId parent, const std::string& name, InodeId newParent,
                          const std::string& newName, unsigned flags) {
  for (int attempt = 0;; ++attempt) {
    DirtyKey raced = 0;
    Status s = renameOnce(parent, name, newParent, newName, flags, raced);
    if (s.ok() || raced == 0 || attempt == 3) return s;
    // Its upload completed as it was renamed: once the record is forgotten, the file is a
    // clean server file and the rename starts over on it.
    writeBack_->waitForgotten(raced, std::chrono::seconds(5));
  }
}

Status FileSystem::renameOnce(InodeId parent, const std::string& name, InodeId newParent,
                              const std::string& newName, unsigned flags, DirtyKey& raced) {
  auto noteRaced = [&raced](const DirtyRecord& rec, Status s) {
    if (!s.ok() && s.error().code == ErrorCode::kStale) raced = rec.key;
    return s;
  };
  if ((flags & kRenameExchange) != 0) {
    return makeError(ErrorCode::kInvalid, "exchanging two names is not supported");
  }
  if ((flags & ~kRenameNoReplace) != 0) return makeError(ErrorCode::kInvalid, "unknown flags");
  auto from = writableFolder(parent);
  if (!from.ok()) return from.error();
  auto to = writableFolder(newParent);
  if (!to.ok()) return to.error();
  if (from->workspaceId != to->workspaceId) {
    return makeError(ErrorCode::kCrossDevice, "workspaces are separate filesystems");
  }
  FASTIO_TRY(checkName(newName));
  if (to->kind == InodeKind::kWorkspace && (newName == kSearchDirName || newName == kAskDirName)) {
    return makeError(ErrorCode::kExists, newName + " is reserved in a workspace root");
  }
  auto src = nodes_.findChild(*from, name);
  if (!src.ok()) return src.error();
  if (!*src) return makeError(ErrorCode::kNotFound, "no entry named " + name);
  auto dst = nodes_.findChild(*to, newName);
  if (!dst.ok()) return dst.error();
  const NodeView::Child& s = **src;
  const bool srcIsDir = isDirectoryKind(s.info.kind);
  if (srcIsDir && (to->ino == s.info.ino)) {
    return makeError(ErrorCode::kInvalid, "a folder cannot move into itself");
  }
  DirtyRecordPtr srcRec = writeBack_->find(s.info);
  const bool srcOnServer = !s.info.nodeId.empty();
  FASTIO_LOG_DEBUG(
      "rename {}/{} (ino {}, node '{}', dirty {}) -> {}/{}{}", parent, name, s.info.ino,
      s.info.nodeId, srcRec ? srcRec->key : 0, newParent, newName,
      *dst ? " over ino " + std::to_string((*dst)->info.ino) + " node '" + (*dst)->info.nodeId + "'"
           : "");

  std::optional<NodeView::Child> d = *dst;
  if (d) {
    if (d->info.ino == s.info.ino) return okStatus();  // the same file: nothing to do
    if ((flags & kRenameNoReplace) != 0) return makeError(ErrorCode::kExists, newName + " exists");
    const bool dstIsDir = isDirectoryKind(d->info.kind);
    if (dstIsDir && !srcIsDir) return makeError(ErrorCode::kIsDirectory, newName + " is a folder");
    if (!dstIsDir && srcIsDir) return makeError(ErrorCode::kNotDirectory, newName + " is a file");
    if (dstIsDir) {
      // Over an empty folder: the folder goes to the trash, then a plain rename.
      FASTIO_TRY(rmdir(newParent, newName));
      d.reset();
    }
  }
  if (srcOnServer && !health_.online()) return offline(health_);

  if (d && !srcIsDir) {
    DirtyRecordPtr dstRec = openTombstoneCandidate(d->info);
    const bool dstOnServer = !d->info.nodeId.empty();
    if (dstOnServer) {
      // Over an existing file: the content becomes a new version of the target, which keeps
      // its node id and history; the source goes to the trash once that is stored.
      std::string version;
      std::vector<std::string> trash;
      if (dstRec) {
        // What the target was waiting to trash still goes; its own pending content does not.
        trash = writeBack_->placementOf(*dstRec).trash;
        std::lock_guard lock(dstRec->mu);
        if (dstRec->baseNodeId == d->info.nodeId) version = dstRec->baseVersion;
      }
      if (version.empty() && d->node) version = d->node->version;
      if (srcOnServer) trash.push_back(s.info.nodeId);
      DirtyRecordPtr rec = srcRec;
      if (!rec) {
        // A clean server file: its content moves through the journal (read from its version).
        FileVersion base;
        if (s.node) {
          base = FileVersion{s.info.workspaceId, s.node->id, s.node->version, s.node->size};
        } else if (s.local && s.local->stored) {
          // Stored a moment ago, not in the folder's listing yet.
          base = FileVersion{s.info.workspaceId, s.info.nodeId, s.local->storedNode.version,
                             s.local->size};
        }
        auto made = writeBack_->ensureDirty(s.info, base, NodeView::folderIdOf(*from));
        if (!made.ok()) return made.error();
        rec = *made;
      }
      FASTIO_TRY(noteRaced(*rec, writeBack_->retarget(*rec, d->info.nodeId, version, trash,
                                                      NodeView::folderIdOf(*to), newName)));
      if (dstRec) FASTIO_TRY(dropLocal(dstRec, d->info.ino));
      inodes_.detach(d->info.ino);
      inodes_.rekey(s.info.ino, InodeTable::nodeKey(s.info.workspaceId, d->info.nodeId),
                    d->info.nodeId);
      inodes_.reparent(s.info.ino, to->ino, newName);
      writeBack_->bindInode(*rec, s.info.ino);
      nodes_.forgetNode(s.info.ino);
      // The source keeps its name on the server until the new content is stored and it goes
      // to the trash (under that name); a file or folder that needs the name first parks it.
      return okStatus();
    }
    // Over a file that exists only here: it is dropped, then a plain rename.
    if (dstRec) FASTIO_TRY(dropLocal(dstRec, d->info.ino));
    inodes_.detach(d->info.ino);
  }

  if (srcOnServer) {
    // The journal first: an upload of this file that is stored meanwhile (it carries the name
    // it was frozen with, which renames the node back) sees the new name and puts it back.
    std::optional<WriteBack::Placement> before;
    if (srcRec) {
      before = writeBack_->placementOf(*srcRec);
      FASTIO_TRY(
          noteRaced(*srcRec, writeBack_->place(*srcRec, NodeView::folderIdOf(*to), newName)));
    }
    if (Status moved = renameServerObject(*from, s, *to, newName); !moved.ok()) {
      if (before) (void)writeBack_->place(*srcRec, before->parentId, before->name);
      return moved;
    }
  } else if (srcRec) {
    FASTIO_TRY(noteRaced(*srcRec, writeBack_->place(*srcRec, NodeView::folderIdOf(*to), newName)));
  } else {
    return makeError(ErrorCode::kStale, name + " is neither on the server nor pending");
  }
  inodes_.reparent(s.info.ino, to->ino, newName);
  return okStatus();
}

// ---------------------------------------------------------------- the upload queue

void FileSystem::uploadNow() {
  if (uploader_) uploader_->expediteAll();
}

bool FileSystem::waitForUploads(SteadyTime until) {
  return !uploader_ || uploader_->waitIdle(until);
}

UploadQueueStats FileSystem::uploadStats() const {
  return uploader_ ? uploader_->stats() : UploadQueueStats{};
}

std::string FileSystem::syncStateOf(const InodeInfo& info) {
  DirtyRecordPtr rec = writeBack_ ? writeBack_->find(info) : nullptr;
  if (!rec) return "clean";
  return uploader_->syncState(rec->key);
}

void FileSystem::stored(DirtyKey key, const Node& node, bool clean) {
  DirtyRecordPtr rec = writeBack_->findByKey(key);
  if (!rec) return;
  InodeId ino = writeBack_->placementOf(*rec).pinned;
  if (ino == 0) ino = inodes_.find(InodeTable::localKey(key)).value_or(0);
  if (ino == 0) ino = inodes_.find(InodeTable::nodeKey(rec->workspaceId, node.id)).value_or(0);
  FASTIO_LOG_DEBUG("dirty {}: inode {} is node {} now", key, ino, node.id);
  if (ino == 0) return;
  inodes_.rekey(ino, InodeTable::nodeKey(rec->workspaceId, node.id), node.id);
  nodes_.remember(ino, rec->workspaceId, node);
  handles_.rebase(ino, FileVersion{rec->workspaceId, node.id, node.version, node.size});
  int64_t mtimeNs;
  {
    std::lock_guard lock(rec->mu);
    mtimeNs = rec->mtimeNs;
  }
  if (mtimeNs != 0) {
    nodes_.overrideMtime(ino, node.version,
                         WallTime{} + std::chrono::duration_cast<WallTime::duration>(
                                          std::chrono::nanoseconds(mtimeNs)));
  }
  std::lock_guard lock(openedMu_);
  // The kernel's pages hold exactly what was stored: keep them at the next open.
  lastOpenedVersion_[ino] = clean ? node.version : "local";
  if (!node.version.empty()) ownUploads_[ino] = node.version;
}

void FileSystem::becameConflictCopy(DirtyKey key, const std::string& previousNode,
                                    const std::string& previousName) {
  DirtyRecordPtr rec = writeBack_->findByKey(key);
  if (!rec) return;
  const WriteBack::Placement now = writeBack_->placementOf(*rec);
  folders_.invalidate(rec->workspaceId, now.parentId);
  InodeId ino = now.pinned;
  if (ino == 0 && !previousNode.empty()) {
    ino = inodes_.find(InodeTable::nodeKey(rec->workspaceId, previousNode)).value_or(0);
  }
  if (ino == 0) return;
  // The inode follows the local content to its new name; the original name shows the
  // server's version again, with an inode of its own.
  inodes_.rekey(ino, InodeTable::localKey(key), "", key);
  nodes_.forgetNode(ino);
  if (auto info = inodes_.get(ino)) {
    inodes_.reparent(ino, info->parent, now.name);
    if (notifier_) {
      notifier_->entry(info->parent, previousName);
      notifier_->entry(info->parent, now.name);
    }
  }
}

}  // namespace fastio::fs
