// fastiofs: the composition root. Each command group registers itself on one line below.

#include <CLI/CLI.hpp>
#include <set>
#include <string>
#include <vector>

#include "common/Log.h"
#include "common/Version.h"
#include "fs/cli/ClientCommands.h"
#include "fs/cli/CommandSet.h"
#include "fs/cli/FstabForm.h"
#include "fs/cli/LoginCommand.h"
#include "fs/cli/MountCommands.h"

int main(int argc, char** argv) {
  CLI::App app{"fastiofs: Fast.io workspaces as a filesystem, and commands to use them"};
  app.set_version_flag("--version", "fastiofs " + std::string(fastio::fastioVersion()));
  fastio::cli::GlobalOptions global;
  fastio::cli::CommandSet commands(app, global);

  fastio::cli::registerClientCommands(commands);  // ls, get, put, search, ask
  fastio::cli::registerLoginCommand(commands);    // login
  fastio::cli::registerMountCommands(commands);   // mount, unmount, status

  app.require_subcommand(1);
  std::set<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    names.insert(sub->get_name());
  }
  std::vector<std::string> args =
      fastio::cli::rewriteFstabForm(std::vector<std::string>(argv, argv + argc), names);
  try {
    // CLI11 takes the arguments in reverse order, program name excluded.
    std::vector<std::string> reversed(args.rbegin(), args.rend() - 1);
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  fastio::initLogging(global.logLevel);
  return commands.runSelected();
}
