// ErrnoMap: the one table from ErrorCode to errno (docs/SEMANTICS.md "Errors").
#include <gtest/gtest.h>

#include <cerrno>

#include "fs/fuse/ErrnoMap.h"

namespace fastio::fuse {
namespace {

constexpr ErrorCode kAllCodes[] = {
    ErrorCode::kUnavailable, ErrorCode::kRateLimited,     ErrorCode::kConflict,
    ErrorCode::kNotFound,    ErrorCode::kUnauthenticated, ErrorCode::kDenied,
    ErrorCode::kInvalid,     ErrorCode::kQuota,           ErrorCode::kTooLarge,
    ErrorCode::kDeadline,    ErrorCode::kCancelled,       ErrorCode::kProtocol,
    ErrorCode::kExists,      ErrorCode::kNotEmpty,        ErrorCode::kNotDirectory,
    ErrorCode::kIsDirectory, ErrorCode::kNameTooLong,     ErrorCode::kNoSpace,
    ErrorCode::kStale,       ErrorCode::kReadOnly,        ErrorCode::kNotSupported,
    ErrorCode::kIo,          ErrorCode::kInternal,        ErrorCode::kNotPermitted,
    ErrorCode::kCrossDevice,
};

TEST(ErrnoMap, EveryCodeMapsToAPositiveErrnoThatIsNeverEnosys) {
  for (ErrorCode code : kAllCodes) {
    const int e = errnoFor(code);
    EXPECT_GT(e, 0) << errorCodeName(code);
    EXPECT_NE(e, ENOSYS) << errorCodeName(code);
  }
}

TEST(ErrnoMap, FilesystemClassesMapToTheirPosixTwins) {
  EXPECT_EQ(errnoFor(ErrorCode::kNotFound), ENOENT);
  EXPECT_EQ(errnoFor(ErrorCode::kExists), EEXIST);
  EXPECT_EQ(errnoFor(ErrorCode::kNotEmpty), ENOTEMPTY);
  EXPECT_EQ(errnoFor(ErrorCode::kNotDirectory), ENOTDIR);
  EXPECT_EQ(errnoFor(ErrorCode::kIsDirectory), EISDIR);
  EXPECT_EQ(errnoFor(ErrorCode::kNameTooLong), ENAMETOOLONG);
  EXPECT_EQ(errnoFor(ErrorCode::kNoSpace), ENOSPC);
  EXPECT_EQ(errnoFor(ErrorCode::kStale), ESTALE);
  EXPECT_EQ(errnoFor(ErrorCode::kReadOnly), EROFS);
  EXPECT_EQ(errnoFor(ErrorCode::kNotSupported), EOPNOTSUPP);
  EXPECT_EQ(errnoFor(ErrorCode::kNotPermitted), EPERM);
  EXPECT_EQ(errnoFor(ErrorCode::kCrossDevice), EXDEV);
}

TEST(ErrnoMap, RemoteClassesMapToWhatAProgramCanActOn) {
  EXPECT_EQ(errnoFor(ErrorCode::kDenied), EACCES);
  EXPECT_EQ(errnoFor(ErrorCode::kUnauthenticated), EACCES);
  EXPECT_EQ(errnoFor(ErrorCode::kQuota), EDQUOT);
  EXPECT_EQ(errnoFor(ErrorCode::kTooLarge), EFBIG);
  EXPECT_EQ(errnoFor(ErrorCode::kDeadline), ETIMEDOUT);
  EXPECT_EQ(errnoFor(ErrorCode::kCancelled), EINTR);
  EXPECT_EQ(errnoFor(ErrorCode::kInvalid), EINVAL);
  EXPECT_EQ(errnoFor(ErrorCode::kConflict), ESTALE);
  EXPECT_EQ(errnoFor(ErrorCode::kUnavailable), EIO);
  EXPECT_EQ(errnoFor(ErrorCode::kRateLimited), EIO);
  EXPECT_EQ(errnoFor(ErrorCode::kProtocol), EIO);
}

TEST(ErrnoMap, MissingAttributeIsEnodataOnlyForXattrCalls) {
  EXPECT_EQ(errnoFor("getxattr", ErrorCode::kNotFound), ENODATA);
  EXPECT_EQ(errnoFor("lookup", ErrorCode::kNotFound), ENOENT);
  EXPECT_EQ(errnoFor("getxattr", ErrorCode::kDenied), EACCES);
}

TEST(ErrnoMap, ExpectedMissesAreQuietAndRealFailuresAreLoud) {
  EXPECT_EQ(severityFor("lookup", ErrorCode::kNotFound), FailureSeverity::kExpected);
  EXPECT_EQ(severityFor("getxattr", ErrorCode::kNotFound), FailureSeverity::kExpected);
  EXPECT_EQ(severityFor("getxattr", ErrorCode::kNotSupported), FailureSeverity::kExpected);
  EXPECT_EQ(severityFor("read", ErrorCode::kNotFound), FailureSeverity::kRefusal);
  EXPECT_EQ(severityFor("mkdir", ErrorCode::kExists), FailureSeverity::kRefusal);
  EXPECT_EQ(severityFor("read", ErrorCode::kUnavailable), FailureSeverity::kFailure);
  EXPECT_EQ(severityFor("read", ErrorCode::kInternal), FailureSeverity::kFailure);
}

}  // namespace
}  // namespace fastio::fuse
