#include "cache/DirectoryLock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace fastio::cache {
namespace {

Error sysError(const std::string& what, int err) {
  ErrorCode code = (err == EACCES || err == EPERM) ? ErrorCode::kDenied : ErrorCode::kIo;
  if (err == ENOSPC) code = ErrorCode::kNoSpace;
  return makeError(code, what + ": " + std::strerror(err));
}

}  // namespace

Status ensurePrivateDirectory(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return makeError(ErrorCode::kIo, "cannot create " + dir.string() + ": " + ec.message());
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return sysError("cannot stat " + dir.string(), errno);
  if (!S_ISDIR(st.st_mode)) {
    return makeError(ErrorCode::kNotDirectory, dir.string() + " is not a directory");
  }
  if ((st.st_mode & 07777) != 0700 && ::chmod(dir.c_str(), 0700) != 0) {
    return sysError("cannot make " + dir.string() + " private (0700)", errno);
  }
  return okStatus();
}

Result<std::unique_ptr<DirectoryLock>> DirectoryLock::acquire(const std::filesystem::path& dir) {
  FASTIO_TRY(ensurePrivateDirectory(dir));
  std::filesystem::path lockPath = dir / "LOCK";
  int fd = ::open(lockPath.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return sysError("cannot open " + lockPath.string(), errno);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    std::string holder;
    char buf[32] = {};
    ssize_t n = ::pread(fd, buf, sizeof(buf) - 1, 0);
    if (n > 0) holder = std::string(buf, static_cast<size_t>(n));
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
    ::close(fd);
    if (err == EWOULDBLOCK) {
      std::string who = holder.empty() ? "" : " (pid " + holder + ")";
      return makeError(ErrorCode::kExists, "cache directory " + dir.string() +
                                               " is in use by another fastiofs process" + who);
    }
    return sysError("cannot lock " + lockPath.string(), err);
  }
  // Record our pid for the message a second process prints; the lock is what matters.
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
    int err = errno;
    ::close(fd);
    return sysError("cannot write " + lockPath.string(), err);
  }
  ::fchmod(fd, 0600);
  return std::unique_ptr<DirectoryLock>(new DirectoryLock(dir, fd));
}

DirectoryLock::~DirectoryLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace fastio::cache
