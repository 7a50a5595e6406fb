#include "common/Utf8.h"

#include <cstdint>

namespace fastio::utf8 {
namespace {

bool isContinuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// The code point of the valid sequence at text[at] and its length (0 when invalid).
std::size_t decodeAt(std::string_view text, std::size_t at, char32_t& codePoint) {
  const auto lead = static_cast<unsigned char>(text[at]);
  std::size_t length = 0;
  char32_t smallest = 0;
  if (lead < 0x80) {
    codePoint = lead;
    return 1;
  }
  if ((lead & 0xE0) == 0xC0) {
    length = 2, smallest = 0x80, codePoint = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, smallest = 0x800, codePoint = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, smallest = 0x10000, codePoint = lead & 0x07;
  } else {
    return 0;
  }
  if (at + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if (!isContinuation(text[at + k])) return 0;
    codePoint = (codePoint << 6) | (static_cast<unsigned char>(text[at + k]) & 0x3F);
  }
  if (codePoint < smallest || codePoint > 0x10FFFF) return 0;
  if (codePoint >= 0xD800 && codePoint <= 0xDFFF) return 0;
  return length;
}

// The length of the valid prefix.
std::size_t validPrefixLength(std::string_view text) {
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t n = sequenceLength(text, at);
    if (n == 0) break;
    at += n;
  }
  return at;
}

}  // namespace

std::size_t sequenceLength(std::string_view text, std::size_t at) {
  char32_t ignored = 0;
  return decodeAt(text, at, ignored);
}

bool isValid(std::string_view text) {
  return validPrefixLength(text) == text.size();
}

std::optional<std::u32string> decode(std::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  for (std::size_t at = 0; at < text.size();) {
    char32_t codePoint = 0;
    const std::size_t n = decodeAt(text, at, codePoint);
    if (n == 0) return std::nullopt;
    out.push_back(codePoint);
    at += n;
  }
  return out;
}

std::optional<std::string> repair(std::string_view text) {
  std::size_t at = validPrefixLength(text);
  if (at == text.size()) return std::nullopt;
  std::string out(text.substr(0, at));
  while (at < text.size()) {
    const std::size_t n = sequenceLength(text, at);
    if (n == 0) {
      out += kReplacementCharacter;
      ++at;
    } else {
      out.append(text.substr(at, n));
      at += n;
    }
  }
  return out;
}

std::string_view prefix(std::string_view text, std::size_t maxBytes) {
  if (text.size() <= maxBytes) return text;
  std::size_t cut = maxBytes;
  while (cut > 0 && isContinuation(text[cut])) --cut;
  return text.substr(0, cut);
}

std::size_t boundaryAtOrAfter(std::string_view text, std::size_t at) {
  while (at < text.size() && isContinuation(text[at])) ++at;
  return at < text.size() ? at : text.size();
}

std::size_t length(std::string_view text) {
  std::size_t n = 0;
  for (const char c : text) n += isContinuation(c) ? 0 : 1;
  return n;
}

}  // namespace fastio::utf8
