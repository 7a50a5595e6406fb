// The life of a writable mount (docs/SEMANTICS.md "Unmount and restart"): `fastiofs sync` and
// `fastiofs unmount` exit codes and progress line, SIGTERM draining the queue, one daemon per
// cache directory, and `fastiofs mount` over the dead mount of a daemon killed with -9.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/integration/WriteHarness.h"
#include "tests/support/ApiClient.h"

namespace fastio::integration {
namespace {

namespace fsys = std::filesystem;

bool mounted(const fsys::path& mountpoint) {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.find(" " + mountpoint.string() + " ") != std::string::npos) return true;
  }
  return false;
}

// Sets emulator faults for the scope of one object; cleared when it goes away.
class Faults {
 public:
  Faults(const testing::EmulatorProcess& emulator, const std::string& json)
      : control_(emulator.port(), "") {
    ok_ = control_.postJson("/_emulator/faults", json).status == 200;
  }
  ~Faults() { clear(); }
  void clear() { control_.postJson("/_emulator/reset", "{}"); }
  bool ok() const { return ok_; }

 private:
  testing::ApiClient control_;
  bool ok_ = false;
};

using LifecycleTest = WriteMountTest;

// `fastiofs sync`: exit 0 once stored, 1 on its timeout; on a terminal it draws
// "uploading: N files, X to upload"
TEST_F(LifecycleTest, SyncExitCodesAndProgressLine) {
  writeFile(at("docs/slow.txt"), "uploaded slowly\n");
  std::string out;
  {
    Faults slow(*emulator_, R"({"latency_ms": 1500})");
    ASSERT_TRUE(slow.ok());
    // script(1) gives the command a terminal, where the progress line is drawn.
    const int rc = shell("script -qec \"'" + mount_->binary() + "' sync '" +
                             mount_->mountpoint().string() + "' --timeout 1\" /dev/null 2>&1",
                         &out);
    EXPECT_EQ(rc, 1) << out;
    EXPECT_NE(out.find("\r\033[Kuploading: 1 file, "), std::string::npos) << out;
    EXPECT_NE(out.find("not everything is stored after 1 s"), std::string::npos) << out;
  }
  EXPECT_EQ(syncMount(*mount_, 120, &out), 0) << out;
  EXPECT_EQ(server_->content(server_->idAt("docs/slow.txt")), "uploaded slowly\n");
  EXPECT_NE(shell("'" + mount_->binary() + "' sync '" + scratch().string() + "' 2>&1", &out), 0);
  EXPECT_NE(out.find("not a fastiofs mount"), std::string::npos) << out;
}

// `fastiofs unmount`: exit 2 when it unmounted with uploads left (they resume at the next
// mount), 0 when everything was stored
TEST_F(LifecycleTest, UnmountExitCodesAndUploadsLeftResumeAtTheNextMount) {
  writeFile(at("docs/left.txt"), "left in the journal\n");
  std::string out;
  {
    Faults failing(*emulator_, R"({"error_rate": 1.0})");
    ASSERT_TRUE(failing.ok());
    EXPECT_EQ(unmountWithTimeout(*mount_, 2, &out), 2) << out;
    EXPECT_NE(out.find("1 file, "), std::string::npos) << out;
    EXPECT_NE(out.find("left"), std::string::npos) << out;
  }
  EXPECT_FALSE(mounted(mount_->mountpoint()));
  EXPECT_EQ(server_->idAt("docs/left.txt"), "");

  ASSERT_EQ(mount_->mount("upload_delay=600"), 0) << mount_->lastError();
  EXPECT_EQ(readFile(at("docs/left.txt")), "left in the journal\n");
  writeFile(at("docs/more.txt"), "more\n");
  ASSERT_EQ(unmountWithTimeout(*mount_, 60, &out), 0) << out;
  EXPECT_FALSE(mounted(mount_->mountpoint()));
  EXPECT_EQ(server_->content(server_->idAt("docs/left.txt")), "left in the journal\n");
  EXPECT_EQ(server_->content(server_->idAt("docs/more.txt")), "more\n");
}

// SIGTERM ends the mount like `umount`: the daemon unmounts, uploads what is pending, exits.
// Meanwhile the cache directory belongs to it: a second mount fails naming it.
TEST_F(LifecycleTest, SigtermDrainsAndASecondMountOfTheCacheDirectoryFails) {
  const pid_t pid = mount_->daemonPid();
  MountedFastio second(*emulator_, mount_->cacheDir());
  EXPECT_NE(second.mount(), 0);
  EXPECT_NE(second.lastError().find("in use"), std::string::npos) << second.lastError();
  EXPECT_NE(second.lastError().find(std::to_string(pid)), std::string::npos) << second.lastError();

  writeFile(at("docs/drained-1.txt"), "drained one\n");
  writeFile(at("docs/drained-2.bin"), bytesOf(6 * kMiB, 9));
  {
    Faults slow(*emulator_, R"({"latency_ms": 700})");
    ASSERT_TRUE(slow.ok());
    ASSERT_EQ(::kill(pid, SIGTERM), 0);
    // The drain takes a while at this latency: a mount now is told who is still uploading.
    ASSERT_TRUE(eventually([&] { return fsys::exists(mount_->cacheDir() / "drain.json"); }))
        << "the daemon never reported its drain";
    EXPECT_NE(second.mount(), 0);
    EXPECT_NE(second.lastError().find("still uploading"), std::string::npos) << second.lastError();
    EXPECT_NE(second.lastError().find("pid " + std::to_string(pid)), std::string::npos)
        << second.lastError();
  }
  EXPECT_TRUE(eventually([&] { return !processAlive(pid); }, std::chrono::seconds(60)))
      << "the daemon did not exit after SIGTERM";
  EXPECT_FALSE(mounted(mount_->mountpoint()));
  EXPECT_EQ(server_->content(server_->idAt("docs/drained-1.txt")), "drained one\n");
  EXPECT_TRUE(server_->content(server_->idAt("docs/drained-2.bin")) == bytesOf(6 * kMiB, 9));
}

// `fastiofs mount` over the dead mount of a daemon killed with -9: the mount comes back with
// one command, and what the dead daemon had pending is uploaded without being asked
TEST_F(LifecycleTest, MountOverAKilledDaemonClearsTheDeadMountAndUploadsItsPendingFiles) {
  writeFile(at("docs/orphan.txt"), "written before the crash\n");
  ASSERT_EQ(shell("echo 'edited before the crash' >> '" + at("top.txt").string() + "'"), 0);
  killDaemon(*mount_);
  std::string out;
  EXPECT_NE(shell("ls '" + at("docs").string() + "' 2>&1", &out), 0) << "the mount is dead";

  ASSERT_EQ(mount_->mount("upload_delay=1"), 0) << mount_->lastError();
  EXPECT_NE(mount_->lastError().find("cleared the dead mount"), std::string::npos)
      << mount_->lastError();
  EXPECT_EQ(readFile(at("docs/orphan.txt")), "written before the crash\n");
  const std::string top = seedFiles().at("top.txt") + "edited before the crash\n";
  EXPECT_EQ(readFile(at("top.txt")), top);
  EXPECT_TRUE(eventually(
      [&] {
        const std::string id = server_->idAt("docs/orphan.txt");
        return !id.empty() && server_->content(server_->idAt("top.txt")) == top;
      },
      std::chrono::seconds(60)))
      << "the dead daemon's pending uploads were not resumed";
  EXPECT_EQ(server_->content(server_->idAt("docs/orphan.txt")), "written before the crash\n");
}

}  // namespace
}  // namespace fastio::integration
