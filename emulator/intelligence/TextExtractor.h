#pragma once
// Extracts searchable text from a stored file: text-like files by mimetype or extension (HTML
// stripped of tags), PDFs through `pdftotext -layout`, anything else is ignored. The text is
// split into pages: a form feed starts a page, and a text page longer than kPageChars is split.

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/Result.h"

namespace fastio::emu::intelligence {

struct TextPage {
  int number = 1;  // 1-based
  std::string text;
};

enum class ContentKind { kText, kHtml, kPdf, kUnsupported };

struct ExtractedText {
  ContentKind kind = ContentKind::kUnsupported;
  std::vector<TextPage> pages;  // empty for unsupported files
  bool truncated = false;       // the text reached the cap and the rest was ignored

  std::string joined() const;  // all pages, separated by blank lines
};

struct ExtractorOptions {
  size_t maxTextBytes = 8 * 1024 * 1024;
  size_t pageChars = 3000;
  std::chrono::milliseconds pdfTimeout{20000};
  std::string pdftotextPath = "pdftotext";
};

class TextExtractor {
 public:
  explicit TextExtractor(ExtractorOptions options = {}) : options_(std::move(options)) {}

  // name is the file's name (for its extension); mimetype may be empty.
  static ContentKind classify(std::string_view name, std::string_view mimetype);

  // Unsupported or binary content is not an error: it yields no pages.
  Result<ExtractedText> extract(const std::filesystem::path& file, std::string_view name,
                                std::string_view mimetype) const;

  // The same for bytes already in memory (text and HTML only).
  ExtractedText extractText(std::string_view bytes, ContentKind kind) const;

 private:
  Result<ExtractedText> extractPdf(const std::filesystem::path& file) const;
  std::vector<TextPage> paginate(std::string_view text) const;

  ExtractorOptions options_;
};

// Visible text of an HTML document: tags, comments, scripts and styles removed, block elements
// turned into line breaks, common entities decoded.
std::string htmlToText(std::string_view html);

}  // namespace fastio::emu::intelligence
