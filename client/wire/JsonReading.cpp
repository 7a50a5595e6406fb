#include "client/wire/JsonReading.h"

#include <charconv>
#include <cmath>

#include "common/Utf8.h"

namespace fastio::http {

namespace {

// Deepest array/object nesting in a JSON text (strings skipped); stops counting past the limit.
int nestingDepth(std::string_view s) {
  int depth = 0;
  int deepest = 0;
  bool inString = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (inString) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        inString = false;
      }
      continue;
    }
    if (c == '"') {
      inString = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
      if (deepest > kMaxJsonDepth) return deepest;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

}  // namespace

Result<Json> parseJson(std::string_view body, std::string_view what) {
  if (nestingDepth(body) > kMaxJsonDepth) {
    return makeError(ErrorCode::kProtocol, std::string(what) + ": JSON nested deeper than " +
                                               std::to_string(kMaxJsonDepth) + " levels");
  }
  std::optional<std::string> repaired = utf8::repair(body);
  const std::string_view text = repaired ? std::string_view(*repaired) : body;
  Json j = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    std::string kind = "malformed or truncated JSON";
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first != std::string_view::npos && text[first] == '<')
      kind = "an HTML page instead of JSON";
    if (first == std::string_view::npos) kind = "an empty body instead of JSON";
    return makeError(ErrorCode::kProtocol, std::string(what) + ": the server sent " + kind);
  }
  return j;
}

const Json* member(const Json& j, std::string_view key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return nullptr;
  return &*it;
}

const Json* firstMember(const Json& j, std::initializer_list<std::string_view> keys) {
  for (std::string_view k : keys) {
    if (const Json* m = member(j, k)) return m;
  }
  return nullptr;
}

const Json* path(const Json& j, std::initializer_list<std::string_view> keys) {
  const Json* cur = &j;
  for (std::string_view k : keys) {
    cur = member(*cur, k);
    if (cur == nullptr) return nullptr;
  }
  return cur;
}

std::optional<std::string> asText(const Json* j) {
  if (j == nullptr) return std::nullopt;
  if (j->is_string()) return j->get_ref<const std::string&>();
  if (j->is_number_unsigned()) return std::to_string(j->get<uint64_t>());
  if (j->is_number_integer()) return std::to_string(j->get<int64_t>());
  if (j->is_number_float()) {
    const double d = j->get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e15) {
      return std::to_string(static_cast<long long>(d));
    }
    return std::nullopt;  // an id or count that lost precision: refuse rather than guess
  }
  if (j->is_boolean()) return j->get<bool>() ? "true" : "false";
  return std::nullopt;
}

std::string textOr(const Json* j, std::string fallback) {
  auto t = asText(j);
  return t ? *t : std::move(fallback);
}

std::optional<uint64_t> asUint(const Json* j) {
  if (j == nullptr) return std::nullopt;
  if (j->is_number_unsigned()) return j->get<uint64_t>();
  if (j->is_number_integer()) {
    const auto v = j->get<int64_t>();
    if (v < 0) return std::nullopt;
    return static_cast<uint64_t>(v);
  }
  if (j->is_number_float()) {
    const double d = j->get<double>();
    if (!std::isfinite(d) || d < 0 || d != std::floor(d) || d >= 1.8e19) return std::nullopt;
    return static_cast<uint64_t>(d);
  }
  if (j->is_string()) {
    const auto& s = j->get_ref<const std::string&>();
    uint64_t v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || ptr != s.data() + s.size() || s.empty()) return std::nullopt;
    return v;
  }
  return std::nullopt;
}

std::optional<double> asDouble(const Json* j) {
  if (j == nullptr) return std::nullopt;
  if (j->is_number()) {
    const double d = j->get<double>();
    if (std::isfinite(d)) return d;
    return std::nullopt;
  }
  if (j->is_string()) {
    const auto& s = j->get_ref<const std::string&>();
    double v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || ptr != s.data() + s.size() || s.empty() || !std::isfinite(v)) {
      return std::nullopt;
    }
    return v;
  }
  return std::nullopt;
}

std::optional<bool> asBool(const Json* j) {
  if (j == nullptr) return std::nullopt;
  if (j->is_boolean()) return j->get<bool>();
  if (j->is_number_integer() || j->is_number_unsigned()) return j->get<int64_t>() != 0;
  if (j->is_string()) {
    const auto& s = j->get_ref<const std::string&>();
    if (s == "true" || s == "yes" || s == "1" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "no" || s == "0" || s == "False" || s == "FALSE") return false;
  }
  return std::nullopt;
}

std::string normaliseId(std::string_view id) {
  std::string out;
  out.reserve(id.size());
  for (char c : id) {
    if (c == '-') continue;
    out.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return out;
}

}  // namespace fastio::http
