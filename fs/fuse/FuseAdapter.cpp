#include "fs/fuse/FuseAdapter.h"

#include <fuse3/fuse_lowlevel.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "common/Log.h"
#include "fs/fuse/ErrnoMap.h"
#include "fs/fuse/KernelReadAhead.h"

namespace fastio::fuse {
namespace {

fs::FileSystem& fsOf(fuse_req_t req) {
  return static_cast<FuseAdapter*>(fuse_req_userdata(req))->filesystem();
}

double seconds(Duration d) {
  return std::chrono::duration<double>(d).count();
}

timespec toTimespec(WallTime t) {
  const auto ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(ns / 1000000000);
  ts.tv_nsec = static_cast<long>(ns % 1000000000);
  if (ts.tv_nsec < 0) {
    ts.tv_nsec += 1000000000;
    ts.tv_sec -= 1;
  }
  return ts;
}

struct stat toStat(const fs::Attributes& a) {
  struct stat st {};
  st.st_ino = a.ino;
  st.st_mode = a.mode;
  st.st_nlink = a.nlink;
  st.st_size = static_cast<off_t>(a.size);
  st.st_uid = a.uid;
  st.st_gid = a.gid;
  st.st_blksize = a.blockSize;
  st.st_blocks = static_cast<blkcnt_t>((a.size + 511) / 512);
  st.st_mtim = toTimespec(a.mtime);
  st.st_ctim = toTimespec(a.ctime);
  st.st_atim = st.st_mtim;
  return st;
}

fuse_entry_param toEntry(const fs::EntryReply& e) {
  fuse_entry_param p{};
  p.ino = e.attr.ino;
  p.generation = 1;  // inode numbers are never reused within a mount
  p.attr = toStat(e.attr);
  p.attr_timeout = seconds(e.attrTtl);
  p.entry_timeout = seconds(e.entryTtl);
  return p;
}

std::string errnoName(int err) {
  const char* name = strerrorname_np(err);
  return name != nullptr ? name : std::to_string(err);
}

// The one place a failure becomes errno: counts, logs at a fitting level, replies.
void replyError(fuse_req_t req, const char* op, const Error& error) {
  const int err = errnoFor(op, error.code);
  fsOf(req).countFailure(op, errnoName(err));
  switch (severityFor(op, error.code)) {
    case FailureSeverity::kExpected:
      FASTIO_LOG_TRACE("{}: {}", op, error.describe());
      break;
    case FailureSeverity::kRefusal:
      FASTIO_LOG_DEBUG("{}: {}", op, error.describe());
      break;
    case FailureSeverity::kFailure:
      FASTIO_LOG_WARN("{} failed: {}", op, redactSecrets(error.describe()));
      break;
  }
  fuse_reply_err(req, err);
}

// ---------------------------------------------------------------- callbacks

void opInit(void* userdata, fuse_conn_info* conn) {
  auto* adapter = static_cast<FuseAdapter*>(userdata);
  const uint32_t maxRead = adapter->config().maxReadBytes;
  if (conn->capable & FUSE_CAP_READDIRPLUS) conn->want |= FUSE_CAP_READDIRPLUS;
  if (conn->capable & FUSE_CAP_ASYNC_READ) conn->want |= FUSE_CAP_ASYNC_READ;
  // O_TRUNC arrives with open, not as a separate setattr before it.
  if (conn->capable & FUSE_CAP_ATOMIC_O_TRUNC) conn->want |= FUSE_CAP_ATOMIC_O_TRUNC;
  // Write-through: every write reaches the journal before write() returns, so close and
  // fsync can promise what they do (docs/SEMANTICS.md "Writes").
  conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
  // max_write also sizes the kernel's request pages, which bound the size of one read.
  // (max_read itself must stay as the mount options set it, or libfuse rejects the init.)
  conn->max_write = maxRead;
  conn->max_readahead =
      std::min<uint32_t>(conn->max_readahead == 0 ? maxRead : conn->max_readahead, maxRead);
  if (const uint64_t wanted = adapter->config().kernelReadAheadBytes; wanted > 0) {
    // Raised before this reply is processed: the kernel keeps the smaller of the two.
    const uint32_t ahead = static_cast<uint32_t>(std::min<uint64_t>(wanted, maxRead));
    if (Status s = raiseKernelReadAhead(adapter->config().mountpoint, ahead); s.ok()) {
      conn->max_readahead = std::max(conn->max_readahead, ahead);
    } else {
      FASTIO_LOG_DEBUG("kernel read-ahead left at its default: {}", s.error().describe());
    }
  }
}

void opLookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  auto r = fsOf(req).lookup(parent, name);
  if (r.ok()) {
    fuse_entry_param e = toEntry(*r);
    fuse_reply_entry(req, &e);
    return;
  }
  if (r.error().code == ErrorCode::kNotFound) {
    // A negative entry: the kernel remembers the miss for a short while.
    fuse_entry_param e{};
    e.ino = 0;
    e.entry_timeout = seconds(fsOf(req).negativeTtl());
    fuse_reply_entry(req, &e);
    return;
  }
  replyError(req, "lookup", r.error());
}

void opForget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup) {
  fsOf(req).forget(ino, nlookup);
  fuse_reply_none(req);
}

void opForgetMulti(fuse_req_t req, size_t count, fuse_forget_data* forgets) {
  auto& fs = fsOf(req);
  for (size_t i = 0; i < count; ++i) fs.forget(forgets[i].ino, forgets[i].nlookup);
  fuse_reply_none(req);
}

void opGetattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info*) {
  auto r = fsOf(req).getattr(ino);
  if (!r.ok()) return replyError(req, "getattr", r.error());
  struct stat st = toStat(r->attr);
  fuse_reply_attr(req, &st, seconds(r->ttl));
}

WallTime fromTimespec(const timespec& ts) {
  return WallTime{} + std::chrono::duration_cast<WallTime::duration>(
                          std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec));
}

void opSetattr(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int toSet, fuse_file_info* fi) {
  fs::SetAttrRequest r;
  if (toSet & FUSE_SET_ATTR_SIZE) r.size = static_cast<uint64_t>(std::max<off_t>(0, attr->st_size));
  if (toSet & FUSE_SET_ATTR_MTIME_NOW) {
    r.mtime = std::chrono::system_clock::now();
  } else if (toSet & FUSE_SET_ATTR_MTIME) {
    r.mtime = fromTimespec(attr->st_mtim);
  }
  r.atime = (toSet & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_ATIME_NOW)) != 0;
  if (toSet & FUSE_SET_ATTR_MODE) r.mode = attr->st_mode;
  if (toSet & FUSE_SET_ATTR_UID) r.uid = attr->st_uid;
  if (toSet & FUSE_SET_ATTR_GID) r.gid = attr->st_gid;
  if (fi != nullptr) r.handle = fi->fh;
  auto reply = fsOf(req).setattr(ino, r);
  if (!reply.ok()) return replyError(req, "setattr", reply.error());
  struct stat st = toStat(reply->attr);
  fuse_reply_attr(req, &st, seconds(reply->ttl));
}

void opReadlink(fuse_req_t req, fuse_ino_t ino) {
  auto r = fsOf(req).readlink(ino);
  if (!r.ok()) return replyError(req, "readlink", r.error());
  fuse_reply_readlink(req, r->c_str());
}

void opMkdir(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t) {
  auto r = fsOf(req).mkdir(parent, name);
  if (!r.ok()) return replyError(req, "mkdir", r.error());
  fuse_entry_param e = toEntry(*r);
  fuse_reply_entry(req, &e);
}

void opMknod(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, dev_t) {
  if (!S_ISREG(mode)) {
    fuse_reply_err(req, EPERM);  // device nodes, fifos and sockets are never supported
    return;
  }
  auto r = fsOf(req).mknod(parent, name);
  if (!r.ok()) return replyError(req, "mknod", r.error());
  fuse_entry_param e = toEntry(*r);
  if (fuse_reply_entry(req, &e) == -ENOENT) fsOf(req).forget(e.ino, 1);
}

void opUnlink(fuse_req_t req, fuse_ino_t parent, const char* name) {
  Status s = fsOf(req).unlink(parent, name);
  if (!s.ok()) return replyError(req, "unlink", s.error());
  fuse_reply_err(req, 0);
}

void opRmdir(fuse_req_t req, fuse_ino_t parent, const char* name) {
  Status s = fsOf(req).rmdir(parent, name);
  if (!s.ok()) return replyError(req, "rmdir", s.error());
  fuse_reply_err(req, 0);
}

void opSymlink(fuse_req_t req, const char*, fuse_ino_t, const char*) {
  fuse_reply_err(req, EPERM);  // the service stores no symbolic links
}

void opLink(fuse_req_t req, fuse_ino_t, fuse_ino_t, const char*) {
  fuse_reply_err(req, EPERM);  // hard links are never supported
}

void opRename(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t newParent,
              const char* newName, unsigned int flags) {
  Status s = fsOf(req).rename(parent, name, newParent, newName, flags);
  if (!s.ok()) return replyError(req, "rename", s.error());
  fuse_reply_err(req, 0);
}

fs::OpenFlags openFlags(int flags) {
  fs::OpenFlags f;
  f.write = (flags & O_ACCMODE) != O_RDONLY;
  f.truncate = (flags & O_TRUNC) != 0;
  f.append = (flags & O_APPEND) != 0;
  f.exclusive = (flags & O_EXCL) != 0;
  return f;
}

void opCreate(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t, fuse_file_info* fi) {
  auto r = fsOf(req).create(parent, name, openFlags(fi->flags));
  if (!r.ok()) return replyError(req, "create", r.error());
  fuse_entry_param e = toEntry(r->entry);
  fi->fh = r->open.handle;
  fi->keep_cache = r->open.keepCache ? 1 : 0;
  fi->direct_io = 0;
  if (fuse_reply_create(req, &e, fi) == -ENOENT) {  // interrupted
    fsOf(req).release(r->open.handle);
    fsOf(req).forget(e.ino, 1);
  }
}

void opOpen(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  auto r = fsOf(req).open(ino, openFlags(fi->flags));
  if (!r.ok()) return replyError(req, "open", r.error());
  fi->fh = r->handle;
  fi->keep_cache = r->keepCache ? 1 : 0;
  fi->direct_io = r->directIo ? 1 : 0;
  if (fuse_reply_open(req, fi) == -ENOENT) fsOf(req).release(r->handle);  // interrupted
}

void opRead(fuse_req_t req, fuse_ino_t, size_t size, off_t off, fuse_file_info* fi) {
  if (off < 0) {
    fuse_reply_err(req, EINVAL);
    return;
  }
  auto r = fsOf(req).readBuffer(fi->fh, static_cast<uint64_t>(off), size);
  if (!r.ok()) return replyError(req, "read", r.error());
  // Straight from the cached blocks: the kernel copies each slice once.
  std::vector<iovec> iov;
  iov.reserve(r->slices().size());
  for (std::string_view s : r->slices()) {
    iov.push_back(iovec{const_cast<char*>(s.data()), s.size()});
  }
  fuse_reply_iov(req, iov.data(), static_cast<int>(iov.size()));
}

void opWrite(fuse_req_t req, fuse_ino_t, const char* buf, size_t size, off_t off,
             fuse_file_info* fi) {
  if (off < 0) {
    fuse_reply_err(req, EINVAL);
    return;
  }
  auto r = fsOf(req).write(fi->fh, static_cast<uint64_t>(off), std::string_view(buf, size));
  if (!r.ok()) return replyError(req, "write", r.error());
  fuse_reply_write(req, *r);
}

void opFlush(fuse_req_t req, fuse_ino_t, fuse_file_info* fi) {
  Status s = fsOf(req).flush(fi->fh);
  if (!s.ok()) return replyError(req, "flush", s.error());
  fuse_reply_err(req, 0);
}

void opRelease(fuse_req_t req, fuse_ino_t, fuse_file_info* fi) {
  fsOf(req).release(fi->fh);
  fuse_reply_err(req, 0);
}

void opFsync(fuse_req_t req, fuse_ino_t ino, int, fuse_file_info* fi) {
  // Replied when done, possibly from an upload thread (sync_upload): no request thread waits.
  fsOf(req).fsync(fi->fh, ino, [req](Status s) {
    if (!s.ok()) return replyError(req, "fsync", s.error());
    fuse_reply_err(req, 0);
  });
}

void opOpendir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  auto r = fsOf(req).opendir(ino);
  if (!r.ok()) return replyError(req, "opendir", r.error());
  fi->fh = *r;
  if (fuse_reply_open(req, fi) == -ENOENT) fsOf(req).releasedir(*r);  // interrupted
}

void readdirCommon(fuse_req_t req, size_t size, off_t off, fuse_file_info* fi, bool plus) {
  auto& fs = fsOf(req);
  const std::shared_ptr<const fs::DirSnapshot> held = fs.directory(fi->fh);
  if (!held) {
    fuse_reply_err(req, EBADF);
    return;
  }
  const fs::DirSnapshot& snap = *held;
  std::vector<char> buf(size);
  size_t used = 0;
  // Offsets: 0 = ".", 1 = "..", 2 + i = entries[i]; an entry's offset is that of the next one.
  for (size_t index = static_cast<size_t>(std::max<off_t>(off, 0));; ++index) {
    const std::string* name;
    fs::Attributes attr;
    const fs::DirEntry* entry = nullptr;
    static const std::string kDot = ".", kDotDot = "..";
    if (index == 0) {
      name = &kDot;
      attr.ino = snap.ino;
      attr.mode = S_IFDIR;
    } else if (index == 1) {
      name = &kDotDot;
      attr.ino = snap.parent;
      attr.mode = S_IFDIR;
    } else if (index - 2 < snap.entries.size()) {
      entry = &snap.entries[index - 2];
      name = &entry->name;
      attr = entry->attr;
    } else {
      break;
    }
    const off_t next = static_cast<off_t>(index + 1);
    size_t needed;
    if (plus) {
      needed = fuse_add_direntry_plus(req, nullptr, 0, name->c_str(), nullptr, 0);
      if (needed > size - used) break;
      fuse_entry_param e{};
      if (entry != nullptr) {
        e = toEntry(fs.acquire(*entry));  // the kernel takes a reference for this entry
      } else {
        e.attr = toStat(attr);  // "." and ".." carry no reference
      }
      fuse_add_direntry_plus(req, buf.data() + used, size - used, name->c_str(), &e, next);
    } else {
      struct stat st = toStat(attr);
      needed = fuse_add_direntry(req, nullptr, 0, name->c_str(), nullptr, 0);
      if (needed > size - used) break;
      fuse_add_direntry(req, buf.data() + used, size - used, name->c_str(), &st, next);
    }
    used += needed;
  }
  fuse_reply_buf(req, buf.data(), used);
}

void opReaddir(fuse_req_t req, fuse_ino_t, size_t size, off_t off, fuse_file_info* fi) {
  readdirCommon(req, size, off, fi, false);
}

void opReaddirplus(fuse_req_t req, fuse_ino_t, size_t size, off_t off, fuse_file_info* fi) {
  readdirCommon(req, size, off, fi, true);
}

void opReleasedir(fuse_req_t req, fuse_ino_t, fuse_file_info* fi) {
  fsOf(req).releasedir(fi->fh);
  fuse_reply_err(req, 0);
}

void opFsyncdir(fuse_req_t req, fuse_ino_t, int, fuse_file_info*) {
  fuse_reply_err(req, 0);
}

void opStatfs(fuse_req_t req, fuse_ino_t) {
  const fs::FsStats s = fsOf(req).statfs();
  struct statvfs v {};
  v.f_bsize = s.blockSize;
  v.f_frsize = s.blockSize;
  v.f_blocks = s.blocks;
  v.f_bfree = s.blocksFree;
  v.f_bavail = s.blocksFree;
  v.f_files = s.files;
  v.f_ffree = s.filesFree;
  v.f_favail = s.filesFree;
  v.f_namemax = s.nameMax;
  fuse_reply_statfs(req, &v);
}

void opSetxattr(fuse_req_t req, fuse_ino_t ino, const char*, const char*, size_t, int) {
  replyError(req, "setxattr", fsOf(req).refuseXattrChange(ino));
}

void replySized(fuse_req_t req, const std::string& value, size_t size) {
  if (size == 0) {
    fuse_reply_xattr(req, value.size());
  } else if (value.size() > size) {
    fuse_reply_err(req, ERANGE);
  } else {
    fuse_reply_buf(req, value.data(), value.size());
  }
}

void opGetxattr(fuse_req_t req, fuse_ino_t ino, const char* name, size_t size) {
  auto r = fsOf(req).getxattr(ino, name);
  if (!r.ok()) return replyError(req, "getxattr", r.error());
  replySized(req, *r, size);
}

void opListxattr(fuse_req_t req, fuse_ino_t ino, size_t size) {
  auto r = fsOf(req).listxattr(ino);
  if (!r.ok()) return replyError(req, "listxattr", r.error());
  std::string joined;
  for (const auto& n : *r) {
    joined += n;
    joined += '\0';
  }
  replySized(req, joined, size);
}

void opRemovexattr(fuse_req_t req, fuse_ino_t ino, const char*) {
  replyError(req, "removexattr", fsOf(req).refuseXattrChange(ino));
}

void opFallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length,
                 fuse_file_info* fi) {
  if (offset < 0 || length <= 0) {
    fuse_reply_err(req, EINVAL);
    return;
  }
  Status s = fsOf(req).fallocate(fi != nullptr ? fi->fh : 0, ino, mode,
                                 static_cast<uint64_t>(offset), static_cast<uint64_t>(length));
  if (!s.ok()) return replyError(req, "fallocate", s.error());
  fuse_reply_err(req, 0);
}

// No exception may cross into libfuse (or end the daemon): one that escapes a callback is
// logged, counted and answered with EIO. Callbacks without a reply (forget) answer none.
template <bool kReplies, typename... Args>
struct Guard {
  template <void (*Op)(fuse_req_t, Args...)>
  static void call(fuse_req_t req, Args... args) {
    try {
      Op(req, args...);
      return;
    } catch (const std::exception& e) {
      FASTIO_LOG_ERROR("a request failed with an exception: {}", e.what());
    } catch (...) {
      FASTIO_LOG_ERROR("a request failed with an unknown exception");
    }
    fsOf(req).countFailure("exception", "EIO");
    if (kReplies) {
      fuse_reply_err(req, EIO);
    } else {
      fuse_reply_none(req);
    }
  }
};
template <bool kReplies, typename... Args>
constexpr Guard<kReplies, Args...> guardFor(void (*)(fuse_req_t, Args...)) {
  return {};
}
#define FASTIO_GUARDED(op) decltype(guardFor<true>(op))::call<op>
#define FASTIO_GUARDED_NO_REPLY(op) decltype(guardFor<false>(op))::call<op>

fuse_lowlevel_ops makeOps() {
  fuse_lowlevel_ops ops{};
  ops.init = opInit;
  ops.lookup = FASTIO_GUARDED(opLookup);
  ops.forget = FASTIO_GUARDED_NO_REPLY(opForget);
  ops.forget_multi = FASTIO_GUARDED_NO_REPLY(opForgetMulti);
  ops.getattr = FASTIO_GUARDED(opGetattr);
  ops.setattr = FASTIO_GUARDED(opSetattr);
  ops.readlink = FASTIO_GUARDED(opReadlink);
  ops.mknod = FASTIO_GUARDED(opMknod);
  ops.mkdir = FASTIO_GUARDED(opMkdir);
  ops.unlink = FASTIO_GUARDED(opUnlink);
  ops.rmdir = FASTIO_GUARDED(opRmdir);
  ops.symlink = FASTIO_GUARDED(opSymlink);
  ops.rename = FASTIO_GUARDED(opRename);
  ops.link = FASTIO_GUARDED(opLink);
  ops.open = FASTIO_GUARDED(opOpen);
  ops.read = FASTIO_GUARDED(opRead);
  ops.write = FASTIO_GUARDED(opWrite);
  ops.flush = FASTIO_GUARDED(opFlush);
  ops.release = FASTIO_GUARDED(opRelease);
  ops.fsync = FASTIO_GUARDED(opFsync);
  ops.opendir = FASTIO_GUARDED(opOpendir);
  ops.readdir = FASTIO_GUARDED(opReaddir);
  ops.readdirplus = FASTIO_GUARDED(opReaddirplus);
  ops.releasedir = FASTIO_GUARDED(opReleasedir);
  ops.fsyncdir = FASTIO_GUARDED(opFsyncdir);
  ops.statfs = FASTIO_GUARDED(opStatfs);
  ops.setxattr = FASTIO_GUARDED(opSetxattr);
  ops.getxattr = FASTIO_GUARDED(opGetxattr);
  ops.listxattr = FASTIO_GUARDED(opListxattr);
  ops.removexattr = FASTIO_GUARDED(opRemovexattr);
  ops.create = FASTIO_GUARDED(opCreate);
  ops.fallocate = FASTIO_GUARDED(opFallocate);
  return ops;
}

}  // namespace

FuseAdapter::FuseAdapter(fs::FileSystem& fs, FuseMountConfig config)
    : fs_(fs), config_(std::move(config)) {}

FuseAdapter::~FuseAdapter() {
  unmount();
}

Status FuseAdapter::mount() {
  if (session_ != nullptr) return makeError(ErrorCode::kInternal, "already mounted");
  std::string opts = "fsname=fastiofs,subtype=fastiofs,default_permissions";
  if (config_.allowOther) opts += ",allow_other";
  if (config_.readOnly) opts += ",ro";
  std::vector<std::string> argvStore = {"fastiofs", "-o", opts};
  if (config_.debug) argvStore.push_back("-d");
  std::vector<char*> argv;
  for (auto& a : argvStore) argv.push_back(a.data());
  fuse_args args = FUSE_ARGS_INIT(static_cast<int>(argv.size()), argv.data());
  const fuse_lowlevel_ops ops = makeOps();
  session_ = fuse_session_new(&args, &ops, sizeof ops, this);
  fuse_opt_free_args(&args);
  if (session_ == nullptr) {
    return makeError(ErrorCode::kInvalid, "could not create the FUSE session (bad options?)");
  }
  if (fuse_session_mount(session_, config_.mountpoint.c_str()) != 0) {
    fuse_session_destroy(session_);
    session_ = nullptr;
    return makeError(ErrorCode::kIo, "could not mount on " + config_.mountpoint +
                                         " (is /dev/fuse usable and the mount point free?)");
  }
  mounted_ = true;
  return okStatus();
}

Status FuseAdapter::run() {
  if (session_ == nullptr) return makeError(ErrorCode::kInternal, "not mounted");
  if (fuse_set_signal_handlers(session_) == 0) signalsInstalled_ = true;
  fuse_loop_config* cfg = fuse_loop_cfg_create();
  fuse_loop_cfg_set_max_threads(cfg, std::max(1u, config_.maxThreads));
  fuse_loop_cfg_set_idle_threads(cfg, std::max(1u, config_.maxThreads / 2));
  fuse_loop_cfg_set_clone_fd(cfg, 0);
  const int rc = fuse_session_loop_mt(session_, cfg);
  fuse_loop_cfg_destroy(cfg);
  if (signalsInstalled_) {
    fuse_remove_signal_handlers(session_);
    signalsInstalled_ = false;
  }
  if (rc < 0) {
    return makeError(ErrorCode::kIo, std::string("FUSE loop failed: ") + std::strerror(-rc));
  }
  return okStatus();
}

void FuseAdapter::requestExit() {
  if (session_ != nullptr) fuse_session_exit(session_);
}

void FuseAdapter::unmount() {
  if (session_ == nullptr) return;
  if (mounted_.exchange(false)) fuse_session_unmount(session_);
  fuse_session_destroy(session_);
  session_ = nullptr;
}

void FuseAdapter::invalidateInode(uint64_t ino) {
  if (!mounted_ || session_ == nullptr) return;
  const int rc = fuse_lowlevel_notify_inval_inode(session_, ino, 0, 0);
  if (rc != 0 && rc != -ENOENT) FASTIO_LOG_DEBUG("inval_inode {}: {}", ino, std::strerror(-rc));
}

void FuseAdapter::invalidateEntry(uint64_t parent, const std::string& name) {
  if (!mounted_ || session_ == nullptr) return;
  const int rc = fuse_lowlevel_notify_inval_entry(session_, parent, name.c_str(), name.size());
  if (rc != 0 && rc != -ENOENT) {
    FASTIO_LOG_DEBUG("inval_entry {}/{}: {}", parent, name, std::strerror(-rc));
  }
}

}  // namespace fastio::fuse
