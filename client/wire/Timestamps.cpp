#include "client/wire/Timestamps.h"

#include <charconv>
#include <chrono>
#include <cmath>

#include "common/Iso8601.h"

namespace fastio::http {
namespace {

bool allDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

std::optional<WallTime> epochToWallTime(double value) {
  if (!std::isfinite(value) || value < 0 || value > 1e15) return std::nullopt;
  // Values past the year 33658 in seconds are milliseconds.
  const double seconds = value > 1e12 ? value / 1000.0 : value;
  return WallTime{} +
         std::chrono::duration_cast<WallTime::duration>(std::chrono::duration<double>(seconds));
}

std::optional<WallTime> parseTimestamp(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (allDigits(s) && s.size() <= 15) {
    double v = 0;
    std::from_chars(s.data(), s.data() + s.size(), v);
    return epochToWallTime(v);
  }
  return parseIso8601(s);
}

}  // namespace fastio::http
