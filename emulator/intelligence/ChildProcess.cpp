#include "emulator/intelligence/ChildProcess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/FdIo.h"

extern char** environ;

namespace fastio::emu::intelligence {
namespace {

int waitForExit(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

Result<ChildOutput> runChild(const std::vector<std::string>& argv,
                             std::chrono::milliseconds timeout, size_t maxOutputBytes) {
  if (argv.empty()) return makeError(ErrorCode::kInvalid, "runChild: empty argv");
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return makeError(ErrorCode::kIo, std::string("pipe: ") + std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);

  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  pid_t pid = -1;
  const int spawned = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (spawned != 0) {
    close(fds[0]);
    return makeError(ErrorCode::kIo, "cannot start " + argv[0] + ": " + std::strerror(spawned));
  }

  ChildOutput result;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool timedOut = false;
  char buffer[65536];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timedOut = true;
      break;
    }
    pollfd pfd{fds[0], POLLIN, 0};
    const int ready = poll(&pfd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      timedOut = ready == 0;
      break;
    }
    const ssize_t n = fdio::readOnce(fds[0], buffer, sizeof buffer);
    if (n <= 0) break;
    const size_t room = maxOutputBytes - result.out.size();
    result.out.append(buffer, std::min(static_cast<size_t>(n), room));
    if (static_cast<size_t>(n) >= room) {
      result.truncated = true;
      break;
    }
  }
  close(fds[0]);
  if (timedOut || result.truncated) kill(pid, SIGKILL);
  result.exitCode = waitForExit(pid);
  if (timedOut) {
    return makeError(ErrorCode::kDeadline,
                     argv[0] + " did not finish within " + std::to_string(timeout.count()) + " ms");
  }
  return result;
}

}  // namespace fastio::emu::intelligence
