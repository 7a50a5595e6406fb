#pragma once
// fastiofs login [--api-url URL] [--token-file FILE]: OAuth 2.0 + PKCE, headless. Prints the
// URL to open, reads the code the page shows from stdin, stores the tokens with mode 0600.

#include "fs/cli/CommandSet.h"

namespace fastio::cli {

void registerLoginCommand(CommandSet& commands);

}  // namespace fastio::cli
