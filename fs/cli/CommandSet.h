#pragma once
// The fastiofs command line: every command group registers its subcommands here (one call in
// main.cpp per group); after parsing, the selected subcommand's runner returns the exit code.

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

namespace fastio::cli {

// Flags shared by every subcommand; they may appear before or after the subcommand name.
struct GlobalOptions {
  std::string apiUrl;     // --api-url; empty = FASTIO_BASE_URL or the public API
  std::string tokenFile;  // --token-file; empty = the default token file
  std::string logLevel = "warn";
};

class CommandSet {
 public:
  CommandSet(CLI::App& app, GlobalOptions& global);

  // Adds subcommand `name`; `run` executes it after a successful parse and returns the exit code.
  CLI::App* add(const std::string& name, const std::string& description, std::function<int()> run);
  // Runs the subcommand the user picked (exit code 2 when none was).
  int runSelected() const;

  GlobalOptions& global() { return global_; }
  CLI::App& app() { return app_; }

 private:
  CLI::App& app_;
  GlobalOptions& global_;
  std::vector<std::pair<CLI::App*, std::function<int()>>> commands_;
};

// Prints "fastiofs: <message>" on stderr and returns exit code 1.
int fail(const std::string& message);

}  // namespace fastio::cli
