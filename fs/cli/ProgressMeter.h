#pragma once
// Upload progress on a terminal: "  12.0 MiB / 64.0 MiB  18%  35.2 MiB/s", redrawn in place at
// most ten times a second. Silent when the stream is not a terminal.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>

#include "client/RemoteStore.h"

namespace fastio::cli {

class ProgressMeter final : public UploadObserver {
 public:
  ProgressMeter(uint64_t total, FILE* out, bool enabled);
  void onBytesSent(uint64_t totalBytesSent) override;
  void finish();  // ends the line if anything was drawn

 private:
  void draw(uint64_t sent);

  std::mutex mu_;
  uint64_t total_;
  FILE* out_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point lastDraw_{};
};

}  // namespace fastio::cli
