#pragma once
// The daemon of a MountedFastio as the model and crash tests handle it: kill -9 it and wait
// until it is gone, wait for one that kills itself at a fault point, run `fastiofs sync`.

#include <sys/types.h>

#include <chrono>
#include <string>

#include "tests/integration/MountHarness.h"

namespace fastio::integration::model {

// Gone: no such process, or a zombie (a daemon is reaped by whoever adopted it).
bool processGone(pid_t pid);
// Waits (polling /proc) until the process is gone or `limit` passed; returns whether it is.
bool waitProcessGone(pid_t pid, std::chrono::milliseconds limit);
// Waits until the kernel has aborted the mount's connection (stat answers ENOTCONN): the
// dead mount that `fastiofs mount` clears. The daemon's main thread may show as a zombie a
// moment before its other threads are gone and the connection with them.
bool waitMountDead(const MountedFastio& mount, std::chrono::milliseconds limit);
// SIGKILL to the mount's daemon, then waits until it and its mount are dead; false when they
// never went.
bool killDaemon(const MountedFastio& mount);
// `fastiofs sync MOUNTPOINT`: its exit code; stdout+stderr into *output.
int runSync(const MountedFastio& mount, std::string* output, int timeoutSeconds = 180);

}  // namespace fastio::integration::model
