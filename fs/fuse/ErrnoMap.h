#pragma once
// The one table from the project's error taxonomy to errno. Only fs/fuse/ knows errno.
// Never ENOSYS: the kernel would stop sending that operation for the life of the mount.

#include <string_view>

#include "common/Error.h"

namespace fastio::fuse {

int errnoFor(ErrorCode code);
// The same, with the few per-operation twists: a missing attribute is ENODATA for getxattr.
int errnoFor(std::string_view operation, ErrorCode code);

// How loudly a failed operation is logged: expected outcomes (ENOENT on lookup, ENODATA on
// getxattr) at debug, refusals at info, real failures at warn.
enum class FailureSeverity { kExpected, kRefusal, kFailure };
FailureSeverity severityFor(std::string_view operation, ErrorCode code);

}  // namespace fastio::fuse
