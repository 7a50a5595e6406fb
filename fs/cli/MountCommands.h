#pragma once
// fastiofs mount / unmount / status (PRODUCT.md section 4).

#include "fs/cli/CommandSet.h"
#include "fs/cli/MountOptions.h"

namespace fastio::cli {

void registerMountCommands(CommandSet& commands);

// Mounts and serves until unmounted. Without settings.foreground, forks first and the calling
// process returns once the mount is ready (0) or failed (1, with one line on stderr).
int runMount(MountSettings settings);
int runUnmount(const std::string& mountpoint, int timeoutSeconds);
int runStatus(const std::string& mountpoint);

}  // namespace fastio::cli
