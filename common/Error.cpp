#include "common/Error.h"

namespace fastio {

std::string_view errorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kUnavailable:
      return "unavailable";
    case ErrorCode::kRateLimited:
      return "rate_limited";
    case ErrorCode::kConflict:
      return "conflict";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kUnauthenticated:
      return "unauthenticated";
    case ErrorCode::kDenied:
      return "denied";
    case ErrorCode::kInvalid:
      return "invalid";
    case ErrorCode::kQuota:
      return "quota";
    case ErrorCode::kTooLarge:
      return "too_large";
    case ErrorCode::kDeadline:
      return "deadline";
    case ErrorCode::kCancelled:
      return "cancelled";
    case ErrorCode::kProtocol:
      return "protocol";
    case ErrorCode::kExists:
      return "exists";
    case ErrorCode::kNotEmpty:
      return "not_empty";
    case ErrorCode::kNotDirectory:
      return "not_directory";
    case ErrorCode::kIsDirectory:
      return "is_directory";
    case ErrorCode::kNameTooLong:
      return "name_too_long";
    case ErrorCode::kNoSpace:
      return "no_space";
    case ErrorCode::kStale:
      return "stale";
    case ErrorCode::kReadOnly:
      return "read_only";
    case ErrorCode::kNotSupported:
      return "not_supported";
    case ErrorCode::kNotPermitted:
      return "not_permitted";
    case ErrorCode::kCrossDevice:
      return "cross_device";
    case ErrorCode::kIo:
      return "io";
    case ErrorCode::kInternal:
      return "internal";
  }
  return "unknown";
}

std::string Error::describe() const {
  std::string out(errorCodeName(code));
  if (!message.empty()) {
    out += ": ";
    out += message;
  }
  if (httpStatus != 0) {
    out += " (HTTP " + std::to_string(httpStatus) + ")";
  }
  return out;
}

}  // namespace fastio
