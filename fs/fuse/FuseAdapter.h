#pragma once
// The libfuse3 low-level adapter: decodes each request, calls the FileSystem core, maps errors
// through ErrnoMap and replies. It also sends the kernel invalidations the core queues (as the
// KernelInvalidator the core's notifier thread calls). This header does not include libfuse, so
// the command line can use it without knowing FUSE.

#include <atomic>
#include <memory>
#include <string>

#include "common/Result.h"
#include "fs/FileSystem.h"
#include "fs/KernelNotifier.h"

struct fuse_session;

namespace fastio::fuse {

struct FuseMountConfig {
  std::string mountpoint;
  bool allowOther = false;
  bool readOnly = false;
  bool debug = false;        // libfuse's request trace on stderr
  unsigned maxThreads = 16;  // request threads of the multithreaded loop
  uint32_t maxReadBytes = 1u << 20;
  uint64_t kernelReadAheadBytes = 1u << 20;  // 0: leave the kernel's default (128 KiB)
};

class FuseAdapter final : public fs::KernelInvalidator {
 public:
  FuseAdapter(fs::FileSystem& fs, FuseMountConfig config);
  ~FuseAdapter() override;
  FuseAdapter(const FuseAdapter&) = delete;
  FuseAdapter& operator=(const FuseAdapter&) = delete;

  // Creates the session and mounts; when this returns ok, the mount point shows the filesystem.
  Status mount();
  // Serves requests on the multithreaded loop until unmounted or SIGINT/SIGTERM/SIGHUP.
  Status run();
  // Ends the loop from another thread (tests).
  void requestExit();
  // Unmounts (if mounted) and destroys the session. Idempotent.
  void unmount();

  void invalidateInode(uint64_t ino) override;
  void invalidateEntry(uint64_t parent, const std::string& name) override;

  fs::FileSystem& filesystem() { return fs_; }
  const FuseMountConfig& config() const { return config_; }

 private:
  fs::FileSystem& fs_;
  FuseMountConfig config_;
  struct fuse_session* session_ = nullptr;
  std::atomic<bool> mounted_{false};
  bool signalsInstalled_ = false;
};

}  // namespace fastio::fuse
