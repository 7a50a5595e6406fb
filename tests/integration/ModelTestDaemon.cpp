#include "tests/integration/ModelTestDaemon.h"

#include <signal.h>
#include <sys/stat.h>

#include <cerrno>
#include <fstream>
#include <thread>

namespace fastio::integration::model {

bool processGone(pid_t pid) {
  if (pid <= 0) return true;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return true;
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // "pid (comm) S ...": the state follows the last ')'.
  const size_t close = text.rfind(')');
  if (close == std::string::npos || close + 2 >= text.size()) return true;
  const char state = text[close + 2];
  return state == 'Z' || state == 'X';
}

bool waitProcessGone(pid_t pid, std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!processGone(pid)) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

bool waitMountDead(const MountedFastio& mount, std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  for (;;) {
    struct stat st {};
    if (::stat(mount.mountpoint().c_str(), &st) != 0 && errno == ENOTCONN) return true;
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

bool killDaemon(const MountedFastio& mount) {
  const pid_t pid = mount.daemonPid();
  if (pid <= 0) return false;
  ::kill(pid, SIGKILL);
  return waitProcessGone(pid, std::chrono::seconds(20)) &&
         waitMountDead(mount, std::chrono::seconds(20));
}

int runSync(const MountedFastio& mount, std::string* output, int timeoutSeconds) {
  return shell("'" + mount.binary() + "' sync '" + mount.mountpoint().string() + "' --timeout " +
                   std::to_string(timeoutSeconds) + " 2>&1",
               output);
}

}  // namespace fastio::integration::model
