#pragma once
// Streams an incoming request part to a new file on disk: buffered writes, a hard byte cap,
// optional inline hashing, fdatasync on finish. The file is removed unless it was released
// (moved into place by the caller), so an aborted request never leaves bytes behind.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/ContentDigest.h"
#include "common/Result.h"

namespace fastio::emu {

class ChunkFileWriter {
 public:
  // Creates `path` exclusively (mode 0600). maxBytes: append() fails once more would be stored.
  static Result<std::unique_ptr<ChunkFileWriter>> create(std::filesystem::path path,
                                                         std::uint64_t maxBytes);
  ~ChunkFileWriter();
  ChunkFileWriter(const ChunkFileWriter&) = delete;
  ChunkFileWriter& operator=(const ChunkFileWriter&) = delete;

  // Hash the bytes as they stream in `algo` too (call before the first append()).
  void hashWith(HashAlgorithm algo);
  // False once the cap is exceeded or a write failed; error() then says why.
  bool append(const char* data, std::size_t len);
  // Flushes, fdatasyncs and closes. The file stays until released or destroyed.
  Status finish();
  // The caller now owns the file (it was renamed or will be); the destructor keeps it.
  void release() { released_ = true; }

  std::uint64_t bytesWritten() const { return bytes_; }
  bool exceededCap() const { return exceeded_; }
  const std::optional<Error>& error() const { return error_; }
  const std::filesystem::path& path() const { return path_; }
  // The inline digest, when hashWith(algo) was called with this algo; valid after finish().
  std::optional<std::string> digest(HashAlgorithm algo) const;

 private:
  ChunkFileWriter(std::filesystem::path path, int fd, std::uint64_t maxBytes);
  bool flushBuffer();
  void fail(Error error);

  std::filesystem::path path_;
  int fd_;
  std::uint64_t maxBytes_;
  std::uint64_t bytes_ = 0;
  std::vector<char> buffer_;
  std::vector<ContentDigest> hashers_;
  std::vector<std::pair<HashAlgorithm, std::string>> digests_;
  std::optional<Error> error_;
  bool exceeded_ = false;
  bool finished_ = false;
  bool released_ = false;
};

}  // namespace fastio::emu
