#pragma once
// Named fault points: places in the daemon where a test can make an operation fail, stall or
// kill the process, by name, so that crash and fault trials are reproducible.
//
// Nothing is armed unless a test arms a point (arm()) or the environment variable
// FASTIO_FAULTS is set when the process first reaches a point; an unarmed point costs one
// relaxed atomic load. The variable holds entries separated by ',' or ';':
//
//   NAME=ACTION[:ARG][@N][*M][%P]
//     ACTION  fail (the operation returns an I/O error), delay (ARG milliseconds), abort (the
//             process kills itself with SIGKILL: the same death as `kill -9`)
//     @N      act from the N-th hit on (default 1)
//     *M      act M times (default 1; 0 = every hit from the N-th on)
//     %P      act with probability P percent on each eligible hit, drawn from a generator
//             seeded by FASTIO_FAULT_SEED (default 1), so a random trial replays by seed
//
// e.g. FASTIO_FAULTS="journal.fdatasync=fail@2,upload.after_stored=abort". The points are
// listed in docs/SEMANTICS.md ("Fault points").

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/Result.h"

namespace fastio::faults {

enum class Action { kFail, kDelay, kAbort };

struct Spec {
  Action action = Action::kFail;
  std::chrono::milliseconds delay{0};
  uint64_t from = 1;       // the first hit (1-based) that may act
  uint64_t times = 1;      // how many times it acts; 0 = always
  double probability = 1;  // 0..1
};

// Parses one "NAME=ACTION..." entry list (the FASTIO_FAULTS syntax) and arms every entry.
Status armFromText(std::string_view text);
void arm(std::string_view point, const Spec& spec);
void disarm(std::string_view point);
void disarmAll();

// Called at the point itself. Returns an error when the point is armed to fail now; sleeps
// or kills the process in place for the other actions; otherwise returns ok.
Status hit(std::string_view point);
// How often the point was reached since it was armed (tests).
uint64_t hits(std::string_view point);

}  // namespace fastio::faults
