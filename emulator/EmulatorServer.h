#pragma once
// The emulator's HTTP server: owns State, ActivityLog, FaultInjector and the httplib::Server,
// registers every self-registered routes file, and runs the pre-routing steps for /current/:
// body size limit, fault injection (latency, 429, 503, reset), x-ve-limit-* headers, bearer auth.

#include <httplib.h>

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "common/Result.h"
#include "emulator/EmulatorContext.h"
#include "emulator/FaultInjector.h"
#include "emulator/state/ActivityLog.h"
#include "emulator/state/State.h"
#include "emulator/state/StorageHooks.h"

namespace fastio::emu {

// httplib listens with a backlog of 5, too small for bursts of new clients; this lets the
// emulator widen it once bound (listen() again on a listening socket updates the backlog).
class HttpServer : public httplib::Server {
 public:
  bool widenBacklog(int backlog);
};

class EmulatorServer {
 public:
  // Opens the state under config.dataDir and registers every route; does not bind yet.
  static Result<std::unique_ptr<EmulatorServer>> create(EmulatorConfig config);
  ~EmulatorServer();

  // Binds config.host:config.port (0 = a free port); returns the bound port.
  Result<int> bind();
  // Serves until stop(); then runs the shutdown callbacks.
  void run();
  // Thread-safe; wakes long-polls and makes run() return.
  void stop();

  State& state() { return *state_; }
  EmulatorContext& context() { return *context_; }

 private:
  explicit EmulatorServer(EmulatorConfig config);
  httplib::Server::HandlerResponse preRoute(const httplib::Request& req, httplib::Response& res);
  void configureServer();
  void runShutdownCallbacks();

  EmulatorConfig config_;
  ActivityLog activity_;
  StorageHooks hooks_;
  FaultInjector faults_;
  AuthPolicy auth_;
  EmulatorStats stats_;
  std::unique_ptr<State> state_;
  HttpServer server_;
  std::unique_ptr<EmulatorContext> context_;
  std::mutex shutdownMu_;
  std::vector<std::function<void()>> shutdownCallbacks_;
  bool shutdownDone_ = false;
};

}  // namespace fastio::emu
