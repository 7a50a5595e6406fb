#include "common/FdIo.h"

#include <unistd.h>

#include <cerrno>

namespace fastio::fdio {
namespace {

// Calls `once(done)` (one transfer of what is left) until everything moved, the end of the file
// or an error. A write that moves nothing would loop for ever: it counts as EIO.
template <typename Once>
Transfer transferAll(std::size_t size, bool isWrite, Once once) {
  Transfer t;
  while (t.bytes < size) {
    const ssize_t n = once(t.bytes);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      t.error = errno;
      break;
    }
    if (n == 0) {
      if (isWrite) t.error = EIO;
      break;
    }
    t.bytes += static_cast<std::size_t>(n);
  }
  return t;
}

}  // namespace

Transfer writeAll(int fd, std::string_view data) {
  return transferAll(data.size(), true, [&](std::size_t done) {
    return ::write(fd, data.data() + done, data.size() - done);
  });
}

Transfer pwriteAll(int fd, std::string_view data, std::uint64_t offset) {
  return transferAll(data.size(), true, [&](std::size_t done) {
    return ::pwrite(fd, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
  });
}

Transfer readFull(int fd, std::span<char> out) {
  return transferAll(out.size(), false, [&](std::size_t done) {
    return ::read(fd, out.data() + done, out.size() - done);
  });
}

Transfer preadFull(int fd, std::span<char> out, std::uint64_t offset) {
  return transferAll(out.size(), false, [&](std::size_t done) {
    return ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
  });
}

ssize_t readOnce(int fd, char* out, std::size_t size) {
  for (;;) {
    const ssize_t n = ::read(fd, out, size);
    if (n >= 0 || errno != EINTR) return n;
  }
}

ssize_t preadOnce(int fd, char* out, std::size_t size, std::uint64_t offset) {
  for (;;) {
    const ssize_t n = ::pread(fd, out, size, static_cast<off_t>(offset));
    if (n >= 0 || errno != EINTR) return n;
  }
}

}  // namespace fastio::fdio
