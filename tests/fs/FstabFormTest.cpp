#include <gtest/gtest.h>

#include "fs/cli/FstabForm.h"

namespace fastio::cli {
namespace {

using Args = std::vector<std::string>;
const std::set<std::string> kCommands{"mount", "unmount", "status", "ls", "get", "put"};

// SEMANTICS "Command line": the mount.fuse3 / fstab form.
TEST(FstabFormTest, SourceAndMountPointBecomeAMountCommand) {
  EXPECT_EQ(
      rewriteFstabForm({"fastiofs", "none", "/mnt/fio", "-o", "api_url=http://x,ro"}, kCommands),
      (Args{"fastiofs", "mount", "/mnt/fio", "-o", "api_url=http://x,ro"}));
  EXPECT_EQ(rewriteFstabForm({"fastiofs", "fastio", "/mnt/fio"}, kCommands),
            (Args{"fastiofs", "mount", "/mnt/fio"}));
}

TEST(FstabFormTest, OrdinaryCommandLinesAreUntouched) {
  for (const Args& args :
       {Args{"fastiofs", "mount", "/mnt", "-f"}, Args{"fastiofs", "ls", "ws"},
        Args{"fastiofs", "--version"}, Args{"fastiofs"}, Args{"fastiofs", "none"},
        Args{"fastiofs", "none", "-o", "ro"}, Args{"fastiofs", "--api-url", "http://x", "ls"}}) {
    EXPECT_EQ(rewriteFstabForm(args, kCommands), args);
  }
}

}  // namespace
}  // namespace fastio::cli
