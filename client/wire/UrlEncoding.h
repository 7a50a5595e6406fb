#pragma once
// Percent-encoding for path segments, query strings and application/x-www-form-urlencoded bodies.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fastio::http {

// RFC 3986 unreserved characters pass; every other byte becomes %XX.
std::string percentEncode(std::string_view s);

// name=value pairs joined with '&', both sides percent-encoded (usable as a query or a form).
class FormFields {
 public:
  FormFields& add(std::string name, std::string value) {
    fields_.emplace_back(std::move(name), std::move(value));
    return *this;
  }
  FormFields& addIf(bool condition, std::string name, std::string value) {
    if (condition) add(std::move(name), std::move(value));
    return *this;
  }
  bool empty() const { return fields_.empty(); }
  std::string encode() const;

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

// base + path + ("?" + query when non-empty).
std::string joinUrl(std::string_view base, std::string_view path, const FormFields& query = {});

}  // namespace fastio::http
