#include "client/testing/TextScoring.h"

#include <algorithm>
#include <cctype>

#include "common/Utf8.h"

namespace fastio::testing {
namespace {

bool isWordByte(unsigned char c) {
  return c >= 0x80 || std::isalnum(c) != 0;
}

}  // namespace

std::string toLowerAscii(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string> searchTerms(std::string_view text) {
  std::vector<std::string> terms;
  std::string current;
  auto flush = [&] {
    if (!current.empty() && std::find(terms.begin(), terms.end(), current) == terms.end()) {
      terms.push_back(current);
    }
    current.clear();
  };
  for (unsigned char c : text) {
    if (isWordByte(c)) {
      current.push_back(static_cast<char>(std::tolower(c)));
    } else {
      flush();
    }
  }
  flush();
  return terms;
}

std::size_t countOccurrences(std::string_view haystackLower, std::string_view termLower,
                             std::size_t cap) {
  if (termLower.empty()) return 0;
  std::size_t count = 0;
  std::size_t pos = haystackLower.find(termLower);
  while (pos != std::string_view::npos && count < cap) {
    ++count;
    pos = haystackLower.find(termLower, pos + termLower.size());
  }
  return count;
}

bool looksLikeText(std::string_view content) {
  return content.substr(0, 8192).find('\0') == std::string_view::npos;
}

std::string snippetAround(std::string_view text, const std::vector<std::string>& termsLower,
                          std::size_t maxBytes) {
  const std::string lower = toLowerAscii(text);
  std::size_t hit = std::string::npos;
  for (const std::string& term : termsLower) {
    hit = std::min(hit, lower.find(term));
  }
  if (hit == std::string::npos) hit = 0;
  std::size_t begin = hit > maxBytes / 3 ? hit - maxBytes / 3 : 0;
  if (begin > 0) {
    const std::size_t space = text.find_first_of(" \n\t", begin);
    if (space != std::string_view::npos && space < hit) begin = space + 1;
  }
  std::size_t end = std::min(text.size(), begin + maxBytes);
  if (end < text.size()) {
    const std::size_t space = text.find_last_of(" \n\t", end);
    if (space != std::string_view::npos && space > hit) end = space;
  }
  // Never cut a UTF-8 sequence in half.
  begin = std::min(utf8::boundaryAtOrAfter(text, begin), end);
  end = std::max(utf8::prefix(text, end).size(), begin);
  std::string out(text.substr(begin, end - begin));
  for (char& c : out) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return out;
}

}  // namespace fastio::testing
