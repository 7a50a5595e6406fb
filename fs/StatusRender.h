#pragma once
// Pure renderers for MOUNT/.fastio/: status (for people), stats.json, metrics (Prometheus text
// format) and version, all from one snapshot so the four files always agree.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace fastio::fs {

struct StatusSnapshot {
  std::string version;        // fastiofs version
  int64_t pid = 0;            // the daemon serving the mount (fastiofs unmount waits for it)
  std::string apiUrl;         // never carries a token
  bool online = true;         // false while the server is unreachable and we serve the cache
  std::string offlineReason;  // the last remote error when offline
  int64_t uptimeSeconds = 0;
  uint64_t workspaces = 0;
  uint64_t inodes = 0;
  uint64_t cacheBytesUsed = 0;
  uint64_t cacheBytesLimit = 0;
  // The upload queue (zero on a mount without write-back).
  uint64_t uploadsQueued = 0;       // files waiting for their idle delay or a worker
  uint64_t uploadBytesPending = 0;  // sizes of the files waiting for upload
  uint64_t journalBytes = 0;        // what the journal occupies on disk
  uint64_t uploadsInFlight = 0;
  uint64_t uploadBytesDone = 0;  // of the uploads in flight
  uint64_t uploadBytesTotal = 0;
  uint64_t uploadsStored = 0;  // since the mount
  uint64_t uploadBytesStored = 0;
  double uploadBytesPerSecond = 0;
  uint64_t uploadsParked = 0;  // stopped by a permanent error, kept locally
  uint64_t uploadConflicts = 0;
  uint64_t dirtyLimitBytes = 0;
  std::vector<std::string> uploadErrors;  // "file: reason" of parked uploads
  // name → value; counters only ever grow. Names are snake_case.
  std::vector<std::pair<std::string, uint64_t>> counters;
  std::vector<std::string> recentErrors;  // newest last, one line each
  struct Failure {
    std::string operation;  // "open", "write", ...
    std::string error;      // "EIO", "ENOSPC", ...
    uint64_t count = 0;
  };
  std::vector<Failure> failures;  // operations answered with an error, since the mount
};

std::string renderStatusText(const StatusSnapshot& s);
std::string renderStatsJson(const StatusSnapshot& s);
std::string renderPrometheusMetrics(const StatusSnapshot& s);
std::string renderVersion(const StatusSnapshot& s);

}  // namespace fastio::fs
