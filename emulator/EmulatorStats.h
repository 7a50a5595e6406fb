#pragma once
// Request counters for tests (GET /_emulator/stats): how often the emulator was asked to do
// what since it started or since the last POST /_emulator/stats/reset, so a test can assert
// that a client made (or did not make) a call. Lock-free; every route thread adds to it.

#include <array>
#include <atomic>
#include <cstdint>
#include <nlohmann/json.hpp>

namespace fastio::emu {

class EmulatorStats {
 public:
  enum class Counter {
    kRequestsTotal,          // every /current/ request, faulted or not
    kUploadSessionsCreated,  // POST /upload/ without a chunk part, answered 200
    kSingleCallUploads,      // POST /upload/ with a chunk part, answered 200
    kChunksReceived,         // chunks committed (answered 200)
    kChunkBytesReceived,     // their bytes
    kUploadsCompleted,       // POST /upload/{id}/complete/ answered 200
    kUploadsStored,          // uploads that reached `stored` (single calls included)
    kUploadsCancelled,       // sessions cancelled by DELETE /upload/{id}/ or DELETE /upload/
    kStorageDeletes,         // DELETE storage/{id}/delete/ answered 200
    kStorageRenames,         // update/ with a name, answered 200
    kStorageMoves,           // move/ answered 200
    kFoldersCreated,         // createfolder/ answered 200 (returning an existing folder too)
    kDetailsRequests,        // GET storage/{ids}/details/, whatever the answer
    kListRequests,           // GET storage/{folder}/list/, whatever the answer
    kDownloads,              // GET read/ answered 200 or 206
    kDownloadBytes,          // body bytes those downloads sent
    kCount,
  };

  void add(Counter counter, std::uint64_t n = 1) {
    values_[static_cast<std::size_t>(counter)].fetch_add(n, std::memory_order_relaxed);
  }
  std::uint64_t get(Counter counter) const {
    return values_[static_cast<std::size_t>(counter)].load(std::memory_order_relaxed);
  }
  void reset();
  // {"requests_total": N, "upload_sessions_created": N, ...}: every counter, snake_case.
  nlohmann::json toJson() const;

 private:
  std::array<std::atomic<std::uint64_t>, static_cast<std::size_t>(Counter::kCount)> values_{};
};

}  // namespace fastio::emu
