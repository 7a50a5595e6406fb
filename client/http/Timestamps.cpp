#include "client/http/Timestamps.h"

#include <charconv>
#include <chrono>
#include <cmath>

namespace fastio::http {
namespace {

bool readInt(std::string_view s, size_t pos, size_t len, int& out) {
  if (pos + len > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + len; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

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
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!readInt(s, 0, 4, y) || s.size() < 19 || s[4] != '-' || !readInt(s, 5, 2, mo) ||
      s[7] != '-' || !readInt(s, 8, 2, d) || (s[10] != 'T' && s[10] != ' ' && s[10] != 't') ||
      !readInt(s, 11, 2, h) || s[13] != ':' || !readInt(s, 14, 2, mi) || s[16] != ':' ||
      !readInt(s, 17, 2, sec)) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  std::string_view rest = s.substr(19);
  long long nanos = 0;
  if (!rest.empty() && rest.front() == '.') {
    rest.remove_prefix(1);
    int digits = 0;
    while (!rest.empty() && rest.front() >= '0' && rest.front() <= '9') {
      if (digits < 9) nanos = nanos * 10 + (rest.front() - '0');
      ++digits;
      rest.remove_prefix(1);
    }
    for (int i = digits; i < 9; ++i) nanos *= 10;
  }
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  long offsetSeconds = 0;
  if (rest.empty() || rest == "Z" || rest == "z" || rest == "UTC" || rest == "GMT" ||
      rest == "+00:00") {
    offsetSeconds = 0;
  } else if ((rest.front() == '+' || rest.front() == '-') && rest.size() >= 3) {
    int oh = 0, om = 0;
    const bool colon = rest.size() == 6 && rest[3] == ':';
    if (!readInt(rest, 1, 2, oh) || (rest.size() > 3 && !readInt(rest, colon ? 4 : 3, 2, om)) ||
        oh > 23 || om > 59) {
      return std::nullopt;
    }
    offsetSeconds = (oh * 3600L + om * 60L) * (rest.front() == '-' ? -1 : 1);
  } else {
    return std::nullopt;
  }
  const std::chrono::year_month_day ymd{std::chrono::year{y},
                                        std::chrono::month{static_cast<unsigned>(mo)},
                                        std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  const auto days = std::chrono::sys_days{ymd};
  auto tp = std::chrono::time_point_cast<WallTime::duration>(days) + std::chrono::hours(h) +
            std::chrono::minutes(mi) + std::chrono::seconds(sec) -
            std::chrono::seconds(offsetSeconds);
  tp += std::chrono::duration_cast<WallTime::duration>(std::chrono::nanoseconds(nanos));
  return tp;
}

}  // namespace fastio::http
