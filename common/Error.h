#pragma once
// The project's error taxonomy. Layers below fs/fuse/ speak only this; the FUSE adapter maps
// it to errno in one table (fs/fuse/ErrnoMap). The remote-failure classes decide retry policy.

#include <string>
#include <string_view>

namespace fastio {

enum class ErrorCode {
  // Remote / transport classes (client decides retry from these).
  kUnavailable,      // 5xx, connection reset, DNS, TLS handshake: retry with backoff
  kRateLimited,      // 429: wait for the advertised reset, then retry
  kConflict,         // 409 / CAS mismatch: redo the read-modify-write, never blind retry
  kNotFound,         // 404 / unknown node
  kUnauthenticated,  // 401: token missing or expired (refresh once)
  kDenied,           // 403 / access denied
  kInvalid,          // 400 / 406 / 422: bad input, never retry
  kQuota,            // 402: billing / credits / plan limits
  kTooLarge,         // 413 / file over the plan limit
  kDeadline,         // the caller's deadline passed
  kCancelled,        // the caller cancelled (unmount, interrupt)
  kProtocol,         // the server answered something we cannot understand
  // Filesystem classes.
  kExists,
  kNotEmpty,
  kNotDirectory,
  kIsDirectory,
  kNameTooLong,
  kNoSpace,
  kStale,
  kReadOnly,
  kNotSupported,
  kNotPermitted,  // the operation is never allowed here (EPERM)
  kCrossDevice,   // a rename across workspaces (EXDEV)
  kIo,
  kInternal,
};

std::string_view errorCodeName(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;  // one clear line; never contains a token
  int httpStatus = 0;   // when it came from the remote; 0 otherwise
  long long remoteCode = 0;

  // A transient class: the same call may succeed later.
  bool isRetryable() const {
    return code == ErrorCode::kUnavailable || code == ErrorCode::kRateLimited;
  }
  std::string describe() const;  // "not_found: node f123 not found (HTTP 404)"
};

inline Error makeError(ErrorCode code, std::string message) {
  return Error{code, std::move(message), 0, 0};
}

}  // namespace fastio
