#pragma once
// How HttpRemoteStore reads an upload session's status (fastio-api.md §6.2) and decides whether
// a failure ends the session. Internal to client/http/.

#include <cctype>
#include <string>

#include "client/wire/ErrorMapping.h"
#include "client/wire/WireDecoder.h"

namespace fastio::http {

inline bool sessionCancelled(const std::string& status) {
  return status == "cancelled" || status == "canceled";
}

// Terminal failures: nothing more will happen to the session.
inline bool sessionFailed(const std::string& status) {
  return status == "assembly_failed" || status == "store_failed" || status == "failed" ||
         sessionCancelled(status);
}

// Chunks may still be sent.
inline bool sessionStillOpen(const std::string& status) {
  return status.empty() || status == "ready" || status == "uploading";
}

inline bool containsNotFound(const std::string& text) {
  std::string lower(text.size(), '\0');
  for (size_t i = 0; i < text.size(); ++i) {
    lower[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
  }
  return lower.find("not found") != std::string::npos;
}

// The error for a session that ended in a failed state.
inline Error sessionFailure(const WireUploadSession& s) {
  const std::string message =
      "upload session " + s.id + " ended in state " + s.status +
      (s.statusMessage.empty() ? std::string() : ": " + sanitiseServerText(s.statusMessage));
  if (s.statusMessage.find("CONFLICT_VERSION_MISMATCH") != std::string::npos) {
    return makeError(ErrorCode::kConflict, message);
  }
  // The file to update (or its folder) is gone: the server answered, so this is no sign of
  // being offline; the caller looks at the target again.
  if (containsNotFound(s.statusMessage)) return makeError(ErrorCode::kNotFound, message);
  // The bytes are still with the caller; a fresh session may succeed, so this is transient.
  return makeError(ErrorCode::kUnavailable, message);
}

// Whether a failed call makes us give the session up: a refusal (invalid, too large, not
// found, conflict, ...) does; a transient failure, the deadline, a cancellation or an expired
// token leave it resumable.
inline bool abandonsSession(const Error& error) {
  return !error.isRetryable() && error.code != ErrorCode::kDeadline &&
         error.code != ErrorCode::kCancelled && error.code != ErrorCode::kUnauthenticated;
}

}  // namespace fastio::http
