#pragma once
// The journal's write-ahead log (journal/records.wal). Close-level commits append frames here
// with plain write() and no fsync: a killed process loses nothing (the page cache outlives
// it) and a commit costs no disk flush. Power-level commits go to LMDB; a checkpoint commits
// everything there and then empties this file.
//
// Frame: u32 payload length, u32 CRC-32C of the payload, then the payload: u8 kind, u64 commit
// sequence, u64 file key, and (records only) the encoded record. Integers big-endian.
// Reading stops at the first frame that is short, oversized, of an unknown kind or fails its
// checksum: the torn tail of a write that never completed.
//
// Not thread-safe: only the journal's committer (one at a time) writes.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/Result.h"

namespace fastio::cache {

enum class WalFrameKind : uint8_t { kRecord = 1, kTombstone = 2 };

struct WalFrame {
  WalFrameKind kind = WalFrameKind::kRecord;
  uint64_t seq = 0;
  uint64_t key = 0;
  std::string record;  // empty for a tombstone
};

struct WalContents {
  std::vector<WalFrame> frames;  // in file order
  uint64_t validBytes = 0;       // where the last whole frame ends
  uint64_t tornBytes = 0;        // bytes after it that do not form a frame
};

class WriteAheadLog {
 public:
  // Opens (creating with mode 0600) the file.
  static Result<std::unique_ptr<WriteAheadLog>> open(const std::filesystem::path& path);
  ~WriteAheadLog();
  WriteAheadLog(const WriteAheadLog&) = delete;
  WriteAheadLog& operator=(const WriteAheadLog&) = delete;

  Result<WalContents> readAll() const;
  static void appendFrame(std::string& out, WalFrameKind kind, uint64_t seq, uint64_t key,
                          std::string_view record);
  // Writes encoded frames at the end in one call (fault point "journal.wal_append" first).
  // On failure cuts the file back, so a later append never follows a torn frame.
  Status append(std::string_view frames);
  // Cuts the file at `size` (0 empties it, after a checkpoint).
  Status truncateTo(uint64_t size);
  // Atomically replaces the whole file by `frames` (a new file renamed over it): a checkpoint
  // that must keep some frames. A crash leaves either the old or the new file.
  Status replaceWith(std::string_view frames);
  uint64_t size() const { return end_.load(std::memory_order_relaxed); }
  const std::filesystem::path& path() const { return path_; }

 private:
  WriteAheadLog(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}
  int fd_;
  std::filesystem::path path_;
  std::atomic<uint64_t> end_{0};
};

}  // namespace fastio::cache
