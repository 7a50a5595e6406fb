#pragma once
// One kill -9 trial of the crash test (tests/integration/CrashTest.cpp): a fresh emulator and
// mount, a workload whose acknowledged state is known, the crash (a named fault point armed in
// the daemon through FASTIO_FAULTS, or an external kill -9 after a seeded delay), then ONE
// `fastiofs mount` (it must clear the dead mount), `fastiofs sync`, and the checks: the
// recovered mount, a fresh mount with an empty cache directory and the API all show one of
// the states the workload allows, no name twice, no leftover rename source, and a trash that
// holds only what the workload removed or replaced.

#include <cstdint>
#include <ostream>
#include <string>

namespace fastio::integration::crash {

enum class Workload {
  kMixed,               // the seeded mix (CrashWorkload::mixedStep)
  kBigFile,             // a 36 MiB new file: a chunked upload of 3 chunks
  kNewFileStored,       // a new small file, uploaded
  kUpdateStored,        // an existing server file appended to, uploaded
  kRenameOverSeeded,    // new content for a server file, renamed over another server file
  kRenameOverUploaded,  // a new file uploaded first, then renamed over a server file
};

struct CrashTrial {
  std::string name;
  Workload workload = Workload::kMixed;
  std::string faults;   // FASTIO_FAULTS for the first daemon; "" = an external kill -9
  int killAfterMs = 0;  // external kill: after this long into the workload
  uint64_t seed = 1;
  int mixedSteps = 40;
};

// gtest prints a trial by its name.
void PrintTo(const CrashTrial& trial, std::ostream* out);

// Runs the trial; "" when it passed, else what went wrong (with the workload's log).
std::string runCrashTrial(const CrashTrial& trial);

}  // namespace fastio::integration::crash
