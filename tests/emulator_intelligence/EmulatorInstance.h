#pragma once
// Starts the built fastio-emulator on 127.0.0.1 with a free port (--listen 127.0.0.1:0; the port
// is read from its "listening on" line) and a given --data dir, and kills it in the destructor,
// so a failing test never leaves a process behind.

#include <httplib.h>
#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace fastio::emu::intelligence::testing {

class EmulatorInstance {
 public:
  static constexpr const char* kToken = "intelligence-test-token";

  // extraArgs are appended to the command line (e.g. --seed DIR, --ai-delay-ms N).
  EmulatorInstance(const std::filesystem::path& dataDir, const std::vector<std::string>& extraArgs);
  ~EmulatorInstance();
  EmulatorInstance(const EmulatorInstance&) = delete;
  EmulatorInstance& operator=(const EmulatorInstance&) = delete;

  bool running() const { return port_ > 0; }
  int port() const { return port_; }
  // A client with the bearer token set, for paths under /current.
  std::unique_ptr<httplib::Client> client() const;
  // Stops the process (SIGTERM, then SIGKILL) and waits for it.
  void stop();

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  int stdoutFd_ = -1;  // kept open so a later write to stdout cannot raise SIGPIPE
};

}  // namespace fastio::emu::intelligence::testing
