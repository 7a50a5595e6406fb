#include "emulator/http/ApiResponse.h"

#include <atomic>
#include <cctype>
#include <charconv>

namespace fastio::emu::http {

namespace {

std::atomic<std::string (*)()> gServerDate{nullptr};
thread_local std::string tRequestDate;

std::string serverDate() {
  if (!tRequestDate.empty()) return tRequestDate;
  auto source = gServerDate.load();
  return source != nullptr ? source() : std::string();
}

void sendJson(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  // "replace" keeps invalid UTF-8 from a client (echoed names) from throwing.
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "application/json");
}

std::optional<std::string> multipartField(const httplib::Request& req, const std::string& name) {
  auto it = req.files.find(name);
  if (it == req.files.end() || !it->second.filename.empty()) return std::nullopt;
  return it->second.content;
}

}  // namespace

void setServerDateSource(std::string (*source)()) {
  gServerDate.store(source);
}

void beginRequest(std::string marker) {
  tRequestDate = std::move(marker);
}

void sendOk(httplib::Response& res, nlohmann::json payload, int status) {
  if (!payload.is_object()) payload = nlohmann::json::object();
  payload["result"] = true;
  payload["server_date"] = serverDate();
  sendJson(res, status, payload);
}

void sendBody(httplib::Response& res, int status, nlohmann::json body) {
  if (!body.is_object()) body = nlohmann::json::object();
  body["server_date"] = serverDate();
  sendJson(res, status, body);
}

void sendError(httplib::Response& res, int status, long long code, const std::string& text,
               const nlohmann::json& extra) {
  nlohmann::json error = {{"code", code}, {"text", text}};
  if (extra.is_object()) {
    for (auto it = extra.begin(); it != extra.end(); ++it) error[it.key()] = it.value();
  }
  nlohmann::json body = {{"result", false}, {"error", error}, {"server_date", serverDate()}};
  sendJson(res, status, body);
}

void sendError(httplib::Response& res, const Error& error) {
  int status = error.httpStatus != 0 ? error.httpStatus : 500;
  long long code = error.remoteCode != 0 ? error.remoteCode : 1654;
  std::string text = error.message.empty() ? std::string(errorCodeName(error.code)) : error.message;
  sendError(res, status, code, text);
}

void Validation::missing(std::string name, std::string message) {
  if (message.empty()) message = "The field " + name + " is required.";
  problems_.push_back({std::move(name), "missing", std::move(message)});
}

void Validation::invalid(std::string name, std::string message) {
  problems_.push_back({std::move(name), "invalid", std::move(message)});
}

bool Validation::replyIfFailed(httplib::Response& res) const {
  if (problems_.empty()) return false;
  nlohmann::json params = nlohmann::json::array();
  for (const auto& p : problems_) {
    params.push_back({{"name", p.name}, {"kind", p.kind}, {"code", 1605}, {"message", p.message}});
  }
  std::string text = problems_.front().message;
  if (problems_.size() > 1) text += " (and " + std::to_string(problems_.size() - 1) + " more)";
  sendError(res, 406, 1605, text, {{"params", params}, {"error_code", "ERR_INVALID_INPUT"}});
  return true;
}

bool Form::has(const std::string& name) const {
  return get(name).has_value();
}

std::optional<std::string> Form::get(const std::string& name) const {
  if (req_.has_param(name)) return req_.get_param_value(name);
  return multipartField(req_, name);
}

std::string Form::getOr(const std::string& name, std::string fallback) const {
  auto v = get(name);
  return v ? *v : std::move(fallback);
}

std::optional<std::int64_t> Form::getInt(const std::string& name, std::int64_t min,
                                         std::int64_t max, bool& bad) const {
  auto v = get(name);
  if (!v) return std::nullopt;
  std::int64_t out = 0;
  const char* first = v->data();
  const char* last = first + v->size();
  auto [ptr, ec] = std::from_chars(first, last, out);
  if (v->empty() || ec != std::errc() || ptr != last || out < min || out > max) {
    bad = true;
    return std::nullopt;
  }
  return out;
}

std::optional<bool> Form::getBool(const std::string& name, bool& bad) const {
  auto v = get(name);
  if (!v) return std::nullopt;
  if (*v == "true" || *v == "1" || *v == "yes") return true;
  if (*v == "false" || *v == "0" || *v == "no") return false;
  bad = true;
  return std::nullopt;
}

std::optional<DetailLevel> parseDetailLevel(const httplib::Request& req) {
  if (!req.has_param("output")) return DetailLevel::kFull;
  std::optional<DetailLevel> level;
  int levels = 0;
  for (std::size_t i = 0; i < req.get_param_value_count("output"); ++i) {
    std::string value = req.get_param_value("output", i);
    std::size_t start = 0;
    while (start <= value.size()) {
      std::size_t comma = value.find(',', start);
      if (comma == std::string::npos) comma = value.size();
      std::string part = value.substr(start, comma - start);
      start = comma + 1;
      if (part == "terse") {
        level = DetailLevel::kTerse;
        ++levels;
      } else if (part == "standard") {
        level = DetailLevel::kStandard;
        ++levels;
      } else if (part == "full") {
        level = DetailLevel::kFull;
        ++levels;
      } else if (part != "markdown") {
        return std::nullopt;
      }
    }
  }
  if (levels > 1) return std::nullopt;
  return level.value_or(DetailLevel::kFull);
}

std::string pathParam(const httplib::Request& req, std::size_t index) {
  // httplib has already URL-decoded req.path, which the captures come from.
  if (index >= req.matches.size()) return {};
  return req.matches[index].str();
}

std::string bearerToken(const httplib::Request& req) {
  std::string header = req.get_header_value("Authorization");
  constexpr std::string_view kPrefix = "Bearer ";
  if (header.size() <= kPrefix.size()) return {};
  for (std::size_t i = 0; i < kPrefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) !=
        std::tolower(static_cast<unsigned char>(kPrefix[i]))) {
      return {};
    }
  }
  std::string token = header.substr(kPrefix.size());
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.pop_back();
  return token;
}

}  // namespace fastio::emu::http
