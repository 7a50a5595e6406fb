#include "fs/cli/DaemonSignals.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include "common/FdIo.h"

namespace fastio::cli {
namespace {

std::atomic<int> gSignalPipe{-1};

void onSignal(int signo) {
  const int saved = errno;
  const int fd = gSignalPipe.load();
  if (fd >= 0) {
    const char byte = static_cast<char>(signo);
    (void)!::write(fd, &byte, 1);
  }
  errno = saved;
}

}  // namespace

DaemonSignals::DaemonSignals(std::function<void()> uploadNow) : uploadNow_(std::move(uploadNow)) {
  if (::pipe2(pipe_, O_CLOEXEC) != 0) return;
  gSignalPipe.store(pipe_[1]);
  struct sigaction sa {};
  sa.sa_handler = onSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  ::sigaction(SIGUSR1, &sa, nullptr);
  ::sigaction(SIGUSR2, &sa, nullptr);
  thread_ = std::thread([this] { loop(); });
}

DaemonSignals::~DaemonSignals() {
  signal(SIGUSR1, SIG_IGN);
  signal(SIGUSR2, SIG_IGN);
  gSignalPipe.store(-1);
  if (pipe_[1] >= 0) {
    const char stop = 0;
    (void)!::write(pipe_[1], &stop, 1);
  }
  if (thread_.joinable()) thread_.join();
  for (int fd : pipe_) {
    if (fd >= 0) ::close(fd);
  }
}

void DaemonSignals::loop() {
  for (;;) {
    char byte = 0;
    const ssize_t n = fdio::readOnce(pipe_[0], &byte, 1);
    if (n <= 0 || byte == 0) return;
    if (byte == SIGUSR1 && uploadNow_) uploadNow_();
    if (byte == SIGUSR2) stopDrain_.store(true);
  }
}

}  // namespace fastio::cli
