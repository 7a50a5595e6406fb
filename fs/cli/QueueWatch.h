#pragma once
// The upload queue of a running mount, seen from the command line through its
// .fastio/stats.json: `fastiofs sync` and `fastiofs unmount` ask the daemon to upload now
// (SIGUSR1) and wait here until the queue is empty, drawing a progress line.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fastio::cli {

struct QueueState {
  int64_t pid = 0;
  uint64_t queued = 0;
  uint64_t inFlight = 0;
  uint64_t bytesPending = 0;  // staged locally, not stored yet
  uint64_t failed = 0;        // parked by a permanent error
  double bytesPerSecond = 0;
  std::vector<std::string> errors;

  bool idle() const { return queued == 0 && inFlight == 0; }
};

// Parses stats.json text; nullopt when it is not one.
std::optional<QueueState> parseQueueState(const std::string& statsJson);
std::optional<QueueState> readQueueState(const std::string& mountpoint);

// "3 files, 12.0 MiB to upload, 4.1 MiB/s"
std::string describeQueue(const QueueState& state);

enum class QueueWait { kEmpty, kTimedOut, kGone };
// Asks the daemon to upload everything now and waits until nothing is pending or in flight
// (failed uploads do not count), up to `timeout`. Progress goes to stderr when it is a
// terminal, else one line every ten seconds. `last` receives the final state seen.
QueueWait drainQueue(const std::string& mountpoint, std::chrono::seconds timeout, QueueState* last);

}  // namespace fastio::cli
