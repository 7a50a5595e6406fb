#include "fs/cli/ProgressMeter.h"

namespace fastio::cli {

std::string humanBytes(uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024.0 && u < 4) {
    v /= 1024.0;
    ++u;
  }
  char buf[32];
  if (u == 0) {
    std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
  } else {
    std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
  }
  return buf;
}

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
  std::fprintf(out_, "\r  %s / %s  %3d%%  %s/s   ", humanBytes(sent).c_str(),
               humanBytes(total_).c_str(), percent,
               humanBytes(static_cast<uint64_t>(rate)).c_str());
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
