// fastio-emulator: a local server of the documented Fast.io API subset (docs/EMULATOR.md).

#include <pthread.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "common/Log.h"
#include "emulator/EmulatorServer.h"
#include "emulator/state/Seeder.h"

namespace {

// "127.0.0.1:8080", "[::1]:8080" or ":8080" -> host, port.
bool parseListen(const std::string& text, std::string& host, int& port) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos) return false;
  std::string h = text.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  char* end = nullptr;
  long p = std::strtol(text.c_str() + colon + 1, &end, 10);
  if (end == text.c_str() + colon + 1 || *end != '\0' || p < 0 || p > 65535) return false;
  host = h.empty() ? "127.0.0.1" : h;
  port = static_cast<int>(p);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);  // a client hanging up must not kill the server

  fastio::emu::EmulatorConfig config;
  CLI::App app{"fastio-emulator: a local server of the documented Fast.io API subset"};
  std::string dataDir;
  std::string listen = "127.0.0.1:0";
  std::string seedDir;
  int aiDelayMs = static_cast<int>(config.aiDelay.count());
  app.add_option("--data", dataDir, "directory for the persistent state")->required();
  app.add_option("--listen", listen, "HOST:PORT to listen on (port 0 picks a free one)")
      ->capture_default_str();
  app.add_option("--token", config.token,
                 "API key accepted as a bearer token (default: $FASTIO_API_KEY, else "
                 "\"emulator-dev-token\")");
  app.add_option("--seed", seedDir, "create one workspace per sub-folder of this directory");
  app.add_option("--ai-delay-ms", aiDelayMs, "delay before a stored version is marked ready")
      ->capture_default_str();
  app.add_flag("--oauth-auto-approve", config.oauthAutoApprove,
               "approve OAuth authorization requests without a browser");
  app.add_option("--threads", config.threads, "HTTP worker threads")->capture_default_str();
  app.add_option("--log-level", config.logLevel, "trace, debug, info, warn, error, off")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  fastio::initLogging(config.logLevel);
  if (!parseListen(listen, config.host, config.port)) {
    std::fprintf(stderr, "fastio-emulator: --listen must be HOST:PORT, got \"%s\"\n",
                 listen.c_str());
    return 2;
  }
  if (config.token.empty()) {
    const char* env = std::getenv("FASTIO_API_KEY");
    config.token = env != nullptr && *env != '\0' ? env : "emulator-dev-token";
  }
  config.dataDir = dataDir;
  config.seedDir = seedDir;
  config.aiDelay = std::chrono::milliseconds(std::max(0, aiDelayMs));

  // SIGINT/SIGTERM are taken by one thread with sigwait, so stopping never runs in a handler.
  sigset_t stopSignals;
  sigemptyset(&stopSignals);
  sigaddset(&stopSignals, SIGINT);
  sigaddset(&stopSignals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);

  auto server = fastio::emu::EmulatorServer::create(config);
  if (!server.ok()) {
    std::fprintf(stderr, "fastio-emulator: %s\n", server.error().describe().c_str());
    return 1;
  }
  if (!config.seedDir.empty()) {
    auto seeded = fastio::emu::seedWorkspaces((*server)->state(), config.seedDir);
    if (!seeded.ok()) {
      std::fprintf(stderr, "fastio-emulator: %s\n", seeded.error().describe().c_str());
      return 1;
    }
    FASTIO_LOG_INFO("seeded {} workspace(s) from {}", *seeded, config.seedDir.string());
  }
  auto port = (*server)->bind();
  if (!port.ok()) {
    std::fprintf(stderr, "fastio-emulator: %s\n", port.error().describe().c_str());
    return 1;
  }

  std::thread signalThread([&server, stopSignals] {
    int sig = 0;
    sigwait(&stopSignals, &sig);
    if (sig != 0) (*server)->stop();
  });

  std::printf("listening on %s:%d\n", config.host.c_str(), *port);
  std::fflush(stdout);
  (*server)->run();

  // If run() ended for another reason, release the signal thread.
  pthread_kill(signalThread.native_handle(), SIGTERM);
  signalThread.join();
  return 0;
}
