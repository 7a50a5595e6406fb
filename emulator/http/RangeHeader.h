#pragma once
// Parsing of a single HTTP byte range ("bytes=a-b", "bytes=a-", "bytes=-n") against a size.

#include <cstdint>
#include <optional>
#include <string>

namespace fastio::emu::http {

struct ByteRange {
  std::int64_t first = 0;
  std::int64_t length = 0;
};

enum class RangeKind { kNone, kSingle, kUnsatisfiable, kIgnored };

struct RangeRequest {
  RangeKind kind = RangeKind::kNone;
  ByteRange range;
};

// kNone: no header. kIgnored: malformed or several ranges (served whole, as RFC 9110 allows).
// kUnsatisfiable: starts at or beyond the end (416).
RangeRequest parseRange(const std::string& header, std::int64_t size);

}  // namespace fastio::emu::http
