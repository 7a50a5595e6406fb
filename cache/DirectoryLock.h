#pragma once
// An exclusive lock on a cache directory: one mount per cache directory. flock() on a LOCK
// file inside it, held for the life of the object; the kernel drops it when the process dies,
// so a crash never leaves a stale lock. Take it after daemonizing (flock locks follow the
// open file description, which a fork would share).

#include <filesystem>
#include <memory>

#include "common/Result.h"

namespace fastio::cache {

class DirectoryLock {
 public:
  // Creates `dir` (mode 0700) when missing, tightens an existing one to 0700, and takes the
  // lock. When another process holds it: kExists "cache directory DIR is in use by another
  // fastiofs process (pid N)".
  static Result<std::unique_ptr<DirectoryLock>> acquire(const std::filesystem::path& dir);
  ~DirectoryLock();
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;

  const std::filesystem::path& dir() const { return dir_; }

 private:
  DirectoryLock(std::filesystem::path dir, int fd) : dir_(std::move(dir)), fd_(fd) {}
  std::filesystem::path dir_;
  int fd_ = -1;
};

// Creates dir (and parents) when missing and sets its mode to 0700.
Status ensurePrivateDirectory(const std::filesystem::path& dir);

}  // namespace fastio::cache
