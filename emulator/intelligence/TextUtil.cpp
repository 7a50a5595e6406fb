#include "emulator/intelligence/TextUtil.h"

#include <cstdint>
#include <unordered_set>

#include "common/Utf8.h"

namespace fastio::emu::intelligence {
namespace {

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
    const size_t length = utf8::sequenceLength(in, i);
    if (length == 0) {
      out.append(utf8::kReplacementCharacter);
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
