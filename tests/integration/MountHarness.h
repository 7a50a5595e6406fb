#pragma once
// Mounts the build's fastiofs for real against an emulator, and always cleans up: the
// destructor lazily unmounts (fusermount3 -u -z), kills the daemon and removes its temp dirs,
// also when the test failed half-way.

#include <signal.h>
#include <sys/types.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/EmulatorProcess.h"

namespace fastio::integration {

// Runs `sh -c command`; returns the exit status and (when out is given) stdout.
int shell(const std::string& command, std::string* out = nullptr);

std::string readFile(const std::filesystem::path& p);
void writeFile(const std::filesystem::path& p, const std::string& content);
std::string md5Of(const std::filesystem::path& p);

class MountedFastio {
 public:
  // cacheDir empty: a fresh temp one (kept across remount() calls).
  explicit MountedFastio(testing::EmulatorProcess& emulator, std::filesystem::path cacheDir = {});
  ~MountedFastio();

  // Extra environment for the daemon (e.g. {"FASTIO_FAULTS", "upload.after_stored=abort"}).
  using Environment = std::vector<std::pair<std::string, std::string>>;

  // Runs `fastiofs mount`; returns its exit code. stderr lands in lastError().
  int mount(const std::string& extraOptions = "", const Environment& environment = {});
  // `fastiofs unmount`; returns its exit code.
  int unmount();
  // Lazy unmount and kill, for cleanup.
  void forceCleanup();

  const std::filesystem::path& mountpoint() const { return mountpoint_; }
  const std::filesystem::path& cacheDir() const { return cacheDir_; }
  std::filesystem::path path(const std::string& rel) const { return mountpoint_ / rel; }
  const std::string& lastError() const { return lastError_; }
  std::string daemonLog() const;
  pid_t daemonPid() const { return pid_; }
  std::string binary() const;

 private:
  testing::EmulatorProcess& emulator_;
  std::filesystem::path root_;  // temp dir holding mountpoint (and cache when ours)
  std::filesystem::path mountpoint_;
  std::filesystem::path cacheDir_;
  std::string lastError_;
  pid_t pid_ = -1;
};

}  // namespace fastio::integration
