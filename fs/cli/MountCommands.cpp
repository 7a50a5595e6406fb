#include "fs/cli/MountCommands.h"

#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "cache/LocalCache.h"
#include "client/http/ClientFactory.h"
#include "common/FdIo.h"
#include "common/Log.h"
#include "fs/FileSystem.h"
#include "fs/LmdbCacheAdapters.h"
#include "fs/cli/DaemonSignals.h"
#include "fs/cli/QueueWatch.h"
#include "fs/fuse/FuseAdapter.h"

namespace fastio::cli {
namespace {

// Reports readiness from the serving process to the one waiting in the terminal.
class ReadyChannel {
 public:
  explicit ReadyChannel(int fd) : fd_(fd) {}
  void ok(const std::string& note) { send(note.empty() ? "OK\n" : "OK " + note + "\n"); }
  void fail(const std::string& message) { send("ERR " + redactSecrets(message) + "\n"); }
  bool active() const { return fd_ >= 0; }

 private:
  void send(const std::string& line) {
    if (fd_ < 0) return;
    (void)fdio::writeAll(fd_, line);  // the waiting side reports a lost line as a failure
    ::close(fd_);
    fd_ = -1;
  }
  int fd_;
};

// The mount table entry for path, as "fstype" ("" when path is not a mount point).
std::string mountTypeAt(const std::string& path) {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, dev, root, point, opts, field;
    fields >> id >> parent >> dev >> root >> point >> opts;
    // Optional fields end with "-", then the filesystem type.
    while (fields >> field && field != "-") {
    }
    std::string fstype;
    fields >> fstype;
    // mountinfo escapes spaces and a few others as three octal digits ("\040").
    std::string decoded;
    for (size_t i = 0; i < point.size(); ++i) {
      const bool octal = point[i] == '\\' && i + 3 < point.size();
      if (octal && point[i + 1] >= '0' && point[i + 1] <= '7' && point[i + 2] >= '0' &&
          point[i + 2] <= '7' && point[i + 3] >= '0' && point[i + 3] <= '7') {
        decoded += static_cast<char>((point[i + 1] - '0') * 64 + (point[i + 2] - '0') * 8 +
                                     (point[i + 3] - '0'));
        i += 3;
      } else {
        decoded += point[i];
      }
    }
    if (decoded == path) return fstype;
  }
  return "";
}

// A FUSE mount whose daemon died answers ENOTCONN. statfs always asks the daemon, while stat
// of the mount point is answered from the kernel's attribute cache for up to attr_timeout after
// the crash.
bool deadMountAt(const std::string& path) {
  struct statfs fsInfo {};
  struct stat st {};
  return (::statfs(path.c_str(), &fsInfo) != 0 && errno == ENOTCONN) ||
         (::stat(path.c_str(), &st) != 0 && errno == ENOTCONN);
}

// Runs fusermount3 with args; true when it exited 0.
bool runFusermount(const std::vector<std::string>& args) {
  const pid_t child = ::fork();
  if (child == 0) {
    std::vector<char*> argv;
    std::string program = "fusermount3";
    argv.push_back(program.data());
    std::vector<std::string> copy = args;
    for (std::string& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execvp("fusermount3", argv.data());
    _exit(127);
  }
  int status = 0;
  return child > 0 && ::waitpid(child, &status, 0) >= 0 && WIFEXITED(status) &&
         WEXITSTATUS(status) == 0;
}

std::string absolutePath(const std::string& p) {
  std::error_code ec;
  auto abs = std::filesystem::absolute(p, ec);
  if (ec) return p;
  return abs.lexically_normal().string();
}

std::string describeStartFailure(const Error& e) {
  switch (e.code) {
    case ErrorCode::kUnauthenticated:
      return "the server rejected the token (" + e.describe() +
             "); run 'fastiofs login' or set FASTIO_API_KEY";
    case ErrorCode::kUnavailable:
    case ErrorCode::kDeadline:
    case ErrorCode::kRateLimited:
      return "server unreachable and nothing cached for this account: " + e.describe();
    default:
      return e.describe();
  }
}

std::string hostName() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

// How long `fastiofs unmount` waits for the daemon to exit once the mount is gone.
constexpr std::chrono::seconds kDaemonExitGrace{30};

std::string drainFileOf(const std::string& cacheDir) {
  return cacheDir + "/drain.json";
}

// Another daemon holds the cache directory: say whether it is still uploading after its
// unmount (it writes drain.json while it does).
std::string describeBusyCache(const std::string& cacheDir, const Error& error) {
  std::string message = error.message;
  std::ifstream in(drainFileOf(cacheDir));
  if (in) {
    auto doc = nlohmann::json::parse(in, nullptr, false);
    if (!doc.is_discarded() && doc.is_object()) {
      message = error.message + "; that daemon (pid " + std::to_string(doc.value("pid", 0)) +
                ") is still uploading " + std::to_string(doc.value("files", uint64_t{0})) +
                " file(s) after its unmount. Wait for it, or stop it with kill -USR2 (what "
                "is left stays in the journal and resumes at the next mount)";
    }
  }
  return message;
}

// After the unmount (or SIGTERM): upload what is pending, up to drain_timeout. What is left
// stays in the journal and resumes at the next mount.
void drainUploads(fs::FileSystem& filesystem, const MountSettings& s, DaemonSignals& signals) {
  filesystem.uploadNow();
  const auto until = std::chrono::steady_clock::now() + s.drainTimeout;
  auto lastLog = std::chrono::steady_clock::now();
  bool announced = false;
  for (;;) {
    const fs::UploadQueueStats q = filesystem.uploadStats();
    const uint64_t left = q.filesPending + q.filesInFlight;
    if (left == 0) break;
    const auto now = std::chrono::steady_clock::now();
    if (signals.stopDrainRequested() || now >= until) {
      FASTIO_LOG_WARN(
          "{} file(s) not uploaded yet; they stay in the journal and resume at the "
          "next mount",
          left);
      break;
    }
    if (!announced || now - lastLog >= std::chrono::seconds(10)) {
      FASTIO_LOG_INFO("draining: {} file(s) to upload", left);
      announced = true;
      lastLog = now;
    }
    std::ofstream(drainFileOf(s.cacheDir))
        << nlohmann::json{{"pid", ::getpid()}, {"files", left}}.dump() << "\n";
    filesystem.waitForUploads(now + std::chrono::seconds(1));
  }
  std::error_code ec;
  std::filesystem::remove(drainFileOf(s.cacheDir), ec);
}

// Everything after the fork (or in the foreground): LMDB, the HTTP client and the FUSE
// session are created here so none of them crosses a fork.
int serveMount(MountSettings s, ReadyChannel ready) {
  // Blocks (1 MiB) and LMDB's overflow pages are allocated and freed all the time. Above
  // glibc's mmap threshold each one was a fresh mapping, faulted in and zeroed page by page:
  // a tenth of a cold read's CPU. Served from the heap, they reuse warm memory.
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  auto failWith = [&](const std::string& message) {
    if (ready.active()) {
      ready.fail(message);
    } else {
      std::cerr << "fastiofs: " << redactSecrets(message) << std::endl;
    }
    return 1;
  };

  cache::LocalCacheOptions cacheOptions;
  cacheOptions.dir = s.cacheDir;
  cacheOptions.cacheSizeBytes = s.cacheSizeBytes;
  cacheOptions.dirtyLimitBytes = s.dirtyLimitBytes;
  auto localCache = cache::LocalCache::open(cacheOptions, RealClock::instance());
  if (!localCache.ok()) {
    if (localCache.error().code == ErrorCode::kExists) {
      return failWith(describeBusyCache(s.cacheDir, localCache.error()));
    }
    return failWith("cannot open the cache directory " + s.cacheDir + ": " +
                    localCache.error().describe());
  }
  if (ready.active()) {
    spdlog::drop_all();
    initLogging(s.logLevel.empty() ? "info" : s.logLevel,
                s.logFile.empty() ? s.cacheDir + "/fastiofs.log" : s.logFile);
  } else if (!s.logLevel.empty()) {
    spdlog::set_level(spdlog::level::from_str(s.logLevel));
  }

  http::ClientConfig clientConfig;
  clientConfig.apiUrl = s.apiUrl;
  clientConfig.tokenFile = s.tokenFile;
  auto client = http::connectClient(std::move(clientConfig));
  if (!client.ok()) return failWith(client.error().describe());

  fs::FsOptions options = s.fs;
  options.blockSize = (*localCache)->blocks().blockSize();
  options.cacheSizeBytes = s.cacheSizeBytes;
  options.dirtyLimitBytes = (*localCache)->dirtyLimitBytes();
  options.hostName = hostName();
  if (auto url = http::resolveApiUrl(s.apiUrl); url.ok()) options.apiUrl = redactSecrets(*url);

  fs::LmdbContentCache content((*localCache)->blocks());
  fs::LmdbMetadataBackup backup((*localCache)->metadata());
  fs::LmdbDirtyStore dirty((*localCache)->journal());
  fs::FileSystem filesystem((*client)->store(), content, &backup, options, RealClock::instance(),
                            &dirty);

  fuse::FuseMountConfig fuseConfig;
  fuseConfig.mountpoint = s.mountpoint;
  fuseConfig.allowOther = s.allowOther;
  fuseConfig.readOnly = s.fs.readOnly;
  fuseConfig.debug = s.debug;
  fuseConfig.maxThreads = s.maxThreads;
  fuseConfig.kernelReadAheadBytes = s.kernelReadAheadBytes;
  fuse::FuseAdapter adapter(filesystem, fuseConfig);

  if (Status started = filesystem.start(&adapter); !started.ok()) {
    return failWith(describeStartFailure(started.error()));
  }
  if (Status mounted = adapter.mount(); !mounted.ok()) {
    filesystem.stop();
    return failWith(mounted.error().describe());
  }
  const bool offline = !filesystem.health().online();
  FASTIO_LOG_INFO("mounted on {}{}", s.mountpoint, offline ? " (offline, from the cache)" : "");
  ready.ok(offline ? "offline: " + filesystem.health().offlineReason() : "");
  if (!s.foreground) {
    const int devnull = ::open("/dev/null", O_RDWR);
    if (devnull >= 0) {
      ::dup2(devnull, STDIN_FILENO);
      ::dup2(devnull, STDOUT_FILENO);
      ::dup2(devnull, STDERR_FILENO);
      if (devnull > STDERR_FILENO) ::close(devnull);
    }
  } else if (offline) {
    std::cerr << "fastiofs: server unreachable; mounted offline from the cache" << std::endl;
  }

  // Flushes the clean cache (it commits without fsync), refreshes the block budget, purges
  // expired answers and folds the journal's write-ahead log, every few seconds.
  (*localCache)->startMaintenance(std::chrono::seconds(5));
  DaemonSignals signals([&filesystem] { filesystem.uploadNow(); });

  Status served = adapter.run();
  FASTIO_LOG_INFO("unmounting {}", s.mountpoint);
  adapter.unmount();
  drainUploads(filesystem, s, signals);
  filesystem.stopUploads();
  (*localCache)->stopMaintenance();
  if (Status f = (*localCache)->maintain(); !f.ok()) {
    FASTIO_LOG_WARN("cache flush failed: {}", f.error().describe());
  }
  if (!served.ok()) FASTIO_LOG_ERROR("{}", served.error().describe());
  spdlog::default_logger()->flush();
  // Everything that must survive is on disk now (the clean cache just flushed, the journal
  // committed). Exiting here skips waiting up to one long-poll for each change watcher.
  std::_Exit(served.ok() ? 0 : 1);
}

// Forks; the parent waits for the child's readiness line and turns it into the exit code.
int daemonizeAndServe(MountSettings s) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return fail(std::string("cannot create a pipe: ") + std::strerror(errno));
  }
  const pid_t pid = ::fork();
  if (pid < 0) return fail(std::string("cannot fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::close(fds[0]);
    ::setsid();
    // A second fork so the daemon is not a session leader and is reparented at once.
    const pid_t inner = ::fork();
    if (inner < 0) _exit(1);
    if (inner > 0) _exit(0);
    if (::chdir("/") != 0) {
      // Paths are absolute already; staying put only matters for unmounting busy directories.
    }
    _exit(serveMount(std::move(s), ReadyChannel(fds[1])));
  }
  ::close(fds[1]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  std::string message;
  char buf[512];
  for (;;) {
    const ssize_t n = fdio::readOnce(fds[0], buf, sizeof buf);
    if (n <= 0) break;
    message.append(buf, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  while (!message.empty() && message.back() == '\n') message.pop_back();
  if (message.rfind("OK", 0) == 0) {
    if (message.size() > 3) std::cerr << "fastiofs: mounted " << message.substr(3) << std::endl;
    return 0;
  }
  if (message.rfind("ERR ", 0) == 0) return fail(message.substr(4));
  return fail("the mount process exited before the mount was ready (see " +
              (s.logFile.empty() ? s.cacheDir + "/fastiofs.log" : s.logFile) + ")");
}

struct MountArgs {
  std::string mountpoint;
  bool foreground = false;
  std::string cacheDir;
  std::string cacheSize;
  std::vector<std::string> options;
};

int runMountCommand(const GlobalOptions& g, const MountArgs& a) {
  MountSettings s;
  s.mountpoint = a.mountpoint;
  s.apiUrl = g.apiUrl;
  s.tokenFile = g.tokenFile;
  s.fs.uid = ::getuid();
  s.fs.gid = ::getgid();
  for (const auto& o : a.options) {
    if (Status st = applyMountOptions(s, o); !st.ok()) return fail(st.error().message);
  }
  if (!a.cacheDir.empty()) s.cacheDir = a.cacheDir;
  if (!a.cacheSize.empty()) {
    auto size = parseByteSize(a.cacheSize);
    if (!size.ok()) return fail("--cache-size: " + size.error().message);
    s.cacheSizeBytes = *size;
  }
  if (a.foreground) s.foreground = true;
  if (s.logLevel.empty() && g.logLevel != "warn") s.logLevel = g.logLevel;
  return runMount(std::move(s));
}

}  // namespace

Status detachDeadMount(const std::string& mountpoint) {
  if (::geteuid() == 0) {
    if (::umount2(mountpoint.c_str(), MNT_DETACH) != 0) {
      return makeError(ErrorCode::kIo, "cannot clear the dead mount on " + mountpoint + ": " +
                                           std::strerror(errno));
    }
    return okStatus();
  }
  return runFusermount({"-u", "-z", mountpoint})
             ? okStatus()
             : makeError(ErrorCode::kIo, "fusermount3 -u -z " + mountpoint + " failed");
}

int runMount(MountSettings s) {
  if (s.mountpoint.empty()) return fail("mount needs a MOUNTPOINT");
  s.mountpoint = absolutePath(s.mountpoint);
  if (s.cacheDir.empty()) s.cacheDir = defaultCacheDir();
  s.cacheDir = absolutePath(s.cacheDir);
  if (!s.logFile.empty()) s.logFile = absolutePath(s.logFile);
  if (!s.tokenFile.empty()) s.tokenFile = absolutePath(s.tokenFile);
  struct stat st {};
  if (deadMountAt(s.mountpoint) && mountTypeAt(s.mountpoint) == "fuse.fastiofs") {
    // The daemon of an earlier mount died: clear its dead mount and mount again. Its journal
    // is intact in the cache directory and resumes with this mount.
    if (Status cleared = detachDeadMount(s.mountpoint); !cleared.ok()) {
      return fail(cleared.error().message);
    }
    std::cerr << "fastiofs: cleared the dead mount left on " << s.mountpoint << std::endl;
  }
  if (::stat(s.mountpoint.c_str(), &st) != 0) {
    return fail("mount point " + s.mountpoint + " does not exist");
  }
  if (!S_ISDIR(st.st_mode)) return fail("mount point " + s.mountpoint + " is not a directory");
  if (const std::string type = mountTypeAt(s.mountpoint); !type.empty()) {
    return fail("mount point " + s.mountpoint + " is busy: already mounted (" + type + ")");
  }
  if (s.fs.cacheSizeBytes == 0) s.fs.cacheSizeBytes = s.cacheSizeBytes;
  if (s.foreground) return serveMount(std::move(s), ReadyChannel(-1));
  return daemonizeAndServe(std::move(s));
}

int runUnmount(const std::string& mountpointArg, int timeoutSeconds) {
  const std::string mountpoint = absolutePath(mountpointArg);
  const std::string type = mountTypeAt(mountpoint);
  if (type != "fuse.fastiofs") return fail(mountpoint + " is not a fastiofs mount");
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(timeoutSeconds);
  // Upload what is pending while the mount still answers (with a progress line), then unmount.
  QueueState last;
  const QueueWait drained = drainQueue(mountpoint, std::chrono::seconds(timeoutSeconds), &last);
  const int64_t pid = last.pid;
  if (::geteuid() == 0) {
    if (::umount2(mountpoint.c_str(), 0) != 0) {
      if (errno == EBUSY)
        return fail(mountpoint + " is busy (a process uses it); close it and retry");
      return fail("cannot unmount " + mountpoint + ": " + std::strerror(errno));
    }
  } else if (!runFusermount({"-u", mountpoint})) {
    return fail("fusermount3 -u " + mountpoint + " failed");
  }
  if (pid <= 0) return 0;
  if (drained == QueueWait::kTimedOut) {
    // The caller's time is up: the daemon stops at once, and what is left stays queued.
    ::kill(static_cast<pid_t>(pid), SIGUSR2);
  }
  // The daemon gets a grace period to exit even when the drain used up the timeout: it
  // finishes the upload calls in flight (each bounded by the client's retry budget).
  const auto exitBy = std::max(until, std::chrono::steady_clock::now() + kDaemonExitGrace);
  while (::kill(static_cast<pid_t>(pid), 0) == 0) {
    if (std::chrono::steady_clock::now() >= exitBy) {
      ::kill(static_cast<pid_t>(pid), SIGUSR2);
      return fail("unmounted, but the daemon (pid " + std::to_string(pid) +
                  ") is still finishing its last upload calls; pending uploads stay in the "
                  "cache and resume at the next mount");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (drained == QueueWait::kTimedOut) {
    std::cerr << "fastiofs: unmounted with " << describeQueue(last)
              << " left; they stay in the cache and resume at the next mount" << std::endl;
    return 2;
  }
  if (last.failed != 0) {
    std::cerr << "fastiofs: unmounted; " << last.failed
              << " upload(s) had failed and stay in the cache:" << std::endl;
    for (const std::string& e : last.errors) std::cerr << "  " << e << std::endl;
    return 2;
  }
  return 0;
}

int runSync(const std::string& mountpointArg, int timeoutSeconds) {
  const std::string mountpoint = absolutePath(mountpointArg);
  if (mountTypeAt(mountpoint) != "fuse.fastiofs") {
    return fail(mountpoint + " is not a fastiofs mount");
  }
  QueueState last;
  switch (drainQueue(mountpoint, std::chrono::seconds(timeoutSeconds), &last)) {
    case QueueWait::kGone:
      return fail("the mount at " + mountpoint + " went away");
    case QueueWait::kTimedOut:
      return fail("not everything is stored after " + std::to_string(timeoutSeconds) +
                  " s: " + describeQueue(last));
    case QueueWait::kEmpty:
      break;
  }
  if (last.failed != 0) {
    std::cerr << "fastiofs: " << last.failed
              << " upload(s) failed and are kept locally:" << std::endl;
    for (const std::string& e : last.errors) std::cerr << "  " << e << std::endl;
    return 1;
  }
  return 0;
}

int runStatus(const std::string& mountpointArg) {
  const std::string mountpoint = absolutePath(mountpointArg);
  std::ifstream in(mountpoint + "/.fastio/status");
  if (!in) return fail(mountpoint + " is not a fastiofs mount (no .fastio/status)");
  std::cout << in.rdbuf();
  return 0;
}

void registerMountCommands(CommandSet& commands) {
  GlobalOptions& g = commands.global();
  auto mount = std::make_shared<MountArgs>();
  CLI::App* m = commands.add("mount", "mount every workspace under MOUNTPOINT",
                             [&g, mount] { return runMountCommand(g, *mount); });
  m->add_option("mountpoint", mount->mountpoint, "MOUNTPOINT")->required();
  m->add_flag("-f,--foreground", mount->foreground, "stay in the foreground");
  m->add_option("--cache-dir", mount->cacheDir, "cache directory (default ~/.cache/fastiofs)");
  m->add_option("--cache-size", mount->cacheSize, "cache size limit, e.g. 10G (default 10G)");
  m->add_option("-o", mount->options, "OPTION[,OPTION...] (see docs/SEMANTICS.md)");

  auto unmountPoint = std::make_shared<std::string>();
  auto timeout = std::make_shared<int>(60);
  CLI::App* u =
      commands.add("unmount", "unmount MOUNTPOINT and wait for the daemon to finish",
                   [unmountPoint, timeout] { return runUnmount(*unmountPoint, *timeout); });
  u->add_option("mountpoint", *unmountPoint, "MOUNTPOINT")->required();
  u->add_option("--timeout", *timeout,
                "seconds to wait for pending uploads and the daemon (default 60)");

  auto syncPoint = std::make_shared<std::string>();
  auto syncTimeout = std::make_shared<int>(600);
  CLI::App* sy =
      commands.add("sync", "wait until every pending upload of MOUNTPOINT is stored",
                   [syncPoint, syncTimeout] { return runSync(*syncPoint, *syncTimeout); });
  sy->add_option("mountpoint", *syncPoint, "MOUNTPOINT")->required();
  sy->add_option("--timeout", *syncTimeout, "seconds to wait (default 600)");

  auto statusPoint = std::make_shared<std::string>();
  CLI::App* st = commands.add("status", "show the state of the mount at MOUNTPOINT",
                              [statusPoint] { return runStatus(*statusPoint); });
  st->add_option("mountpoint", *statusPoint, "MOUNTPOINT")->required();
}

}  // namespace fastio::cli
