#include "emulator/intelligence/Summarizer.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <vector>

#include "common/Utf8.h"
#include "emulator/intelligence/TextUtil.h"

namespace fastio::emu::intelligence {
namespace {

constexpr size_t kMaxSentences = 4000;  // bounds the work on very large documents

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Markdown decoration at the start of a line: headings, bullets, quotes.
std::string_view stripLineMarkup(std::string_view line) {
  for (;;) {
    line = trim(line);
    if (line.starts_with("[ ]") || line.starts_with("[x]") || line.starts_with("[X]")) {
      line.remove_prefix(3);  // a task-list checkbox
      continue;
    }
    if (!line.empty() && (line.front() == '#' || line.front() == '>' || line.front() == '*' ||
                          line.front() == '-' || line.front() == '=')) {
      line.remove_prefix(1);
      continue;
    }
    return line;
  }
}

bool hasLetters(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u >= 0x80;
  });
}

std::string fileStem(std::string_view name) {
  const auto dot = name.rfind('.');
  return std::string(dot == std::string_view::npos || dot == 0 ? name : name.substr(0, dot));
}

std::string pickTitle(std::string_view text, std::string_view fileName) {
  std::string_view rest = text;
  std::string firstShortLine;
  for (int lines = 0; !rest.empty() && lines < 50; ++lines) {
    const auto nl = rest.find('\n');
    const std::string_view raw = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    const std::string_view line = trim(raw);
    if (line.empty() || !hasLetters(line)) continue;
    if (line.starts_with("#")) return std::string(utf8::prefix(stripLineMarkup(line), 100));
    if (firstShortLine.empty() && line.size() <= 100) {
      firstShortLine = collapseWhitespace(stripLineMarkup(line));
    }
  }
  if (!firstShortLine.empty()) return firstShortLine;
  return std::string(utf8::prefix(fileStem(fileName), 100));
}

// Sentences: split at . ! ? followed by whitespace, and at line breaks that end a line which
// does not continue a sentence (lists, headings, CSV rows).
std::vector<std::string> splitSentences(std::string_view text) {
  std::vector<std::string> sentences;
  std::string current;
  auto flush = [&] {
    std::string s = collapseWhitespace(stripLineMarkup(current));
    if (hasLetters(s) && sentences.size() < kMaxSentences) sentences.push_back(std::move(s));
    current.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool atEnd = i + 1 == text.size();
    const char next = atEnd ? ' ' : text[i + 1];
    if (c == '\n' || c == '\f') {
      // A blank line, or a short line (a heading or list item), ends the sentence.
      if (next == '\n' || current.size() < 80 || next == '-' || next == '*' || next == '#') {
        flush();
      } else {
        current.push_back(' ');
      }
      continue;
    }
    current.push_back(c);
    if ((c == '.' || c == '!' || c == '?') && (next == ' ' || next == '\n' || next == '\t')) {
      flush();
    }
  }
  flush();
  return sentences;
}

std::string joinWithin(const std::vector<std::string>& sentences, const std::vector<size_t>& order,
                       size_t maxBytes) {
  std::string out;
  for (const size_t i : order) {
    const std::string& s = sentences[i];
    const size_t needed = s.size() + (out.empty() ? 0 : 1);
    if (out.size() + needed > maxBytes) {
      if (out.empty()) out = std::string(utf8::prefix(s, maxBytes - 3)) + "\xE2\x80\xA6";
      break;
    }
    if (!out.empty()) out.push_back(' ');
    out += s;
  }
  return out;
}

}  // namespace

Summary Summarizer::summarize(std::string_view text, std::string_view fileName) {
  Summary summary;
  summary.title = pickTitle(text, fileName);
  const auto sentences = splitSentences(text);
  if (sentences.empty()) return summary;

  std::unordered_map<std::string, double> frequency;
  std::vector<std::vector<std::string>> words(sentences.size());
  for (size_t i = 0; i < sentences.size(); ++i) {
    for (auto& w : splitWords(sentences[i])) {
      if (w.size() < 3 || isStopword(w)) continue;
      frequency[w] += 1;
      words[i].push_back(std::move(w));
    }
  }
  std::vector<double> score(sentences.size(), 0);
  for (size_t i = 0; i < sentences.size(); ++i) {
    for (const auto& w : words[i]) score[i] += frequency[w];
    score[i] /= std::sqrt(static_cast<double>(words[i].size()) + 1.0);
    score[i] *= 1.0 + 0.5 / static_cast<double>(i + 1);  // early sentences introduce the topic
    if (sentences[i] == summary.title) score[i] *= 0.2;  // the title is already said
    if (words[i].size() < 4) score[i] *= 0.3;            // headings and fragments say little
  }
  std::vector<size_t> ranked(sentences.size());
  for (size_t i = 0; i < ranked.size(); ++i) ranked[i] = i;
  std::stable_sort(ranked.begin(), ranked.end(),
                   [&](size_t a, size_t b) { return score[a] > score[b]; });

  auto inDocumentOrder = [&](size_t count) {
    std::vector<size_t> chosen(ranked.begin(),
                               ranked.begin() + static_cast<long>(std::min(count, ranked.size())));
    std::sort(chosen.begin(), chosen.end());
    return chosen;
  };
  summary.shortText = joinWithin(sentences, inDocumentOrder(2), kShortBytes);
  summary.longText = joinWithin(sentences, inDocumentOrder(12), kLongBytes);
  return summary;
}

}  // namespace fastio::emu::intelligence
