#include "client/testing/NameRules.h"

#include <array>
#include <cctype>
#include <utility>

namespace fastio::testing {

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
