#pragma once
// Scriptable commands that drive the remote store without mounting:
//   fastiofs ls [WS[/PATH]]        fastiofs get WS/PATH LOCALFILE    fastiofs put LOCALFILE WS/PATH
//   fastiofs search WS QUERY       fastiofs ask WS QUESTION
// Errors print one line on stderr and exit 1.

#include "fs/cli/CommandSet.h"

namespace fastio::cli {

void registerClientCommands(CommandSet& commands);

}  // namespace fastio::cli
