#pragma once
// Mount-level settings the filesystem core reads. Filled from the command line and -o options.

#include <chrono>
#include <cstdint>
#include <string>

#include "common/Clock.h"
#include "common/Version.h"

namespace fastio::fs {

struct FsOptions {
  // Ownership and modes shown for every file: chmod/chown are not stored remotely.
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint32_t umask = 022;
  bool readOnly = false;

  Duration attrTtl = std::chrono::seconds(5);      // how long the kernel and we trust attributes
  Duration entryTtl = std::chrono::seconds(5);     // how long a name → inode answer holds
  Duration negativeTtl = std::chrono::seconds(1);  // how long "no such name" holds in the kernel
  // A folder the activity poll reports changed is listed again, for lookups, at most this
  // often, for names it does not hold (a name it holds is always asked again).
  Duration relistGap = std::chrono::seconds(1);
  Duration searchTtl = std::chrono::seconds(60);      // .search answers
  Duration askTtl = std::chrono::hours(1);            // .ask answers
  Duration remoteTimeout = std::chrono::seconds(60);  // one metadata or block request
  Duration askTimeout = std::chrono::seconds(120);

  uint32_t blockSize = 1u << 20;             // unit of fetching and caching file content
  uint64_t readAheadMaxBytes = 16ull << 20;  // read-ahead window ceiling
  uint32_t readAheadThreads = 2;
  uint64_t readAheadRunBytes = 4ull << 20;  // read-ahead fetched per request
  uint32_t folderReadAheadFiles = 32;       // next files fetched ahead in a folder scan; 0: off

  // Write-back (docs/SEMANTICS.md "Writes").
  Duration uploadDelay = std::chrono::seconds(2);  // idle time after the last change or close
  uint32_t uploadThreads = 8;                      // files uploading at once
  uint64_t dirtyLimitBytes = 2ull << 30;           // staged dirty bytes; writes wait above it
  Duration dirtyWait = std::chrono::seconds(30);   // ... this long, then fail with ENOSPC
  bool syncUpload = false;                         // fsync waits until the upload is stored
  uint64_t maxFileSizeBytes = 0;                   // 0 = the server's limit is unknown
  std::string hostName;                            // in conflict copy names

  bool watchChanges = true;  // one activity long-poll per workspace
  int activityWaitSeconds = 20;

  std::string version{fastioVersion()};
  std::string apiUrl;           // for .fastio/status; never carries a token
  uint64_t cacheSizeBytes = 0;  // for .fastio/status
};

}  // namespace fastio::fs
