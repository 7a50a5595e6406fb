#pragma once
// Settings of `fastiofs mount`, and the parser of its -o options. Every long option has a -o
// twin with underscores (api_url=, token_file=, cache_dir=, cache_size=), so the fstab /
// mount.fuse3 form works too. Pure functions: unit-tested without mounting.

#include <cstdint>
#include <string>
#include <string_view>

#include "common/Result.h"
#include "fs/FsOptions.h"

namespace fastio::cli {

struct MountSettings {
  std::string mountpoint;
  bool foreground = false;
  std::string apiUrl;
  std::string tokenFile;
  std::string cacheDir;  // empty: the default under $XDG_CACHE_HOME or ~/.cache
  uint64_t cacheSizeBytes = 10ull << 30;
  bool allowOther = false;
  bool debug = false;
  unsigned maxThreads = 16;
  uint64_t kernelReadAheadBytes = 1u << 20;          // kernel_read_ahead=; 0 leaves the default
  uint64_t dirtyLimitBytes = 0;                      // dirty_limit=; 0: a quarter of the cache size
  Duration drainTimeout = std::chrono::seconds(60);  // drain_timeout=: uploads at unmount/SIGTERM
  std::string logFile;   // empty: <cacheDir>/fastiofs.log when daemonized, stderr with -f
  std::string logLevel;  // empty: the global --log-level
  fs::FsOptions fs;
};

// Applies one option ("uid=1000", "allow_other", "cache_size=10G"). Standard mount options
// that mean nothing here (rw, dev, suid, exec, auto, _netdev, ...) are accepted and ignored.
Status applyMountOption(MountSettings& settings, std::string_view option);
// A comma-separated list, as after -o.
Status applyMountOptions(MountSettings& settings, std::string_view list);

// "4096", "64K", "10G", "1.5M" (binary units; a trailing "B"/"iB" is allowed).
Result<uint64_t> parseByteSize(std::string_view text);
// Seconds, fractions allowed: "5", "0.5".
Result<Duration> parseSeconds(std::string_view text);

// $XDG_CACHE_HOME/fastiofs, else $HOME/.cache/fastiofs, else /var/cache/fastiofs.
std::string defaultCacheDir();

}  // namespace fastio::cli
