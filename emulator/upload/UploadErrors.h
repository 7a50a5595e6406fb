#pragma once
// Upload-specific error.code values, beside the shared ones of emulator/ApiCodes.h. Engine errors
// carry the HTTP status and code the routes send, so the engine decides them once.

#include <string>

#include "emulator/ApiCodes.h"

namespace fastio::emu {

namespace code {
inline constexpr long long kUploadSizeMismatch = 10522;  // documented: chunks != declared size
inline constexpr long long kFeatureLimit = 1685;         // class 1685: a plan limit was hit
}  // namespace code

inline Error sessionNotFound(const std::string& id) {
  return notFound("The upload session " + id + " was not found.");
}
inline Error uploadLimit(ErrorCode kind, int httpStatus, std::string text) {
  return apiError(kind, httpStatus, code::kFeatureLimit, std::move(text));
}

}  // namespace fastio::emu
