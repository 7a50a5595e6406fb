#include "client/wire/UrlEncoding.h"

namespace fastio::http {

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
