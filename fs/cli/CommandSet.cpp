#include "fs/cli/CommandSet.h"

#include <iostream>

#include "common/Log.h"

namespace fastio::cli {

CommandSet::CommandSet(CLI::App& app, GlobalOptions& global) : app_(app), global_(global) {
  app_.add_option("--api-url", global_.apiUrl,
                  "API base URL (default: $FASTIO_BASE_URL or https://api.fast.io/current)");
  app_.add_option("--token-file", global_.tokenFile,
                  "token file (mode 0600; default ~/.config/fastiofs/token.json)");
  app_.add_option("--log-level", global_.logLevel, "trace, debug, info, warn, error or off");
}

CLI::App* CommandSet::add(const std::string& name, const std::string& description,
                          std::function<int()> run) {
  CLI::App* sub = app_.add_subcommand(name, description);
  sub->fallthrough();  // lets the global flags follow the subcommand
  commands_.emplace_back(sub, std::move(run));
  return sub;
}

int CommandSet::runSelected() const {
  for (const auto& [sub, run] : commands_) {
    if (sub->parsed()) return run();
  }
  std::cerr << app_.help();
  return 2;
}

int fail(const std::string& message) {
  std::cerr << "fastiofs: " << redactSecrets(message) << std::endl;
  return 1;
}

}  // namespace fastio::cli
