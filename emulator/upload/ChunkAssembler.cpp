#include "emulator/upload/ChunkAssembler.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "common/FdIo.h"
#include "emulator/upload/ChunkFileWriter.h"
#include "emulator/upload/UploadErrors.h"
#include "emulator/upload/UploadSessionStore.h"

namespace fastio::emu {

namespace fs = std::filesystem;

std::optional<Error> checkChunkLayout(const std::map<int, std::uint64_t>& chunks,
                                      std::uint64_t declaredSize, const UploadLimits& limits) {
  std::uint64_t total = 0;
  int expected = 1;
  for (const auto& [order, bytes] : chunks) {
    if (order != expected) {
      return invalidInput("chunk " + std::to_string(expected) + " is missing");
    }
    ++expected;
    total += bytes;
  }
  if (total != declaredSize) {
    return apiError(ErrorCode::kInvalid, 406, code::kUploadSizeMismatch,
                    "the chunks add up to " + std::to_string(total) +
                        " bytes but the declared size is " + std::to_string(declaredSize));
  }
  int last = chunks.empty() ? 0 : chunks.rbegin()->first;
  for (const auto& [order, bytes] : chunks) {
    if (order != last && bytes < limits.chunkSizeMin) {
      return invalidInput("chunk " + std::to_string(order) + " has " + std::to_string(bytes) +
                          " bytes; only the last chunk may be under " +
                          std::to_string(limits.chunkSizeMin));
    }
  }
  return std::nullopt;
}

namespace {

Status appendFile(const fs::path& from, ChunkFileWriter& to, std::vector<char>& buf) {
  int fd = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return makeError(ErrorCode::kIo, "cannot open " + from.string() + ": " + std::strerror(errno));
  }
  while (true) {
    ssize_t n = fdio::readOnce(fd, buf.data(), buf.size());
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return makeError(ErrorCode::kIo, "cannot read " + from.string() + ": " + std::strerror(err));
    }
    if (n == 0) break;
    if (!to.append(buf.data(), static_cast<std::size_t>(n))) {
      ::close(fd);
      return *to.error();
    }
  }
  ::close(fd);
  return okStatus();
}

}  // namespace

Result<AssembledFile> assembleChunkFiles(const std::map<int, fs::path>& chunkFiles,
                                         const fs::path& out, std::optional<HashAlgorithm> algo) {
  fs::path tmp = out;
  tmp += ".partial";
  std::error_code ec;
  fs::remove(tmp, ec);
  FASTIO_TRY_ASSIGN(auto writer, ChunkFileWriter::create(tmp, UINT64_MAX));
  writer->hashWith(HashAlgorithm::kMd5);
  if (algo) (writer)->hashWith(*algo);
  std::vector<char> buf(1 << 20);
  for (const auto& [order, path] : chunkFiles) {
    FASTIO_TRY(appendFile(path, *writer, buf));
  }
  FASTIO_TRY(writer->finish());
  FASTIO_TRY(durableRename(tmp, out));
  writer->release();
  AssembledFile result;
  result.bytes = writer->bytesWritten();
  result.md5 = writer->digest(HashAlgorithm::kMd5).value_or("");
  if (algo) result.digest = writer->digest(*algo).value_or("");
  return result;
}

}  // namespace fastio::emu
