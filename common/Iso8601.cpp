#include "common/Iso8601.h"

#include <cstddef>

namespace fastio {
namespace {

bool readDigits(std::string_view s, std::size_t pos, std::size_t count, int& out) {
  if (pos + count > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

// "Z", "UTC", "+02:00", "-0500", "+02" or nothing (UTC); nullopt for anything else.
std::optional<long> offsetSeconds(std::string_view rest) {
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  if (rest.empty() || rest == "Z" || rest == "z" || rest == "UTC" || rest == "GMT") return 0;
  if ((rest.front() != '+' && rest.front() != '-') || rest.size() < 3) return std::nullopt;
  int hours = 0;
  int minutes = 0;
  const bool colon = rest.size() == 6 && rest[3] == ':';
  if (!readDigits(rest, 1, 2, hours) ||
      (rest.size() > 3 && !readDigits(rest, colon ? 4 : 3, 2, minutes)) || hours > 23 ||
      minutes > 59) {
    return std::nullopt;
  }
  return (hours * 3600L + minutes * 60L) * (rest.front() == '-' ? -1 : 1);
}

}  // namespace

std::optional<std::chrono::system_clock::time_point> parseIso8601(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (s.size() < 19 || !readDigits(s, 0, 4, y) || s[4] != '-' || !readDigits(s, 5, 2, mo) ||
      s[7] != '-' || !readDigits(s, 8, 2, d) || (s[10] != 'T' && s[10] != ' ' && s[10] != 't') ||
      !readDigits(s, 11, 2, h) || s[13] != ':' || !readDigits(s, 14, 2, mi) || s[16] != ':' ||
      !readDigits(s, 17, 2, sec)) {
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
  const std::optional<long> offset = offsetSeconds(rest);
  if (!offset) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{y},
                                        std::chrono::month{static_cast<unsigned>(mo)},
                                        std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  using Clock = std::chrono::system_clock;
  auto at = std::chrono::time_point_cast<Clock::duration>(std::chrono::sys_days{ymd}) +
            std::chrono::hours(h) + std::chrono::minutes(mi) + std::chrono::seconds(sec) -
            std::chrono::seconds(*offset);
  at += std::chrono::duration_cast<Clock::duration>(std::chrono::nanoseconds(nanos));
  return at;
}

}  // namespace fastio
