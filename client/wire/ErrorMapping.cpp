#include "client/wire/ErrorMapping.h"

#include "common/Log.h"
#include "common/Utf8.h"

namespace fastio::http {

ErrorCode classifyHttpStatus(int status) {
  if (status >= 200 && status < 300) return ErrorCode::kInternal;
  switch (status) {
    case 400:
    case 406:
    case 422:
      return ErrorCode::kInvalid;
    case 401:
      return ErrorCode::kUnauthenticated;
    case 402:
      return ErrorCode::kQuota;
    case 403:
      return ErrorCode::kDenied;
    case 404:
      return ErrorCode::kNotFound;
    case 408:
      return ErrorCode::kUnavailable;
    case 409:
      return ErrorCode::kConflict;
    case 410:
      return ErrorCode::kNotSupported;
    case 413:
      return ErrorCode::kTooLarge;
    case 416:
      return ErrorCode::kInvalid;
    case 429:
      return ErrorCode::kRateLimited;
    default:
      break;
  }
  if (status >= 500) return ErrorCode::kUnavailable;
  if (status >= 400) return ErrorCode::kInvalid;
  return ErrorCode::kProtocol;  // 1xx/3xx we did not ask for
}

ErrorCode refineByRemoteCode(ErrorCode byStatus, int status, long long code) {
  switch (code) {
    case 10545:   // authenticated, but not a member of the workspace
    case 115069:  // no access to the resource
    case 1680:
    case 1670:
      return ErrorCode::kDenied;
    case 1688:
    case 1696:
    case 1685:
    case 1695:
      return ErrorCode::kQuota;
    case 133123:
    case 1609:
    case 1652:
    case 146950:  // node content gone: never retry
      return ErrorCode::kNotFound;
    case 9992:  // unknown route: the API moved, retrying cannot help
      return ErrorCode::kNotSupported;
    case 1660:
      return ErrorCode::kConflict;
    case 146256:  // transient retrieval failure
    case 1654:
      return ErrorCode::kUnavailable;
    case 145858:
      return ErrorCode::kRateLimited;
    case 1605:
    case 115519:
    case 10522:
    case 207092:
      // Invalid input unless the status says something more specific (e.g. 409 with 1605).
      return (status == 409) ? ErrorCode::kConflict : ErrorCode::kInvalid;
    default:
      return byStatus;
  }
}

std::string sanitiseServerText(std::string_view text, size_t maxLength) {
  std::string out;
  out.reserve(std::min(text.size(), maxLength));
  for (unsigned char c : text) {
    if (out.size() >= maxLength) {
      out += "...";
      break;
    }
    if (c < 0x20 || c == 0x7F) {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
      continue;
    }
    out.push_back(static_cast<char>(c));
  }
  if (auto repaired = utf8::repair(out)) out = *repaired;
  return redactSecrets(out);
}

namespace {

bool hasVersionConflict(const Json& error) {
  const Json* params = member(error, "params");
  if (params == nullptr) return false;
  if (params->is_object()) return member(*params, "current") != nullptr;
  if (!params->is_array()) return false;
  for (const Json& p : *params) {
    if (textOr(member(p, "reason")) == "conflict_version_mismatch") return true;
  }
  return false;
}

}  // namespace

Error errorFromEnvelope(int status, const Json& body, std::string_view what) {
  const Json* error = member(body, "error");
  std::string text;
  long long code = 0;
  bool versionConflict = false;
  if (error != nullptr && error->is_object()) {
    text = textOr(firstMember(*error, {"text", "message", "error_message"}));
    if (auto c = asUint(member(*error, "code"))) code = static_cast<long long>(*c);
    versionConflict = hasVersionConflict(*error);
  } else if (error != nullptr) {
    text = textOr(error);  // {"error": "message"}
  }
  if (text.empty()) text = textOr(firstMember(body, {"error_message", "message"}));
  if (code == 0) {
    if (auto c = asUint(firstMember(body, {"error_id", "error_code"}))) {
      code = static_cast<long long>(*c);
    }
  }
  ErrorCode cls = classifyHttpStatus(status);
  if (status >= 200 && status < 300) cls = ErrorCode::kInvalid;  // result:false on a 2xx
  cls = refineByRemoteCode(cls, status, code);
  if (versionConflict) cls = ErrorCode::kConflict;

  std::string message(what);
  message += ": ";
  message += text.empty() ? "the server reported a failure" : sanitiseServerText(text);
  if (code != 0) message += " (code " + std::to_string(code) + ")";
  Error e = makeError(cls, std::move(message));
  e.httpStatus = status;
  e.remoteCode = code;
  return e;
}

Error errorFromResponse(const HttpResponse& response, std::string_view what) {
  const auto contentType = response.header("content-type").value_or("");
  const auto first = response.body.find_first_not_of(" \t\r\n");
  const bool looksJson =
      first != std::string::npos && (response.body[first] == '{' || response.body[first] == '[');
  if (looksJson) {
    Result<Json> parsed = parseJson(response.body, what);
    if (parsed.ok() && parsed->is_object())
      return errorFromEnvelope(response.status, *parsed, what);
  }
  std::string message(what);
  message += ": HTTP " + std::to_string(response.status);
  if (response.body.empty()) {
    message += " with an empty body";
  } else {
    message += " with a non-JSON body";
    if (!contentType.empty()) message += " (" + sanitiseServerText(contentType, 60) + ")";
  }
  Error e = makeError(classifyHttpStatus(response.status), std::move(message));
  e.httpStatus = response.status;
  return e;
}

}  // namespace fastio::http
