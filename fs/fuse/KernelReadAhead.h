#pragma once
// The kernel's read-ahead for one FUSE mount. It starts at 128 KiB, so a sequential reader
// asks for 128 KiB per request; at 1 MiB it asks for one block per request, an eighth of the
// round trips. The INIT reply can only lower it; raising it takes a write to the mount's
// /sys/class/bdi/<major:minor>/read_ahead_kb, which needs root (best effort otherwise).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/Result.h"

namespace fastio::fuse {

// "major:minor" of the filesystem mounted at `mountpoint`, read from mountinfo text (the last
// mount on that path wins, as it is the visible one).
std::optional<std::string> deviceOfMount(std::string_view mountinfo, const std::string& mountpoint);

// Raises the read-ahead of the mount at `mountpoint` to `bytes` (never lowers it).
Status raiseKernelReadAhead(const std::string& mountpoint, uint64_t bytes,
                            const std::string& sysfsRoot = "/sys/class/bdi");

}  // namespace fastio::fuse
