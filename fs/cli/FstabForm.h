#pragma once
// mount.fuse3 and /etc/fstab run a FUSE filesystem as `fastiofs SOURCE MOUNTPOINT -o OPTIONS`.
// This turns that form into `fastiofs mount MOUNTPOINT -o OPTIONS` (SOURCE is ignored: the
// workspaces come from the account), and leaves every other command line untouched.

#include <set>
#include <string>
#include <vector>

namespace fastio::cli {

std::vector<std::string> rewriteFstabForm(const std::vector<std::string>& args,
                                          const std::set<std::string>& subcommands);

}  // namespace fastio::cli
