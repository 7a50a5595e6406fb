#include "fs/cli/ProgressMeter.h"

#include "fs/HumanBytes.h"

namespace fastio::cli {

ProgressMeter::ProgressMeter(uint64_t total, FILE* out, bool enabled)
    : total_(total), out_(out), enabled_(enabled), start_(std::chrono::steady_clock::now()) {}

void ProgressMeter::onBytesSent(uint64_t sent) {
  if (!enabled_) return;
  std::lock_guard lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  if (sent < total_ && now - lastDraw_ < std::chrono::milliseconds(100)) return;
  lastDraw_ = now;
  draw(sent);
}

void ProgressMeter::draw(uint64_t sent) {
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = seconds > 0 ? static_cast<double>(sent) / seconds : 0.0;
  const int percent =
      total_ == 0
          ? 100
          : static_cast<int>(100.0 * static_cast<double>(sent) / static_cast<double>(total_));
  std::fprintf(out_, "\r  %s / %s  %3d%%  %s/s   ", fs::humanBytes(sent).c_str(),
               fs::humanBytes(total_).c_str(), percent,
               fs::humanBytes(static_cast<uint64_t>(rate)).c_str());
  std::fflush(out_);
  drawn_ = true;
}

void ProgressMeter::finish() {
  std::lock_guard lock(mu_);
  if (drawn_) {
    std::fputc('\n', out_);
    std::fflush(out_);
  }
}

}  // namespace fastio::cli
