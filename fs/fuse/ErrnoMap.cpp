#include "fs/fuse/ErrnoMap.h"

#include <cerrno>

namespace fastio::fuse {

int errnoFor(ErrorCode code) {
  switch (code) {
    // Transient remote trouble that outlived the retry budget: the data is not available now.
    case ErrorCode::kUnavailable:
      return EIO;
    case ErrorCode::kRateLimited:
      return EIO;
    case ErrorCode::kProtocol:
      return EIO;
    case ErrorCode::kIo:
      return EIO;
    case ErrorCode::kInternal:
      return EIO;
    // A compare-and-swap lost the race: the caller's view of the file is out of date.
    case ErrorCode::kConflict:
      return ESTALE;
    case ErrorCode::kStale:
      return ESTALE;
    case ErrorCode::kNotFound:
      return ENOENT;
    case ErrorCode::kUnauthenticated:
      return EACCES;
    case ErrorCode::kDenied:
      return EACCES;
    case ErrorCode::kInvalid:
      return EINVAL;
    case ErrorCode::kQuota:
      return EDQUOT;
    case ErrorCode::kTooLarge:
      return EFBIG;
    case ErrorCode::kDeadline:
      return ETIMEDOUT;
    case ErrorCode::kCancelled:
      return EINTR;
    case ErrorCode::kExists:
      return EEXIST;
    case ErrorCode::kNotEmpty:
      return ENOTEMPTY;
    case ErrorCode::kNotDirectory:
      return ENOTDIR;
    case ErrorCode::kIsDirectory:
      return EISDIR;
    case ErrorCode::kNameTooLong:
      return ENAMETOOLONG;
    case ErrorCode::kNoSpace:
      return ENOSPC;
    case ErrorCode::kReadOnly:
      return EROFS;
    case ErrorCode::kNotSupported:
      return EOPNOTSUPP;
    case ErrorCode::kNotPermitted:
      return EPERM;
    case ErrorCode::kCrossDevice:
      return EXDEV;
  }
  return EIO;
}

int errnoFor(std::string_view operation, ErrorCode code) {
  if (code == ErrorCode::kNotFound && (operation == "getxattr" || operation == "removexattr")) {
    return ENODATA;
  }
  return errnoFor(code);
}

FailureSeverity severityFor(std::string_view operation, ErrorCode code) {
  if (code == ErrorCode::kNotFound &&
      (operation == "lookup" || operation == "getxattr" || operation == "readlink")) {
    return FailureSeverity::kExpected;
  }
  // Tools probe security.* and ACL attributes on every file they touch.
  if (code == ErrorCode::kNotSupported && operation == "getxattr") {
    return FailureSeverity::kExpected;
  }
  switch (code) {
    case ErrorCode::kExists:
    case ErrorCode::kNotEmpty:
    case ErrorCode::kNotDirectory:
    case ErrorCode::kIsDirectory:
    case ErrorCode::kNameTooLong:
    case ErrorCode::kReadOnly:
    case ErrorCode::kNotSupported:
    case ErrorCode::kNotPermitted:
    case ErrorCode::kCrossDevice:
    case ErrorCode::kDenied:
    case ErrorCode::kInvalid:
    case ErrorCode::kNotFound:
    case ErrorCode::kCancelled:
      return FailureSeverity::kRefusal;
    default:
      return FailureSeverity::kFailure;
  }
}

}  // namespace fastio::fuse
