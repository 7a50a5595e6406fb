#include "cache/StagingFiles.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/FaultPoints.h"
#include "common/FdIo.h"

namespace fastio::cache {

Error systemError(std::string what, int err) {
  ErrorCode code = ErrorCode::kIo;
  if (err == ENOSPC || err == EDQUOT) code = ErrorCode::kNoSpace;
  if (err == ENOENT) code = ErrorCode::kNotFound;
  if (err == EACCES || err == EPERM) code = ErrorCode::kDenied;
  if (err == EFBIG) code = ErrorCode::kTooLarge;
  return makeError(code, what + ": " + std::strerror(err));
}

StagingFile::~StagingFile() {
  ::close(fd_);
}

Status StagingFile::writeAt(uint64_t offset, std::span<const std::byte> data) {
  FASTIO_TRY(faults::hit("journal.staging_write"));
  const fdio::Transfer written = fdio::pwriteAll(
      fd_, std::string_view(reinterpret_cast<const char*>(data.data()), data.size()), offset);
  if (!written.ok()) return systemError("staging write", written.error);
  return okStatus();
}

Status StagingFile::readAt(uint64_t offset, std::span<std::byte> out) const {
  const fdio::Transfer got = fdio::preadFull(
      fd_, std::span<char>(reinterpret_cast<char*>(out.data()), out.size()), offset);
  if (!got.ok()) return systemError("staging read", got.error);
  if (got.bytes < out.size()) {
    return makeError(ErrorCode::kIo, "staging log shorter than its extents");
  }
  return okStatus();
}

Status StagingFile::dataSync() {
  FASTIO_TRY(faults::hit("journal.fdatasync"));
  if (::fdatasync(fd_) != 0) return systemError("staging fdatasync", errno);
  return okStatus();
}

void StagingFile::startWriteback(uint64_t offset, uint64_t length) {
  (void)::sync_file_range(fd_, static_cast<off_t>(offset), static_cast<off_t>(length),
                          SYNC_FILE_RANGE_WRITE);
}

Result<uint64_t> StagingFile::size() const {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return systemError("staging fstat", errno);
  return static_cast<uint64_t>(st.st_size);
}

Result<std::shared_ptr<StagingFile>> StagingFiles::get(const std::string& name, bool create) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = open_.find(name);
  if (it != open_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second.pos);
    return it->second.file;
  }
  std::filesystem::path path = dir_ / name;
  int flags = O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0);
  int fd = ::open(path.c_str(), flags, 0600);
  if (fd < 0) return systemError("open " + path.string(), errno);
  auto file = std::make_shared<StagingFile>(fd);
  lru_.push_front(name);
  open_[name] = Slot{file, lru_.begin()};
  while (open_.size() > max_) {
    open_.erase(lru_.back());  // closes once its last user lets go
    lru_.pop_back();
  }
  return file;
}

Status StagingFiles::remove(const std::string& name) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = open_.find(name);
    if (it != open_.end()) {
      lru_.erase(it->second.pos);
      open_.erase(it);
    }
  }
  std::filesystem::path path = dir_ / name;
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return systemError("unlink " + path.string(), errno);
  }
  return okStatus();
}

Status StagingFiles::syncDirectory() {
  int fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return systemError("open " + dir_.string(), errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return systemError("fsync " + dir_.string(), err);
  return okStatus();
}

size_t StagingFiles::openCount() const {
  std::lock_guard<std::mutex> lock(mu_);
  return open_.size();
}

}  // namespace fastio::cache
