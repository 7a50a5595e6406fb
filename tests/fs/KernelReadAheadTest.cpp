// The kernel read-ahead knob of a mount (docs/SEMANTICS.md "Reads").
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "fs/fuse/KernelReadAhead.h"
#include "tests/support/TempDir.h"

namespace fastio::fuse {
namespace {

TEST(KernelReadAhead, FindsTheVisibleMountOfAPathInMountinfo) {
  const std::string mountinfo =
      "22 1 253:0 / / rw,relatime - ext4 /dev/vda rw\n"
      "40 22 0:39 / /mnt/drive rw - fuse.fastiofs fastiofs rw\n"
      "41 22 0:45 / /mnt/with\\040space rw - fuse.fastiofs fastiofs rw\n"
      "garbage line\n"
      "42 40 0:47 / /mnt/drive rw - fuse.fastiofs fastiofs rw\n";
  EXPECT_EQ(deviceOfMount(mountinfo, "/mnt/drive"), "0:47") << "the last mount on a path wins";
  EXPECT_EQ(deviceOfMount(mountinfo, "/mnt/with space"), "0:45");
  EXPECT_EQ(deviceOfMount(mountinfo, "/"), "253:0");
  EXPECT_FALSE(deviceOfMount(mountinfo, "/mnt").has_value());
  EXPECT_FALSE(deviceOfMount("", "/").has_value());
}

TEST(KernelReadAhead, RaisesButNeverLowersTheKnob) {
  const fastio::testing::TempDir tmp("fastiofs-bdi");
  const std::filesystem::path& root = tmp.path();
  std::ifstream in("/proc/self/mountinfo");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto device = deviceOfMount(text, "/");
  ASSERT_TRUE(device.has_value());
  std::filesystem::create_directories(root / *device);
  const auto knob = root / *device / "read_ahead_kb";
  auto value = [&] {
    std::ifstream f(knob);
    uint64_t v = 0;
    f >> v;
    return v;
  };
  std::ofstream(knob) << "128\n";
  EXPECT_TRUE(raiseKernelReadAhead("/", 1 << 20, root.string()).ok());
  EXPECT_EQ(value(), 1024u);
  std::ofstream(knob) << "4096\n";
  EXPECT_TRUE(raiseKernelReadAhead("/", 1 << 20, root.string()).ok());
  EXPECT_EQ(value(), 4096u) << "a larger setting is kept";
  EXPECT_FALSE(raiseKernelReadAhead("/no/such/mount", 1 << 20, root.string()).ok());
  std::filesystem::remove_all(root);
  EXPECT_FALSE(raiseKernelReadAhead("/", 1 << 20, root.string()).ok()) << "no knob: an error";
}

}  // namespace
}  // namespace fastio::fuse
