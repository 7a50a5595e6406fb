#include "emulator/intelligence/TextExtractor.h"

#include <algorithm>
#include <fstream>
#include <unordered_set>

#include "common/Utf8.h"
#include "emulator/intelligence/ChildProcess.h"
#include "emulator/intelligence/TextUtil.h"

namespace fastio::emu::intelligence {
namespace {

std::string extensionOf(std::string_view name) {
  const auto dot = name.rfind('.');
  if (dot == std::string_view::npos || dot + 1 == name.size()) return {};
  return asciiLower(name.substr(dot + 1));
}

bool isTextExtension(const std::string& ext) {
  static const std::unordered_set<std::string> kText = {
      "txt",        "text",     "md",    "markdown", "rst",     "csv",        "tsv",  "json",
      "jsonl",      "ndjson",   "xml",   "yaml",     "yml",     "toml",       "ini",  "cfg",
      "conf",       "log",      "tex",   "c",        "h",       "cc",         "cpp",  "cxx",
      "hpp",        "hh",       "py",    "js",       "mjs",     "ts",         "tsx",  "jsx",
      "java",       "kt",       "go",    "rs",       "rb",      "php",        "pl",   "sh",
      "bash",       "zsh",      "sql",   "css",      "scss",    "swift",      "cs",   "scala",
      "lua",        "r",        "m",     "proto",    "graphql", "properties", "env",  "gitignore",
      "dockerfile", "makefile", "cmake", "srt",      "vtt",     "org",        "adoc", "svg"};
  return kText.contains(ext);
}

bool isTextMimetype(std::string_view mimetype) {
  if (mimetype.starts_with("text/")) return true;
  static const std::unordered_set<std::string_view> kText = {
      "application/json",    "application/xml",  "application/javascript",
      "application/x-yaml",  "application/yaml", "application/sql",
      "application/x-sh",    "application/toml", "application/x-ndjson",
      "application/ld+json", "image/svg+xml",    "application/x-httpd-php"};
  const auto semicolon = mimetype.find(';');
  return kText.contains(mimetype.substr(0, semicolon));
}

// A file that claims to be text but holds NUL bytes early on is treated as binary.
bool looksBinary(std::string_view bytes) {
  return bytes.substr(0, 8192).find('\0') != std::string_view::npos;
}

Result<std::string> readCapped(const std::filesystem::path& file, size_t cap, bool& truncated) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return makeError(ErrorCode::kIo, "cannot read " + file.string());
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  // One byte past the cap tells a file that is exactly at the cap from a longer one.
  std::string bytes(ec ? cap + 1 : std::min<uintmax_t>(size, cap) + 1, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  bytes.resize(static_cast<size_t>(in.gcount()));
  truncated = bytes.size() > cap;
  if (truncated) bytes.resize(cap);
  return bytes;
}

void appendDecodedEntity(std::string_view entity, std::string& out) {
  static const std::pair<std::string_view, std::string_view> kNamed[] = {{"amp", "&"},
                                                                         {"lt", "<"},
                                                                         {"gt", ">"},
                                                                         {"quot", "\""},
                                                                         {"apos", "'"},
                                                                         {"nbsp", " "},
                                                                         {"mdash", "\xE2\x80\x94"},
                                                                         {"ndash", "\xE2\x80\x93"},
                                                                         {"hellip", "\xE2\x80\xA6"},
                                                                         {"copy", "\xC2\xA9"}};
  for (const auto& [name, value] : kNamed) {
    if (entity == name) {
      out.append(value);
      return;
    }
  }
  if (entity.size() > 1 && entity[0] == '#') {
    const bool hex = entity[1] == 'x' || entity[1] == 'X';
    unsigned long cp = 0;
    bool valid = entity.size() > (hex ? 2u : 1u) && entity.size() <= 10;
    for (size_t i = hex ? 2 : 1; valid && i < entity.size(); ++i) {
      const char c = entity[i];
      int digit = -1;
      if (c >= '0' && c <= '9') digit = c - '0';
      if (hex && c >= 'a' && c <= 'f') digit = c - 'a' + 10;
      if (hex && c >= 'A' && c <= 'F') digit = c - 'A' + 10;
      if (digit < 0) valid = false;
      cp = cp * (hex ? 16 : 10) + static_cast<unsigned long>(std::max(digit, 0));
    }
    if (valid && cp > 0 && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF)) {
      if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
      } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
      } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
      } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
      }
      return;
    }
  }
  out.push_back('&');
  out.append(entity);
  out.push_back(';');
}

bool startsWithIgnoreCase(std::string_view s, size_t at, std::string_view prefix) {
  if (at + prefix.size() > s.size()) return false;
  return asciiLower(s.substr(at, prefix.size())) == prefix;
}

std::string tagName(std::string_view html, size_t open) {
  size_t i = open + 1;
  if (i < html.size() && html[i] == '/') ++i;
  std::string name;
  while (i < html.size() && name.size() < 16 &&
         ((html[i] >= 'a' && html[i] <= 'z') || (html[i] >= 'A' && html[i] <= 'Z') ||
          (html[i] >= '0' && html[i] <= '9'))) {
    name.push_back(html[i++]);
  }
  return asciiLower(name);
}

bool isBlockTag(const std::string& name) {
  static const std::unordered_set<std::string> kBlock = {
      "p",      "div",    "br",  "li",         "ul",    "ol", "tr",      "table",
      "h1",     "h2",     "h3",  "h4",         "h5",    "h6", "section", "article",
      "header", "footer", "pre", "blockquote", "title", "hr"};
  return kBlock.contains(name);
}

}  // namespace

std::string ExtractedText::joined() const {
  std::string out;
  for (const auto& page : pages) {
    if (!out.empty()) out.append("\n\n");
    out.append(page.text);
  }
  return out;
}

ContentKind TextExtractor::classify(std::string_view name, std::string_view mimetype) {
  const std::string ext = extensionOf(name);
  if (ext == "pdf" || mimetype.starts_with("application/pdf")) return ContentKind::kPdf;
  if (ext == "html" || ext == "htm" || ext == "xhtml" || mimetype.starts_with("text/html") ||
      mimetype.starts_with("application/xhtml")) {
    return ContentKind::kHtml;
  }
  if (isTextExtension(ext) || isTextMimetype(mimetype)) return ContentKind::kText;
  const std::string lowerName = asciiLower(name);
  if (lowerName == "readme" || lowerName == "license" || lowerName == "makefile" ||
      lowerName == "dockerfile") {
    return ContentKind::kText;
  }
  return ContentKind::kUnsupported;
}

Result<ExtractedText> TextExtractor::extract(const std::filesystem::path& file,
                                             std::string_view name,
                                             std::string_view mimetype) const {
  const ContentKind kind = classify(name, mimetype);
  if (kind == ContentKind::kUnsupported) return ExtractedText{};
  if (kind == ContentKind::kPdf) return extractPdf(file);
  bool truncated = false;
  FASTIO_TRY_ASSIGN(auto bytes, readCapped(file, options_.maxTextBytes, truncated));
  ExtractedText text = extractText(bytes, kind);
  text.truncated = text.truncated || truncated;
  return text;
}

ExtractedText TextExtractor::extractText(std::string_view bytes, ContentKind kind) const {
  ExtractedText result;
  if (kind != ContentKind::kText && kind != ContentKind::kHtml) return result;
  if (looksBinary(bytes)) return result;
  result.kind = kind;
  if (bytes.size() > options_.maxTextBytes) {
    bytes = utf8::prefix(bytes, options_.maxTextBytes);
    result.truncated = true;
  }
  if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
  const std::string clean =
      sanitizeUtf8(kind == ContentKind::kHtml ? std::string_view(htmlToText(bytes)) : bytes);
  result.pages = paginate(clean);
  return result;
}

Result<ExtractedText> TextExtractor::extractPdf(const std::filesystem::path& file) const {
  auto output =
      runChild({options_.pdftotextPath, "-layout", "-enc", "UTF-8", "-q", file.string(), "-"},
               options_.pdfTimeout, options_.maxTextBytes);
  if (!output.ok()) return output.error();
  if (!output->truncated && output->exitCode != 0) {
    return makeError(ErrorCode::kInvalid, "pdftotext could not read " + file.filename().string() +
                                              " (exit " + std::to_string(output->exitCode) + ")");
  }
  ExtractedText result;
  result.kind = ContentKind::kPdf;
  result.truncated = output->truncated;
  // pdftotext ends every page with a form feed, so piece i is page i+1 (empty pages included).
  const std::string clean = sanitizeUtf8(output->out);
  std::string_view rest = clean;
  int number = 1;
  while (!rest.empty()) {
    const auto ff = rest.find('\f');
    const std::string_view page = rest.substr(0, ff);
    if (!collapseWhitespace(page).empty()) result.pages.push_back({number, std::string(page)});
    if (ff == std::string_view::npos) break;
    rest.remove_prefix(ff + 1);
    ++number;
  }
  return result;
}

std::vector<TextPage> TextExtractor::paginate(std::string_view text) const {
  std::vector<TextPage> pages;
  int number = 1;
  const size_t limit = std::max<size_t>(options_.pageChars, 64);
  auto addPage = [&](std::string_view page) {
    if (!collapseWhitespace(page).empty()) pages.push_back({number, std::string(page)});
    ++number;
  };
  while (!text.empty()) {
    const auto ff = text.find('\f');
    std::string_view section = text.substr(0, ff);
    // Long sections are cut at a paragraph, line or word boundary near the limit.
    while (section.size() > limit) {
      std::string_view window = utf8::prefix(section, limit);
      size_t cut = window.rfind("\n\n");
      if (cut == std::string_view::npos || cut < limit / 2) cut = window.rfind('\n');
      if (cut == std::string_view::npos || cut < limit / 2) cut = window.rfind(' ');
      if (cut == std::string_view::npos || cut < limit / 2) cut = window.size();
      addPage(section.substr(0, cut));
      section.remove_prefix(cut);
    }
    addPage(section);
    if (ff == std::string_view::npos) break;
    text.remove_prefix(ff + 1);
  }
  return pages;
}

std::string htmlToText(std::string_view html) {
  std::string out;
  out.reserve(html.size() / 2);
  size_t i = 0;
  while (i < html.size()) {
    const char c = html[i];
    if (c == '<') {
      if (html.substr(i).starts_with("<!--")) {
        const auto end = html.find("-->", i + 4);
        i = end == std::string_view::npos ? html.size() : end + 3;
        continue;
      }
      const std::string name = tagName(html, i);
      const bool closing = i + 1 < html.size() && html[i + 1] == '/';
      const bool markup = !name.empty() || closing ||
                          (i + 1 < html.size() && (html[i + 1] == '!' || html[i + 1] == '?'));
      if (!markup) {  // a bare '<' in text, as in "a < b"
        out.push_back(c);
        ++i;
        continue;
      }
      const auto end = html.find('>', i);
      i = end == std::string_view::npos ? html.size() : end + 1;
      if (!closing && (name == "script" || name == "style")) {
        // Skip to the matching closing tag.
        size_t j = i;
        while (j < html.size() && !(html[j] == '<' && startsWithIgnoreCase(html, j, "</" + name))) {
          ++j;
        }
        i = j;
        continue;
      }
      if (isBlockTag(name)) out.push_back('\n');
      continue;
    }
    if (c == '&') {
      const auto semicolon = html.find(';', i);
      if (semicolon != std::string_view::npos && semicolon - i <= 10) {
        appendDecodedEntity(html.substr(i + 1, semicolon - i - 1), out);
        i = semicolon + 1;
        continue;
      }
    }
    out.push_back(c);
    ++i;
  }
  return out;
}

}  // namespace fastio::emu::intelligence
