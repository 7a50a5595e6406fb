#include "tests/integration/CrashTestWorkload.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "tests/support/RandomBytes.h"

namespace fastio::integration::crash {

using model::joinPath;
using model::ModelFile;
using model::ModelFilePtr;

CrashWorkload::CrashWorkload(std::filesystem::path workspaceRoot, const Tree& seeded, uint64_t seed)
    : root_(std::move(workspaceRoot)), rng_(seed) {
  model_.seed(seeded);
  acknowledged();
}

std::string CrashWorkload::at(const std::string& rel) const {
  return (root_ / rel).string();
}

std::string CrashWorkload::bytes(size_t n) {
  return testing::randomBytes(rng_, n);
}

std::string CrashWorkload::randomFile() {
  const auto& files = model_.files();
  if (files.empty()) return {};
  auto it = files.begin();
  std::advance(it, static_cast<std::ptrdiff_t>(rng_() % files.size()));
  return it->first;
}

std::string CrashWorkload::freshName(const std::string& folder) {
  return joinPath(folder, "n" + std::to_string(++counter_) + ".bin");
}

void CrashWorkload::note(const std::string& line) {
  log_ += line + "\n";
}

void CrashWorkload::mayHappen() {
  candidates_.push_back(model_.tree());
}

void CrashWorkload::acknowledged() {
  candidates_.clear();
  candidates_.push_back(model_.tree());
}

bool CrashWorkload::failed(const std::string& call) {
  failedCall_ = call + ": " + std::strerror(errno);
  note("  failed: " + failedCall_);
  return false;
}

bool CrashWorkload::writeAt(int fd, ModelFile& file, uint64_t offset, const std::string& data,
                            bool append) {
  note("  write " + std::to_string(data.size()) + " bytes at " +
       (append ? std::string("the end") : std::to_string(offset)));
  model_.writeAt(file, append ? file.content.size() : offset, data);
  mayHappen();
  const ssize_t n = append ? ::write(fd, data.data(), data.size())
                           : ::pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset));
  if (n != static_cast<ssize_t>(data.size())) {
    if (n >= 0) errno = EIO;
    return failed("write");
  }
  return true;
}

bool CrashWorkload::fsyncFd(int fd, const std::string& path) {
  note("  fsync");
  if (::fsync(fd) != 0) {
    ::close(fd);
    return failed("fsync " + path);
  }
  acknowledged();
  return true;
}

bool CrashWorkload::closeFd(int fd, const std::string& path) {
  note("  close " + path);
  if (::close(fd) != 0) return failed("close " + path);
  acknowledged();
  return true;
}

// ---------------------------------------------------------------- fixed workloads

bool CrashWorkload::writeNewFile(const std::string& path, size_t size) {
  note("new file " + path + " of " + std::to_string(size) + " bytes, fsync, close");
  ModelFilePtr file = model_.addFile(path);
  mayHappen();
  const int fd = ::open(at(path).c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0) return failed("create " + path);
  // Only the whole content is a candidate: the trials that use this crash after its fsync.
  model_.writeAt(*file, 0, bytes(size));
  mayHappen();
  const size_t piece = 1 << 20;
  for (size_t done = 0; done < size; done += piece) {
    const size_t n = std::min(piece, size - done);
    if (::pwrite(fd, file->content.data() + done, n, static_cast<off_t>(done)) !=
        static_cast<ssize_t>(n)) {
      ::close(fd);
      return failed("write " + path);
    }
  }
  return fsyncFd(fd, path) && closeFd(fd, path);
}

bool CrashWorkload::replaceContent(const std::string& path, size_t size) {
  note("replace the content of " + path + " with " + std::to_string(size) + " bytes");
  ModelFilePtr file = model_.files().at(path);
  model_.truncate(*file, 0);
  mayHappen();
  const int fd = ::open(at(path).c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0) return failed("open O_TRUNC " + path);
  if (!writeAt(fd, *file, 0, bytes(size), false)) {
    ::close(fd);
    return false;
  }
  return closeFd(fd, path);
}

bool CrashWorkload::appendTo(const std::string& path, size_t size) {
  note("append " + std::to_string(size) + " bytes to " + path);
  ModelFilePtr file = model_.files().at(path);
  const int fd = ::open(at(path).c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) return failed("open O_APPEND " + path);
  if (!writeAt(fd, *file, 0, bytes(size), true)) {
    ::close(fd);
    return false;
  }
  return closeFd(fd, path);
}

bool CrashWorkload::renameOver(const std::string& from, const std::string& to) {
  note("rename " + from + " over " + to);
  model_.renameOver(from, to);
  mayHappen();
  if (::rename(at(from).c_str(), at(to).c_str()) != 0) return failed("rename " + from);
  acknowledged();
  return true;
}

// ---------------------------------------------------------------- the mix

bool CrashWorkload::runMixed(int steps) {
  for (int i = 0; i < steps; ++i) {
    if (!mixedStep()) return false;
  }
  return true;
}

bool CrashWorkload::mixedStep() {
  const int r = static_cast<int>(rng_() % 100);
  if (r < 28) return newFileStep();
  if (r < 48) return modifyStep();
  if (r < 58) return appendStep();
  if (r < 65) return truncateStep();
  if (r < 75) return renameStep();
  if (r < 84) return renameOverStep();
  if (r < 93) return unlinkStep();
  return mkdirStep();
}

bool CrashWorkload::newFileStep() {
  const auto& folders = model_.folders();
  auto it = folders.begin();
  std::advance(it, static_cast<std::ptrdiff_t>(rng_() % folders.size()));
  const std::string path = freshName(*it);
  note("create " + path);
  ModelFilePtr file = model_.addFile(path);
  mayHappen();
  const int fd = ::open(at(path).c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0644);
  if (fd < 0) return failed("create " + path);
  const int writes = 1 + static_cast<int>(rng_() % 3);
  for (int w = 0; w < writes; ++w) {
    const uint64_t size = file->content.size();
    const uint64_t offset = rng_() % 3 == 0 ? rng_() % (size + 1) : size + rng_() % 3000;
    if (!writeAt(fd, *file, offset, bytes(1 + rng_() % 200000), false)) {
      ::close(fd);
      return false;
    }
    if (rng_() % 4 == 0 && !fsyncFd(fd, path)) return false;
  }
  return closeFd(fd, path);
}

bool CrashWorkload::modifyStep() {
  const std::string path = randomFile();
  if (path.empty()) return newFileStep();
  ModelFilePtr file = model_.files().at(path);
  const bool truncate = rng_() % 5 == 0;
  note("open " + path + (truncate ? " O_TRUNC" : ""));
  if (truncate) {
    model_.truncate(*file, 0);
    mayHappen();
  }
  const int fd = ::open(at(path).c_str(), O_RDWR | O_CLOEXEC | (truncate ? O_TRUNC : 0));
  if (fd < 0) return failed("open " + path);
  const int changes = 1 + static_cast<int>(rng_() % 3);
  for (int c = 0; c < changes; ++c) {
    const uint64_t size = file->content.size();
    if (rng_() % 4 == 0) {
      const uint64_t to = rng_() % 2 == 0 ? rng_() % (size + 1) : size + rng_() % 50000;
      note("  ftruncate to " + std::to_string(to));
      model_.truncate(*file, to);
      mayHappen();
      if (::ftruncate(fd, static_cast<off_t>(to)) != 0) {
        ::close(fd);
        return failed("ftruncate");
      }
      continue;
    }
    const uint64_t offset = rng_() % (size + 20000);
    if (!writeAt(fd, *file, offset, bytes(1 + rng_() % 100000), false)) {
      ::close(fd);
      return false;
    }
  }
  if (rng_() % 4 == 0 && !fsyncFd(fd, path)) return false;
  return closeFd(fd, path);
}

bool CrashWorkload::appendStep() {
  const std::string path = randomFile();
  if (path.empty()) return newFileStep();
  return appendTo(path, 1 + rng_() % 50000);
}

bool CrashWorkload::truncateStep() {
  const std::string path = randomFile();
  if (path.empty()) return newFileStep();
  ModelFilePtr file = model_.files().at(path);
  const uint64_t size = file->content.size();
  const uint64_t to = rng_() % 2 == 0 ? rng_() % (size + 1) : size + rng_() % 50000;
  note("truncate " + path + " to " + std::to_string(to));
  model_.truncate(*file, to);
  mayHappen();
  if (::truncate(at(path).c_str(), static_cast<off_t>(to)) != 0) return failed("truncate");
  acknowledged();
  return true;
}

bool CrashWorkload::renameStep() {
  const std::string from = randomFile();
  if (from.empty()) return newFileStep();
  const auto& folders = model_.folders();
  auto it = folders.begin();
  std::advance(it, static_cast<std::ptrdiff_t>(rng_() % folders.size()));
  const std::string to = freshName(*it);
  note("rename " + from + " -> " + to);
  model_.rename(from, to);
  mayHappen();
  if (::rename(at(from).c_str(), at(to).c_str()) != 0) return failed("rename " + from);
  acknowledged();
  return true;
}

bool CrashWorkload::renameOverStep() {
  if (model_.files().size() < 2) return newFileStep();
  const std::string from = randomFile();
  const std::string to = randomFile();
  if (from == to) return renameStep();
  return renameOver(from, to);
}

bool CrashWorkload::unlinkStep() {
  const std::string path = randomFile();
  if (path.empty()) return newFileStep();
  note("unlink " + path);
  model_.unlink(path);
  mayHappen();
  if (::unlink(at(path).c_str()) != 0) return failed("unlink " + path);
  acknowledged();
  return true;
}

bool CrashWorkload::mkdirStep() {
  const std::string path = "fresh/sub" + std::to_string(++counter_);
  note("mkdir " + path);
  model_.addFolder(path);
  mayHappen();
  if (::mkdir(at(path).c_str(), 0755) != 0) return failed("mkdir " + path);
  acknowledged();
  return true;
}

}  // namespace fastio::integration::crash
