#include "emulator/intelligence/TextUtil.h"

#include <cstdint>
#include <unordered_set>

namespace fastio::emu::intelligence {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is not valid.
size_t validSequenceLength(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char lead = byte(i);
  size_t length = 0;
  uint32_t minimum = 0;
  uint32_t codepoint = 0;
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, minimum = 0x80, codepoint = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, minimum = 0x800, codepoint = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, minimum = 0x10000, codepoint = lead & 0x07;
  } else {
    return 0;
  }
  if (i + length > s.size()) return 0;
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    codepoint = (codepoint << 6) | (byte(i + k) & 0x3F);
  }
  if (codepoint < minimum || codepoint > 0x10FFFF) return 0;
  if (codepoint >= 0xD800 && codepoint <= 0xDFFF) return 0;
  return length;
}

bool isWordByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

}  // namespace

std::string sanitizeUtf8(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size();) {
    const auto c = static_cast<unsigned char>(in[i]);
    if (c == '\r') {
      out.push_back('\n');
      i += (i + 1 < in.size() && in[i + 1] == '\n') ? 2 : 1;
      continue;
    }
    if (c < 0x20 || c == 0x7F) {
      if (c == '\t' || c == '\n' || c == '\f') out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    const size_t length = validSequenceLength(in, i);
    if (length == 0) {
      out.append(kReplacement);
      ++i;
      continue;
    }
    out.append(in.substr(i, length));
    i += length;
  }
  return out;
}

std::string collapseWhitespace(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  bool pendingSpace = false;
  for (const char ch : in) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\v' || c == '\r') {
      pendingSpace = !out.empty();
      continue;
    }
    if (pendingSpace) out.push_back(' ');
    pendingSpace = false;
    out.push_back(ch);
  }
  return out;
}

std::string_view utf8Prefix(std::string_view s, size_t maxBytes) {
  if (s.size() <= maxBytes) return s;
  size_t end = maxBytes;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end);
}

std::string asciiLower(std::string_view s) {
  std::string out(s);
  for (char& ch : out) {
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  }
  return out;
}

std::vector<std::string> splitWords(std::string_view s) {
  std::vector<std::string> words;
  std::string current;
  for (const char ch : s) {
    if (isWordByte(static_cast<unsigned char>(ch))) {
      current.push_back(ch);
    } else if (!current.empty()) {
      words.push_back(asciiLower(current));
      current.clear();
    }
  }
  if (!current.empty()) words.push_back(asciiLower(current));
  return words;
}

bool isStopword(std::string_view lowerWord) {
  static const std::unordered_set<std::string_view> kStopwords = {
      "a",     "about",   "all",      "an",        "and",       "any",   "are",   "as",   "at",
      "be",    "been",    "but",      "by",        "can",       "could", "did",   "do",   "does",
      "for",   "from",    "had",      "has",       "have",      "how",   "i",     "if",   "in",
      "into",  "is",      "it",       "its",       "me",        "my",    "of",    "on",   "or",
      "our",   "please",  "should",   "so",        "some",      "tell",  "than",  "that", "the",
      "their", "them",    "then",     "there",     "these",     "they",  "this",  "to",   "us",
      "was",   "we",      "were",     "what",      "when",      "where", "which", "who",  "whom",
      "why",   "will",    "with",     "would",     "you",       "your",  "show",  "give", "find",
      "list",  "explain", "describe", "summarize", "summarise", "know"};
  return kStopwords.contains(lowerWord);
}

std::vector<std::string> queryTerms(std::string_view query, size_t maxTerms) {
  std::vector<std::string> all = splitWords(query);
  std::vector<std::string> kept;
  std::unordered_set<std::string> seen;
  for (const auto& word : all) {
    if (!isStopword(word) && seen.insert(word).second) kept.push_back(word);
  }
  if (kept.empty()) {
    for (const auto& word : all) {
      if (seen.insert(word).second) kept.push_back(word);
    }
  }
  if (kept.size() > maxTerms) kept.resize(maxTerms);
  return kept;
}

std::string ftsOrExpression(const std::vector<std::string>& terms) {
  std::string expression;
  for (const auto& term : terms) {
    if (!expression.empty()) expression += " OR ";
    expression.push_back('"');
    for (const char ch : term) {
      if (ch == '"') expression.push_back('"');  // words never contain quotes; doubled if they did
      expression.push_back(ch);
    }
    expression.push_back('"');
  }
  return expression;
}

}  // namespace fastio::emu::intelligence
