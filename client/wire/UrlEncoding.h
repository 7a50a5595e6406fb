#pragma once
// Query strings and application/x-www-form-urlencoded bodies (percent-encoding itself is in
// common/Encoding.h, shared with the emulator).

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/Encoding.h"

namespace fastio::http {

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
