#include "cache/StagingFiles.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
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
  int fd = create ? openSpareAs(path) : -1;
  if (fd < 0) {
    int flags = O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0);
    fd = ::open(path.c_str(), flags, 0600);
    if (fd < 0) return systemError("open " + path.string(), errno);
  }
  auto file = std::make_shared<StagingFile>(fd);
  lru_.push_front(name);
  open_[name] = Slot{file, lru_.begin()};
  while (open_.size() > max_) {
    open_.erase(lru_.back());  // closes once its last user lets go
    lru_.pop_back();
  }
  return file;
}

namespace {
constexpr const char* kSparePrefix = "spare-";
}

bool StagingFiles::isSpareName(const std::string& name) {
  return name.rfind(kSparePrefix, 0) == 0;
}

int StagingFiles::openSpareAs(const std::filesystem::path& path) {
  // Called with mu_ held.
  while (!spares_.empty()) {
    const std::filesystem::path spare = dir_ / spares_.back();
    spares_.pop_back();
    if (::renameat2(AT_FDCWD, spare.c_str(), AT_FDCWD, path.c_str(), RENAME_NOREPLACE) != 0) {
      const int err = errno;
      if (err == EEXIST) {
        spares_.push_back(spare.filename().string());  // the log exists: open it as it is
        return -1;
      }
      (void)::unlink(spare.c_str());
      if (err == EINVAL || err == ENOSYS) return -1;  // no renameat2 here: plain creates
      continue;
    }
    int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd >= 0) return fd;
  }
  return -1;
}

Status StagingFiles::remove(const std::string& name) {
  std::string spareName;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = open_.find(name);
    // Only a file no one else holds is reused: a holder's later write would land in the file
    // that takes the spare's place. (One we no longer track may have holders: unlinked.)
    const bool unheld = it != open_.end() && it->second.file.use_count() == 1;
    if (it != open_.end()) {
      lru_.erase(it->second.pos);
      open_.erase(it);
    }
    if (unheld && spares_.size() < maxSpare_ && !isSpareName(name)) {
      spareName = kSparePrefix + std::to_string(++spareSeq_);
    }
  }
  std::filesystem::path path = dir_ / name;
  if (!spareName.empty()) {
    const std::filesystem::path spare = dir_ / spareName;
    if (::truncate(path.c_str(), 0) == 0 && ::rename(path.c_str(), spare.c_str()) == 0) {
      std::lock_guard<std::mutex> lock(mu_);
      spares_.push_back(spareName);
      return okStatus();
    }
  }
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return systemError("unlink " + path.string(), errno);
  }
  return okStatus();
}

void StagingFiles::adoptSpare(const std::string& name) {
  const std::filesystem::path path = dir_ / name;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (spares_.size() < maxSpare_ && ::truncate(path.c_str(), 0) == 0) {
      spares_.push_back(name);
      const std::string digits = name.substr(std::string(kSparePrefix).size());
      if (!digits.empty() && digits.size() < 18 &&
          digits.find_first_not_of("0123456789") == std::string::npos) {
        spareSeq_ = std::max<uint64_t>(spareSeq_, std::stoull(digits));
      }
      return;
    }
  }
  (void)::unlink(path.c_str());
}

size_t StagingFiles::spareCount() const {
  std::lock_guard<std::mutex> lock(mu_);
  return spares_.size();
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
