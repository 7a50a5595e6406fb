#include "client/testing/NameRules.h"

#include <array>
#include <cctype>
#include <utility>

namespace fastio::testing {
namespace {

constexpr std::size_t kMaxNameCodePoints = 255;

std::size_t countCodePoints(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

// Zero-width and bidirectional-control characters, which the service refuses in names.
bool containsInvisibleFormatting(std::string_view s) {
  static constexpr std::array<std::string_view, 15> kForbidden = {
      "\u200B", "\u200C", "\u200D", "\u200E", "\u200F", "\u202A", "\u202B", "\u202C",
      "\u202D", "\u202E", "\u2066", "\u2067", "\u2068", "\u2069", "\uFEFF",
  };
  for (std::string_view f : kForbidden) {
    if (s.find(f) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace

std::optional<std::string> nodeNameProblem(std::string_view name) {
  if (name.empty()) return "the name is empty";
  if (name == "." || name == "..") return "the name '" + std::string(name) + "' is reserved";
  if (countCodePoints(name) > kMaxNameCodePoints) return "the name is longer than 255 characters";
  for (unsigned char c : name) {
    if (c == '/' || c == '\\') return "the name contains a path separator";
    if (c < 0x20 || c == 0x7F) return "the name contains a control character";
  }
  if (containsInvisibleFormatting(name)) return "the name contains an invisible format character";
  const char last = name.back();
  if (last == ' ' || last == '.') return "the name ends with a space or a dot";
  return std::nullopt;
}

std::optional<std::string> workspaceFolderNameProblem(std::string_view folderName) {
  const std::size_t length = countCodePoints(folderName);
  if (length < 4 || length > 80) return "a workspace folder name has 4 to 80 characters";
  for (unsigned char c : folderName) {
    // Bytes >= 0x80 belong to non-ASCII letters and digits, which the service accepts.
    if (c < 0x80 && !std::isalnum(c) && c != '-') {
      return "a workspace folder name has only letters, digits and hyphens";
    }
  }
  return std::nullopt;
}

std::string normalizeNodeId(std::string_view id) {
  std::string out;
  out.reserve(id.size());
  for (unsigned char c : id) {
    if (c != '-') out.push_back(static_cast<char>(std::tolower(c)));
  }
  return out;
}

std::string mimetypeForName(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 12> kTypes = {{
      {".txt", "text/plain"},
      {".md", "text/markdown"},
      {".csv", "text/csv"},
      {".json", "application/json"},
      {".html", "text/html"},
      {".pdf", "application/pdf"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".zip", "application/zip"},
      {".cpp", "text/x-c++src"},
      {".h", "text/x-chdr"},
      {".py", "text/x-python"},
  }};
  const std::size_t dot = name.rfind('.');
  if (dot == std::string_view::npos) return "application/octet-stream";
  std::string ext;
  for (unsigned char c : name.substr(dot)) ext.push_back(static_cast<char>(std::tolower(c)));
  for (const auto& [suffix, type] : kTypes) {
    if (ext == suffix) return std::string(type);
  }
  return "application/octet-stream";
}

}  // namespace fastio::testing
