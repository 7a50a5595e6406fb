#pragma once
// Starts the build's fastio-emulator for a test: on 127.0.0.1 with a free port, a fresh temp
// --data directory (unless one is given), waiting until it prints "listening on ...". The
// destructor stops it (SIGTERM, then SIGKILL) and removes the temp directory, also when the test
// failed. The child dies with the test process (PR_SET_PDEATHSIG). Failures throw
// std::runtime_error with the emulator's log attached.

#include <httplib.h>
#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/TempDir.h"

namespace fastio::testing {

struct EmulatorOptions {
  std::string token = "test-token";
  std::filesystem::path dataDir;  // empty: a temp directory owned by the EmulatorProcess
  std::filesystem::path seedDir;  // optional --seed
  std::vector<std::string> extraArgs;
  std::filesystem::path binary;  // empty: the fastio-emulator this build produced
};

class EmulatorProcess {
 public:
  explicit EmulatorProcess(EmulatorOptions options = {});
  ~EmulatorProcess();
  EmulatorProcess(const EmulatorProcess&) = delete;
  EmulatorProcess& operator=(const EmulatorProcess&) = delete;

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::string& token() const { return options_.token; }
  const std::filesystem::path& dataDir() const { return options_.dataDir; }
  std::string baseUrl() const;  // "http://127.0.0.1:PORT"

  // SIGKILL and reap, as a crash would (no clean shutdown).
  void kill9();
  // SIGTERM and reap; returns the exit status (or -1 if it had to be killed).
  int stop();
  // Starts again on the same data directory (after kill9() or stop()); the port may change.
  void restart();
  bool running() const { return pid_ > 0; }

  // A client for this emulator with "Authorization: Bearer <token>" and sane timeouts.
  std::unique_ptr<httplib::Client> client() const;
  std::unique_ptr<httplib::Client> anonymousClient() const;
  // The emulator's combined stdout/stderr so far (for failure messages).
  std::string log() const;

 private:
  void start();

  EmulatorOptions options_;
  TempDir tempDir_{"fastio-emu-test"};  // the log, and the data unless options name one
  std::filesystem::path logPath_;
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace fastio::testing
