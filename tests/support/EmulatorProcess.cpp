#include "tests/support/EmulatorProcess.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace fastio::testing {

namespace fs = std::filesystem;

namespace {

// Waits for the child up to `timeout`; true if it was reaped.
bool reap(pid_t pid, std::chrono::milliseconds timeout, int* status) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    pid_t r = ::waitpid(pid, status, WNOHANG);
    if (r == pid || (r < 0 && errno == ECHILD)) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace

EmulatorProcess::EmulatorProcess(EmulatorOptions options) : options_(std::move(options)) {
  if (options_.binary.empty()) {
#ifdef FASTIO_EMULATOR_BINARY
    options_.binary = FASTIO_EMULATOR_BINARY;
#else
    throw std::runtime_error("no emulator binary: set EmulatorOptions::binary");
#endif
  }
  if (options_.dataDir.empty()) options_.dataDir = tempDir_.path() / "data";
  logPath_ = tempDir_.path() / "emulator.log";
  start();  // when it throws, tempDir_ is removed as the object unwinds
}

EmulatorProcess::~EmulatorProcess() {
  if (pid_ > 0) stop();
}

void EmulatorProcess::start() {
  std::vector<std::string> args = {options_.binary.string(),
                                   "--data",
                                   options_.dataDir.string(),
                                   "--listen",
                                   "127.0.0.1:0",
                                   "--token",
                                   options_.token};
  if (!options_.seedDir.empty()) {
    args.push_back("--seed");
    args.push_back(options_.seedDir.string());
  }
  for (const auto& a : options_.extraArgs) args.push_back(a);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int logFd = ::open(logPath_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (logFd < 0) throw std::runtime_error("cannot open " + logPath_.string());
  std::uintmax_t logStart = fs::file_size(logPath_);
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(logFd);
    throw std::runtime_error("fork failed");
  }
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(logFd, STDOUT_FILENO);
    ::dup2(logFd, STDERR_FILENO);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(logFd);
  pid_ = pid;

  // The emulator prints "listening on 127.0.0.1:PORT" once it accepts connections.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(logPath_);
    in.seekg(static_cast<std::streamoff>(logStart));
    std::string line;
    while (std::getline(in, line)) {
      auto pos = line.find("listening on 127.0.0.1:");
      if (pos != std::string::npos) {
        port_ = std::atoi(line.c_str() + pos + std::string("listening on 127.0.0.1:").size());
        if (port_ > 0) return;
      }
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("fastio-emulator exited during start-up:\n" + log());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill9();
  throw std::runtime_error("fastio-emulator did not start within 30 s:\n" + log());
}

std::string EmulatorProcess::baseUrl() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

void EmulatorProcess::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  reap(pid_, std::chrono::seconds(10), &status);
  pid_ = -1;
}

int EmulatorProcess::stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  if (reap(pid_, std::chrono::seconds(10), &status)) {
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  kill9();
  return -1;
}

void EmulatorProcess::restart() {
  if (pid_ > 0) stop();
  start();
}

std::unique_ptr<httplib::Client> EmulatorProcess::anonymousClient() const {
  auto c = std::make_unique<httplib::Client>("127.0.0.1", port_);
  c->set_connection_timeout(5);
  c->set_read_timeout(120);  // long-polls hold up to 95 s
  c->set_write_timeout(60);
  return c;
}

std::unique_ptr<httplib::Client> EmulatorProcess::client() const {
  auto c = anonymousClient();
  c->set_default_headers({{"Authorization", "Bearer " + options_.token}});
  return c;
}

std::string EmulatorProcess::log() const {
  std::ifstream in(logPath_);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  if (text.size() > 8000) text = "..." + text.substr(text.size() - 8000);
  return text;
}

}  // namespace fastio::testing
