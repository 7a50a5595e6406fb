#pragma once
// Descriptors for the journal's staging logs, opened on demand and kept in a small LRU so the
// process never holds one descriptor per dirty file (the open-file limit is 20,000). A handle
// stays valid while anyone holds it, even after the cache has dropped it.
//
// A removed log is emptied and kept under a spare name (up to `maxSpare`), and the next create
// renames a spare into place: on ext4, allocating inodes right after many were freed is slow
// (it scans for inodes not recently deleted), which made writing many small files slow.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <list>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

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
  StagingFiles(std::filesystem::path dir, size_t maxOpen, size_t maxSpare = 1024)
      : dir_(std::move(dir)), max_(maxOpen), maxSpare_(maxSpare) {}

  // Opens (creating with mode 0600 when `create`) dir/name. kNotFound when absent.
  Result<std::shared_ptr<StagingFile>> get(const std::string& name, bool create);
  // Closes (when unused) and removes dir/name: kept empty as a spare when nobody else holds
  // it, else unlinked.
  Status remove(const std::string& name);
  // Whether a file name in dir is a spare's.
  static bool isSpareName(const std::string& name);
  // A spare found in dir at start: reused, or unlinked when there are enough.
  void adoptSpare(const std::string& name);
  size_t spareCount() const;
  // fsync of the directory itself, so created and removed names are durable.
  Status syncDirectory();
  const std::filesystem::path& dir() const { return dir_; }
  size_t openCount() const;

 private:
  // Renames a spare to `name` (never over an existing file); the descriptor, or -1.
  int openSpareAs(const std::filesystem::path& path);

  std::filesystem::path dir_;
  size_t max_;
  size_t maxSpare_;
  std::vector<std::string> spares_;  // (mu_)
  uint64_t spareSeq_ = 0;            // (mu_)
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
