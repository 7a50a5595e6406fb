#pragma once
// The API's JSON envelope and request parsing helpers shared by every routes file.
//   success: {"result":true, ...payload keys at top level..., "server_date":"..."}
//   failure: {"result":false, "error":{"code":N, "text":"...", ...}, "server_date":"..."}
// plus the HTTP status. Request values come from the query string, a url-encoded form body or
// multipart text fields, in that order.

#include <httplib.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/Error.h"

namespace fastio::emu::http {

// Marker used for server_date (set once at start-up by the server; ActivityLog::now()).
void setServerDateSource(std::string (*source)());
// Pins server_date for the request being handled on this thread to a marker taken when it
// arrived, so a client that seeds its long-poll with it cannot miss a change made meanwhile.
void beginRequest(std::string marker);

// 200 (or `status`) with the envelope; `payload` must be a JSON object.
void sendOk(httplib::Response& res, nlohmann::json payload = nlohmann::json::object(),
            int status = 200);

// Any JSON object body with server_date added (for replies such as bulk details' all-failed 404,
// which carries result:"no" beside a payload).
void sendBody(httplib::Response& res, int status, nlohmann::json body);

// An error reply. `extra` keys are merged into the "error" object (e.g. params, error_code).
void sendError(httplib::Response& res, int status, long long code, const std::string& text,
               const nlohmann::json& extra = nlohmann::json::object());
// From a fastio::Error carrying httpStatus/remoteCode (State errors); defaults to 500.
void sendError(httplib::Response& res, const Error& error);

// One field of a class-1605 validation failure.
struct ParamProblem {
  std::string name;
  std::string kind;  // "missing" | "invalid"
  std::string message;
};

// Collects field problems and replies 406 / code 1605 with params[] when any exist.
class Validation {
 public:
  void missing(std::string name, std::string message = {});
  void invalid(std::string name, std::string message);
  bool ok() const { return problems_.empty(); }
  const std::vector<ParamProblem>& problems() const { return problems_; }
  // Sends the 406 reply; returns true if it did (i.e. there were problems).
  bool replyIfFailed(httplib::Response& res) const;

 private:
  std::vector<ParamProblem> problems_;
};

// Request parameter access: query string, url-encoded body, multipart text fields.
class Form {
 public:
  explicit Form(const httplib::Request& req) : req_(req) {}
  bool has(const std::string& name) const;
  std::optional<std::string> get(const std::string& name) const;
  std::string getOr(const std::string& name, std::string fallback) const;
  // Integers: nullopt if absent; sets `bad` true if present but not an integer in [min,max].
  std::optional<std::int64_t> getInt(const std::string& name, std::int64_t min, std::int64_t max,
                                     bool& bad) const;
  // "true"/"false"/"1"/"0"/"yes"/"no"; nullopt if absent; `bad` if present and none of those.
  std::optional<bool> getBool(const std::string& name, bool& bad) const;

 private:
  const httplib::Request& req_;
};

// output=terse|standard|full (default full). Two detail levels at once, or an unknown value,
// -> nullopt (reply 406). "markdown" is accepted alongside a level and ignored.
enum class DetailLevel { kTerse, kStandard, kFull };
std::optional<DetailLevel> parseDetailLevel(const httplib::Request& req);

// The path capture `index` (req.matches; already URL-decoded by httplib).
std::string pathParam(const httplib::Request& req, std::size_t index);

// Bearer token from "Authorization: Bearer <t>"; "" when absent or not a bearer header.
std::string bearerToken(const httplib::Request& req);

}  // namespace fastio::emu::http
