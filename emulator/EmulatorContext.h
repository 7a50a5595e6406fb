#pragma once
// What route code receives at start-up: the HTTP server to register on, the persistent State,
// the activity long-poll log, the configuration, the fault injector and the request counters.
// Routes files register themselves (routes/RouteRegistry.h); nothing here needs editing to add one.

#include <httplib.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "emulator/EmulatorStats.h"
#include "emulator/FaultInjector.h"
#include "emulator/state/ActivityLog.h"
#include "emulator/state/State.h"

namespace fastio::emu {

// Every API route lives under this prefix.
inline constexpr const char* kApiPrefix = "/current";

struct EmulatorConfig {
  std::filesystem::path dataDir;
  std::string host = "127.0.0.1";
  int port = 0;       // 0 = pick a free port
  std::string token;  // the static API key accepted as a bearer token
  std::filesystem::path seedDir;
  // Delay before the intelligence pipeline marks a stored version ready.
  std::chrono::milliseconds aiDelay{300};
  bool oauthAutoApprove = false;
  // Bodies above these sizes are refused with 413 before they are read.
  std::size_t maxFormBodyBytes = 1u << 20;             // every API route but the upload ones
  std::size_t maxUploadBodyBytes = 110u * (1u << 20);  // /current/upload/... (100 MiB chunk + form)
  int threads = 256;  // worker threads: long-polls each hold one for up to 95 s
  std::string logLevel = "info";
};

// Requests that need no bearer token (OAuth endpoints, token downloads). Route files add their
// own predicates at registration time; the server consults them before checking Authorization.
class AuthPolicy {
 public:
  using Predicate = std::function<bool(const httplib::Request&)>;
  void allowAnonymous(Predicate p) {
    std::lock_guard lock(mu_);
    anonymous_.push_back(std::move(p));
  }
  bool isAnonymousAllowed(const httplib::Request& req) const {
    std::lock_guard lock(mu_);
    for (const auto& p : anonymous_) {
      if (p(req)) return true;
    }
    return false;
  }

 private:
  mutable std::mutex mu_;
  std::vector<Predicate> anonymous_;
};

struct EmulatorContext {
  httplib::Server& server;
  State& state;
  ActivityLog& activity;
  const EmulatorConfig& config;
  FaultInjector& faults;
  AuthPolicy& auth;
  EmulatorStats& stats;
  // Called once, in reverse order of registration, when the server shuts down (stop workers).
  std::function<void(std::function<void()>)> onShutdown;
};

}  // namespace fastio::emu
