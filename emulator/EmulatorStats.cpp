#include "emulator/EmulatorStats.h"

#include <string_view>

namespace fastio::emu {
namespace {

constexpr std::array<std::string_view, static_cast<std::size_t>(EmulatorStats::Counter::kCount)>
    kNames = {
        "requests_total",   "upload_sessions_created", "single_call_uploads",
        "chunks_received",  "chunk_bytes_received",    "uploads_completed",
        "uploads_stored",   "uploads_cancelled",       "storage_deletes",
        "storage_renames",  "storage_moves",           "folders_created",
        "details_requests", "list_requests",           "downloads",
        "download_bytes",
};

}  // namespace

void EmulatorStats::reset() {
  for (auto& value : values_) value.store(0, std::memory_order_relaxed);
}

nlohmann::json EmulatorStats::toJson() const {
  nlohmann::json out = nlohmann::json::object();
  for (std::size_t i = 0; i < values_.size(); ++i) {
    out[std::string(kNames[i])] = values_[i].load(std::memory_order_relaxed);
  }
  return out;
}

}  // namespace fastio::emu
