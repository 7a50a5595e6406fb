#include "client/wire/UrlEncoding.h"

namespace fastio::http {

std::string percentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

std::string FormFields::encode() const {
  std::string out;
  for (const auto& [name, value] : fields_) {
    if (!out.empty()) out.push_back('&');
    out += percentEncode(name);
    out.push_back('=');
    out += percentEncode(value);
  }
  return out;
}

std::string joinUrl(std::string_view base, std::string_view path, const FormFields& query) {
  std::string out(base);
  while (!out.empty() && out.back() == '/') out.pop_back();
  if (path.empty() || path.front() != '/') out.push_back('/');
  out += path;
  if (!query.empty()) {
    out.push_back('?');
    out += query.encode();
  }
  return out;
}

}  // namespace fastio::http
