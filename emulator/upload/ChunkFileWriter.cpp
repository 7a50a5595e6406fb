#include "emulator/upload/ChunkFileWriter.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/FdIo.h"

namespace fastio::emu {

namespace {
constexpr std::size_t kBufferBytes = 1 << 20;
}

Result<std::unique_ptr<ChunkFileWriter>> ChunkFileWriter::create(std::filesystem::path path,
                                                                 std::uint64_t maxBytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return makeError(ErrorCode::kIo,
                     "cannot create " + path.string() + ": " + std::strerror(errno));
  }
  return std::unique_ptr<ChunkFileWriter>(new ChunkFileWriter(std::move(path), fd, maxBytes));
}

ChunkFileWriter::ChunkFileWriter(std::filesystem::path path, int fd, std::uint64_t maxBytes)
    : path_(std::move(path)), fd_(fd), maxBytes_(maxBytes) {
  buffer_.reserve(kBufferBytes);
}

ChunkFileWriter::~ChunkFileWriter() {
  if (fd_ >= 0) ::close(fd_);
  if (!released_) {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
}

void ChunkFileWriter::hashWith(HashAlgorithm algo) {
  for (const auto& hasher : hashers_) {
    if (hasher.algorithm() == algo) return;
  }
  hashers_.emplace_back(algo);
}

void ChunkFileWriter::fail(Error error) {
  if (!error_) error_ = std::move(error);
}

bool ChunkFileWriter::append(const char* data, std::size_t len) {
  if (error_) return false;
  if (finished_) {
    fail(makeError(ErrorCode::kInternal, "append after finish"));
    return false;
  }
  if (len > maxBytes_ - bytes_) {
    exceeded_ = true;
    fail(makeError(ErrorCode::kTooLarge,
                   "the part is larger than the " + std::to_string(maxBytes_) + " bytes allowed"));
    return false;
  }
  for (auto& hasher : hashers_) hasher.update(std::string_view(data, len));
  bytes_ += len;
  while (len > 0) {
    std::size_t take = std::min(len, kBufferBytes - buffer_.size());
    buffer_.insert(buffer_.end(), data, data + take);
    data += take;
    len -= take;
    if (buffer_.size() == kBufferBytes && !flushBuffer()) return false;
  }
  return true;
}

bool ChunkFileWriter::flushBuffer() {
  const fdio::Transfer written =
      fdio::writeAll(fd_, std::string_view(buffer_.data(), buffer_.size()));
  if (!written.ok()) {
    const int err = written.error;
    ErrorCode code = (err == ENOSPC || err == EDQUOT) ? ErrorCode::kNoSpace : ErrorCode::kIo;
    fail(makeError(code, "cannot write " + path_.string() + ": " + std::strerror(err)));
    return false;
  }
  buffer_.clear();
  return true;
}

Status ChunkFileWriter::finish() {
  if (error_) return *error_;
  if (finished_) return okStatus();
  if (!flushBuffer()) return *error_;
  if (::fdatasync(fd_) != 0) {
    fail(makeError(ErrorCode::kIo, "cannot sync " + path_.string() + ": " + std::strerror(errno)));
    return *error_;
  }
  ::close(fd_);
  fd_ = -1;
  finished_ = true;
  for (auto& hasher : hashers_) digests_.emplace_back(hasher.algorithm(), hasher.hex());
  return okStatus();
}

std::optional<std::string> ChunkFileWriter::digest(HashAlgorithm algo) const {
  for (const auto& [digestAlgo, hex] : digests_) {
    if (digestAlgo == algo) return hex;
  }
  return std::nullopt;
}

}  // namespace fastio::emu
