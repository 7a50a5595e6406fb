#pragma once
// read(2) / write(2) and their positional forms, restarted when a signal interrupts them
// (EINTR) and, for the whole-buffer forms, looped over short transfers.

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace fastio::fdio {

// What a whole-buffer transfer did: the bytes moved, and the errno of the call that failed
// (0 when every byte moved, or when a read met the end of the file first).
struct Transfer {
  std::size_t bytes = 0;
  int error = 0;
  bool ok() const { return error == 0; }
};

Transfer writeAll(int fd, std::string_view data);
Transfer pwriteAll(int fd, std::string_view data, std::uint64_t offset);
Transfer readFull(int fd, std::span<char> out);
Transfer preadFull(int fd, std::span<char> out, std::uint64_t offset);

// One read(2) or pread(2), restarted on EINTR: what the call returns otherwise.
ssize_t readOnce(int fd, char* out, std::size_t size);
ssize_t preadOnce(int fd, char* out, std::size_t size, std::uint64_t offset);

}  // namespace fastio::fdio
