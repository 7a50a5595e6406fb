#pragma once
// Descriptors for the journal's staging logs, opened on demand and kept in a small LRU so the
// process never holds one descriptor per dirty file (the open-file limit is 20,000). A handle
// stays valid while anyone holds it, even after the cache has dropped it.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <list>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>

#include "common/Result.h"

namespace fastio::cache {

class StagingFile {
 public:
  explicit StagingFile(int fd) : fd_(fd) {}
  ~StagingFile();
  StagingFile(const StagingFile&) = delete;
  StagingFile& operator=(const StagingFile&) = delete;

  // Whole-buffer positional I/O (loops over short transfers and EINTR). writeAt passes the
  // fault point "journal.staging_write" first, dataSync "journal.fdatasync".
  Status writeAt(uint64_t offset, std::span<const std::byte> data);
  Status readAt(uint64_t offset, std::span<std::byte> out) const;
  Status dataSync();
  // Starts writing back [offset, offset+length) without waiting (sync_file_range), so that a
  // later dataSync() of many files waits for I/O already in flight. Advisory: no error.
  void startWriteback(uint64_t offset, uint64_t length);
  Result<uint64_t> size() const;

 private:
  int fd_;
};

class StagingFiles {
 public:
  StagingFiles(std::filesystem::path dir, size_t maxOpen) : dir_(std::move(dir)), max_(maxOpen) {}

  // Opens (creating with mode 0600 when `create`) dir/name. kNotFound when absent.
  Result<std::shared_ptr<StagingFile>> get(const std::string& name, bool create);
  // Closes (when unused) and unlinks dir/name.
  Status remove(const std::string& name);
  // fsync of the directory itself, so created and removed names are durable.
  Status syncDirectory();
  const std::filesystem::path& dir() const { return dir_; }
  size_t openCount() const;

 private:
  std::filesystem::path dir_;
  size_t max_;
  mutable std::mutex mu_;
  std::list<std::string> lru_;  // most recent first
  struct Slot {
    std::shared_ptr<StagingFile> file;
    std::list<std::string>::iterator pos;
  };
  std::unordered_map<std::string, Slot> open_;
};

Error systemError(std::string what, int err);

}  // namespace fastio::cache
