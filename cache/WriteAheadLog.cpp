#include "cache/WriteAheadLog.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "cache/Codec.h"
#include "cache/Crc32c.h"
#include "cache/StagingFiles.h"
#include "common/FaultPoints.h"
#include "common/FdIo.h"

namespace fastio::cache {
namespace {

constexpr size_t kHeaderBytes = 8;
constexpr uint32_t kMaxPayload = 256u << 20;  // no record comes near; a larger length is torn

}  // namespace

Result<std::unique_ptr<WriteAheadLog>> WriteAheadLog::open(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return systemError("open " + path.string(), errno);
  std::unique_ptr<WriteAheadLog> wal(new WriteAheadLog(fd, path));
  struct stat st {};
  if (::fstat(fd, &st) != 0) return systemError("fstat " + path.string(), errno);
  wal->end_ = static_cast<uint64_t>(st.st_size);
  return wal;
}

WriteAheadLog::~WriteAheadLog() {
  ::close(fd_);
}

Result<WalContents> WriteAheadLog::readAll() const {
  std::string bytes(size(), '\0');
  const fdio::Transfer got = fdio::preadFull(fd_, bytes, 0);
  if (!got.ok()) return systemError("read " + path_.string(), got.error);
  bytes.resize(got.bytes);
  WalContents out;
  std::string_view rest(bytes);
  while (rest.size() >= kHeaderBytes) {
    ByteReader header(rest.substr(0, kHeaderBytes));
    uint32_t length = 0, crc = 0;
    header.u32(length);
    header.u32(crc);
    if (length > kMaxPayload || length > rest.size() - kHeaderBytes) break;
    std::string_view payload = rest.substr(kHeaderBytes, length);
    if (crc32c(payload) != crc) break;
    ByteReader r(payload);
    WalFrame frame;
    uint8_t kind = 0;
    r.u8(kind);
    r.u64(frame.seq);
    r.u64(frame.key);
    if (!r.ok() || (kind != 1 && kind != 2)) break;
    frame.kind = static_cast<WalFrameKind>(kind);
    frame.record = std::string(r.rest());
    out.frames.push_back(std::move(frame));
    rest.remove_prefix(kHeaderBytes + length);
    out.validBytes += kHeaderBytes + length;
  }
  out.tornBytes = bytes.size() - out.validBytes;
  return out;
}

void WriteAheadLog::appendFrame(std::string& out, WalFrameKind kind, uint64_t seq, uint64_t key,
                                std::string_view record) {
  std::string payload =
      ByteWriter().u8(static_cast<uint8_t>(kind)).u64(seq).u64(key).raw(record).take();
  out += ByteWriter().u32(static_cast<uint32_t>(payload.size())).u32(crc32c(payload)).take();
  out += payload;
}

Status WriteAheadLog::append(std::string_view frames) {
  uint64_t start = size();
  FASTIO_TRY(faults::hit("journal.wal_append"));
  const fdio::Transfer written = fdio::pwriteAll(fd_, frames, start);
  if (!written.ok()) {
    if (written.bytes > 0) (void)truncateTo(start);
    return systemError("write " + path_.string(), written.error);
  }
  end_ = start + frames.size();
  return okStatus();
}

Status WriteAheadLog::replaceWith(std::string_view frames) {
  std::filesystem::path tmp = path_;
  tmp += ".new";
  int fd = ::open(tmp.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return systemError("open " + tmp.string(), errno);
  if (const fdio::Transfer written = fdio::pwriteAll(fd, frames, 0); !written.ok()) {
    Error e = systemError("write " + tmp.string(), written.error);
    ::close(fd);
    ::unlink(tmp.c_str());
    return e;
  }
  if (::rename(tmp.c_str(), path_.c_str()) != 0) {
    Error e = systemError("rename " + tmp.string(), errno);
    ::close(fd);
    ::unlink(tmp.c_str());
    return e;
  }
  ::close(fd_);
  fd_ = fd;
  end_ = frames.size();
  return okStatus();
}

Status WriteAheadLog::truncateTo(uint64_t size) {
  if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
    return systemError("truncate " + path_.string(), errno);
  }
  end_ = size;
  return okStatus();
}

}  // namespace fastio::cache
