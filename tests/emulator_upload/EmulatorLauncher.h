#pragma once
// Starts the build's fastio-emulator on a free 127.0.0.1 port (--listen 127.0.0.1:0, the port is
// read from its "listening on" line) and kills it in the destructor, so a failing test never
// leaves a process behind.

#include <sys/types.h>

#include <string>
#include <vector>

namespace fastio::emu::testing {

class EmulatorLauncher {
 public:
  // args: everything after the binary except --listen. Fails the current test on error.
  explicit EmulatorLauncher(std::vector<std::string> args);
  ~EmulatorLauncher();
  EmulatorLauncher(const EmulatorLauncher&) = delete;
  EmulatorLauncher& operator=(const EmulatorLauncher&) = delete;

  bool running() const { return pid_ > 0 && port_ > 0; }
  int port() const { return port_; }
  // SIGKILL: no chance to flush or clean up, like a crash.
  void kill();

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace fastio::emu::testing
