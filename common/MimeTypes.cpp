#include "common/MimeTypes.h"

#include <algorithm>
#include <map>

namespace fastio {

MimeInfo mimeForName(const std::string& name) {
  static const std::map<std::string, MimeInfo> kByExtension = {
      {"txt", {"text/plain", "document"}},
      {"md", {"text/markdown", "document"}},
      {"csv", {"text/csv", "document"}},
      {"pdf", {"application/pdf", "document"}},
      {"doc", {"application/msword", "document"}},
      {"docx",
       {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "document"}},
      {"html", {"text/html", "document"}},
      {"htm", {"text/html", "document"}},
      {"json", {"application/json", "code"}},
      {"xml", {"application/xml", "code"}},
      {"yaml", {"application/yaml", "code"}},
      {"yml", {"application/yaml", "code"}},
      {"c", {"text/x-c", "code"}},
      {"h", {"text/x-c", "code"}},
      {"cpp", {"text/x-c++", "code"}},
      {"hpp", {"text/x-c++", "code"}},
      {"py", {"text/x-python", "code"}},
      {"js", {"text/javascript", "code"}},
      {"ts", {"text/typescript", "code"}},
      {"rs", {"text/x-rust", "code"}},
      {"go", {"text/x-go", "code"}},
      {"sh", {"application/x-sh", "code"}},
      {"png", {"image/png", "image"}},
      {"jpg", {"image/jpeg", "image"}},
      {"jpeg", {"image/jpeg", "image"}},
      {"gif", {"image/gif", "image"}},
      {"svg", {"image/svg+xml", "image"}},
      {"webp", {"image/webp", "image"}},
      {"mp4", {"video/mp4", "video"}},
      {"mov", {"video/quicktime", "video"}},
      {"mp3", {"audio/mpeg", "audio"}},
      {"wav", {"audio/wav", "audio"}},
      {"zip", {"application/zip", "archive"}},
      {"gz", {"application/gzip", "archive"}},
      {"tar", {"application/x-tar", "archive"}},
  };
  auto dot = name.rfind('.');
  if (dot != std::string::npos && dot + 1 < name.size()) {
    std::string ext = name.substr(dot + 1);
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    auto it = kByExtension.find(ext);
    if (it != kByExtension.end()) return it->second;
  }
  return {"application/octet-stream", "other"};
}

}  // namespace fastio
