#pragma once
// Runs a program (argv, never a shell string) and captures its standard output, bounded in time
// and size. Used for pdftotext.

#include <chrono>
#include <string>
#include <vector>

#include "common/Result.h"

namespace fastio::emu::intelligence {

struct ChildOutput {
  std::string out;
  int exitCode = -1;       // -1 if the child was killed by a signal
  bool truncated = false;  // output reached maxOutputBytes; the child was stopped there
};

// argv[0] is looked up in PATH. stdin is /dev/null, stderr is discarded. The child is killed when
// timeout passes (an error of class kDeadline) or when its output reaches maxOutputBytes.
Result<ChildOutput> runChild(const std::vector<std::string>& argv,
                             std::chrono::milliseconds timeout, size_t maxOutputBytes);

}  // namespace fastio::emu::intelligence
