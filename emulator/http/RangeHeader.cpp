#include "emulator/http/RangeHeader.h"

#include <charconv>

namespace fastio::emu::http {

namespace {

std::optional<std::int64_t> number(const std::string& s) {
  if (s.empty()) return std::nullopt;
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

}  // namespace

RangeRequest parseRange(const std::string& header, std::int64_t size) {
  RangeRequest out;
  if (header.empty()) return out;
  out.kind = RangeKind::kIgnored;
  const std::string prefix = "bytes=";
  if (header.compare(0, prefix.size(), prefix) != 0) return out;
  std::string spec = header.substr(prefix.size());
  while (!spec.empty() && spec.front() == ' ') spec.erase(spec.begin());
  while (!spec.empty() && spec.back() == ' ') spec.pop_back();
  if (spec.find(',') != std::string::npos) return out;
  auto dash = spec.find('-');
  if (dash == std::string::npos) return out;
  auto firstText = spec.substr(0, dash);
  auto lastText = spec.substr(dash + 1);
  if (firstText.empty()) {
    auto suffix = number(lastText);
    if (!suffix) return out;
    if (*suffix == 0 || size == 0) {
      out.kind = RangeKind::kUnsatisfiable;
      return out;
    }
    std::int64_t len = std::min(*suffix, size);
    out.kind = RangeKind::kSingle;
    out.range = {size - len, len};
    return out;
  }
  auto first = number(firstText);
  if (!first) return out;
  std::int64_t last = size - 1;
  if (!lastText.empty()) {
    auto l = number(lastText);
    if (!l || *l < *first) return out;
    last = std::min(*l, size - 1);
  }
  if (*first >= size) {
    out.kind = RangeKind::kUnsatisfiable;
    return out;
  }
  out.kind = RangeKind::kSingle;
  out.range = {*first, last - *first + 1};
  return out;
}

}  // namespace fastio::emu::http
