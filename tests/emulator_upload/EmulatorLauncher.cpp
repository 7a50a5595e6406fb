#include "tests/emulator_upload/EmulatorLauncher.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

namespace fastio::emu::testing {

namespace {

bool waitForExit(pid_t pid, std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    int status = 0;
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid || r < 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

}  // namespace

EmulatorLauncher::EmulatorLauncher(std::vector<std::string> args) {
  int out[2];
  if (::pipe(out) != 0) {
    ADD_FAILURE() << "pipe failed";
    return;
  }
  args.insert(args.begin(), {FASTIO_EMULATOR_BINARY, "--listen", "127.0.0.1:0"});
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(out[1], STDOUT_FILENO);
    ::close(out[0]);
    ::close(out[1]);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  if (pid_ < 0) {
    ::close(out[0]);
    ADD_FAILURE() << "fork failed";
    return;
  }
  // Read stdout until "listening on 127.0.0.1:PORT\n" (the server is bound by then).
  std::string text;
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (port_ == 0 && std::chrono::steady_clock::now() < until) {
    pollfd p{out[0], POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    char buf[256];
    ssize_t n = ::read(out[0], buf, sizeof buf);
    if (n <= 0) break;  // exited
    text.append(buf, static_cast<std::size_t>(n));
    auto at = text.find("listening on ");
    auto eol = at == std::string::npos ? at : text.find('\n', at);
    if (eol != std::string::npos) {
      auto colon = text.rfind(':', eol);
      port_ = std::atoi(text.substr(colon + 1, eol - colon - 1).c_str());
    }
  }
  ::close(out[0]);  // later output goes nowhere; the emulator ignores SIGPIPE
  if (port_ == 0) ADD_FAILURE() << "the emulator did not start; it printed: " << text;
}

void EmulatorLauncher::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  waitForExit(pid_, std::chrono::seconds(10));
  pid_ = -1;
  port_ = 0;
}

EmulatorLauncher::~EmulatorLauncher() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  if (!waitForExit(pid_, std::chrono::seconds(15))) {
    ADD_FAILURE() << "the emulator did not stop within 15 s of SIGTERM";
    kill();
  }
}

}  // namespace fastio::emu::testing
