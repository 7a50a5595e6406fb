#pragma once
// fastiofs mount / unmount / status / sync (PRODUCT.md section 4).

#include "fs/cli/CommandSet.h"
#include "fs/cli/MountOptions.h"

namespace fastio::cli {

void registerMountCommands(CommandSet& commands);

// Mounts and serves until unmounted. Without settings.foreground, forks first and the calling
// process returns once the mount is ready (0) or failed (1, with one line on stderr).
int runMount(MountSettings settings);
// Uploads what is pending (with a progress line), unmounts, waits for the daemon. 0 when all
// was stored; 2 when unmounted with uploads left in the cache (they resume at the next mount).
int runUnmount(const std::string& mountpoint, int timeoutSeconds);
// Waits until every pending upload is stored: 0, or 1 with what is left or failed.
int runSync(const std::string& mountpoint, int timeoutSeconds);
int runStatus(const std::string& mountpoint);

}  // namespace fastio::cli
