#pragma once
// error.code values the emulator sends (fastio-api.md §1.3) and helpers that build fastio::Error
// values carrying the HTTP status and API code, so State can fail with the exact reply.

#include <string>

#include "common/Error.h"

namespace fastio::emu {

namespace code {
inline constexpr long long kInvalidInput = 1605;    // class 1605, HTTP 406
inline constexpr long long kConflict = 1660;        // class 1660, HTTP 409
inline constexpr long long kNodeNotFound = 133123;  // HTTP 404
inline constexpr long long kUnknownRoute = 9992;    // HTTP 404
inline constexpr long long kNotFound = 1609;        // HTTP 404, non-node resources
inline constexpr long long kUnauthorized = 10002;  // HTTP 401 (bad/missing token) [emulator choice]
inline constexpr long long kTooManyIds = 115519;   // HTTP 400, bulk details > 25 ids
inline constexpr long long kBlankIfVersion = 207092;  // HTTP 406
inline constexpr long long kMalformedId = 191878;     // HTTP 406
inline constexpr long long kRateLimited = 1671;       // HTTP 429 [emulator choice]
inline constexpr long long kTooLarge = 1613;          // HTTP 413 [emulator choice]
inline constexpr long long kUnavailable = 1654;       // HTTP 503 (fault injection)
inline constexpr long long kInternal = 1654;          // HTTP 500
}  // namespace code

inline Error apiError(ErrorCode kind, int httpStatus, long long apiCode, std::string text) {
  Error e{kind, std::move(text), httpStatus, apiCode};
  return e;
}
inline Error invalidInput(std::string text) {
  return apiError(ErrorCode::kInvalid, 406, code::kInvalidInput, std::move(text));
}
inline Error nodeNotFound(const std::string& id) {
  return apiError(ErrorCode::kNotFound, 404, code::kNodeNotFound,
                  "The node " + id + " was not found.");
}
inline Error notFound(std::string text) {
  return apiError(ErrorCode::kNotFound, 404, code::kNotFound, std::move(text));
}
inline Error conflict(std::string text) {
  return apiError(ErrorCode::kConflict, 409, code::kConflict, std::move(text));
}
inline Error nameExists(const std::string& name) {
  return apiError(ErrorCode::kExists, 406, code::kInvalidInput,
                  "An item named \"" + name + "\" already exists in this folder.");
}
inline Error internalError(std::string text) {
  return apiError(ErrorCode::kInternal, 500, code::kInternal, std::move(text));
}

}  // namespace fastio::emu
