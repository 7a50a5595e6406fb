#pragma once
// Turns a session's committed chunks into one file: first checks that the chunks form a whole
// (orders 1..N without gaps, only the last one under the minimum, sizes adding up to the
// declared size), then concatenates them, hashing on the way, and fsyncs the result.

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "common/ContentDigest.h"
#include "common/Result.h"
#include "emulator/upload/UploadLimits.h"

namespace fastio::emu {

// An error (with API code 10522 for a size mismatch) or nothing when the layout is whole.
std::optional<Error> checkChunkLayout(const std::map<int, std::uint64_t>& chunks,
                                      std::uint64_t declaredSize, const UploadLimits& limits);

struct AssembledFile {
  std::uint64_t bytes = 0;
  std::string md5;     // always computed (State records it as the node hash)
  std::string digest;  // in the requested algo, when one was given
};

// Concatenates the chunk files in order into `out` (created anew, fsynced; a `.partial`
// sibling is renamed into place).
Result<AssembledFile> assembleChunkFiles(const std::map<int, std::filesystem::path>& chunkFiles,
                                         const std::filesystem::path& out,
                                         std::optional<HashAlgorithm> algo);

}  // namespace fastio::emu
