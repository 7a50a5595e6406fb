#pragma once
// The limits GET /upload/limits/ reports, and that the upload routes enforce (a paid plan's
// values from fastio-api.md §6.1; the emulator does not model plans).

#include <cstdint>

namespace fastio::emu {

struct UploadLimits {
  static constexpr std::uint64_t kMiB = 1024 * 1024;
  static constexpr std::uint64_t kGiB = 1024 * kMiB;

  std::uint64_t singleCallMax = 4 * kMiB;  // a chunk part in POST /upload/ itself
  std::uint64_t chunkSizeMax = 100 * kMiB;
  std::uint64_t chunkSizeMin = 1 * kMiB;  // every chunk but the last
  int maxChunks = 550;
  std::uint64_t fileSizeMax = 100 * kGiB;
  int chunksInFlight = 3;  // concurrent chunk requests per session; the 4th gets 429
  int sessionsMax = 7500;  // unfinished sessions per user
  std::uint64_t sessionsSizeMax = 320 * kGiB;  // declared bytes of unfinished sessions per user
  int longPollMaxSeconds = 590;
  int finishedRetentionSec = 24 * 3600;  // finished sessions are forgotten after this
};

}  // namespace fastio::emu
