#include "EmulatorInstance.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

extern char** environ;

namespace fastio::emu::intelligence::testing {
namespace {

// Reads the child's stdout until the "listening on HOST:PORT" line (or a timeout).
int readPort(int fd, std::chrono::seconds timeout) {
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buffer[512];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd pfd{fd, POLLIN, 0};
    if (poll(&pfd, 1, 100) <= 0) continue;
    const ssize_t n = read(fd, buffer, sizeof buffer);
    if (n <= 0) return 0;
    out.append(buffer, static_cast<size_t>(n));
    const auto at = out.find("listening on ");
    const auto nl = at == std::string::npos ? std::string::npos : out.find('\n', at);
    if (nl != std::string::npos) {
      const auto colon = out.rfind(':', nl);
      return std::stoi(out.substr(colon + 1, nl - colon - 1));
    }
  }
  return 0;
}

}  // namespace

EmulatorInstance::EmulatorInstance(const std::filesystem::path& dataDir,
                                   const std::vector<std::string>& extraArgs) {
  std::vector<std::string> args = {FASTIO_EMULATOR_BINARY,
                                   "--data",
                                   dataDir.string(),
                                   "--listen",
                                   "127.0.0.1:0",
                                   "--token",
                                   kToken};
  args.insert(args.end(), extraArgs.begin(), extraArgs.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  const int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (rc != 0) {
    pid_ = -1;
    close(fds[0]);
    return;
  }
  stdoutFd_ = fds[0];
  port_ = readPort(stdoutFd_, std::chrono::seconds(30));
  if (port_ <= 0) stop();
}

EmulatorInstance::~EmulatorInstance() {
  stop();
}

void EmulatorInstance::stop() {
  if (stdoutFd_ >= 0 && pid_ <= 0) {
    close(stdoutFd_);
    stdoutFd_ = -1;
  }
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  for (int i = 0; i < 100; ++i) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      port_ = 0;
      stop();  // closes the pipe
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
  port_ = 0;
  stop();  // closes the pipe
}

std::unique_ptr<httplib::Client> EmulatorInstance::client() const {
  auto c = std::make_unique<httplib::Client>("127.0.0.1", port_);
  c->set_bearer_token_auth(kToken);
  c->set_read_timeout(30, 0);
  return c;
}

}  // namespace fastio::emu::intelligence::testing
