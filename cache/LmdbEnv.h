#pragma once
// A thin RAII wrapper over one LMDB environment and its transactions.
//
// Why our own wrapper rather than lmdbxx: lmdbxx is not packaged for Debian (nothing is
// downloaded at build time) and it reports failures by throwing, while every layer below
// fs/fuse/ returns Result<T>. What we need is small: open with our flags, short read
// transactions, one write transaction at a time, cursors for range scans.
//
// Rules this wrapper enforces or documents (see docs/CACHE.md):
// - MDB_NOTLS: a ReadTxn may be used by any one thread at a time; reader slots are not tied
//   to threads, so a thread pool never runs out of them.
// - mdb_reader_check() runs at open and clears slots left by dead processes.
// - A string_view returned by get()/Cursor points into the map and is valid only until the
//   transaction ends: copy out before. Destroy cursors before their transaction ends.
// - A WriteTxn must begin and end on the same thread (LMDB's writer mutex is per thread).
//   Dropping a WriteTxn without commit() aborts it.

#include <lmdb.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/Result.h"

namespace fastio::cache {

// Maps an LMDB return code to the project's error (MDB_MAP_FULL -> kNoSpace, corruption and
// version mismatches -> kIo, ...). `what` says which operation failed.
Error lmdbError(int rc, std::string_view what);

// True for the return codes that mean "this file is not a usable LMDB file of our format".
bool isCorruptionCode(int rc);

class ReadTxn;
class WriteTxn;

class Cursor {
 public:
  Cursor(Cursor&& other) noexcept;
  Cursor& operator=(Cursor&&) = delete;
  Cursor(const Cursor&) = delete;
  ~Cursor();

  // Positions at the first key >= key. False when there is none.
  Result<bool> seek(std::string_view key);
  Result<bool> first();
  Result<bool> last();
  Result<bool> next();
  Result<bool> prev();
  // Valid only while positioned (after a call above returned true).
  std::string_view key() const { return key_; }
  std::string_view value() const { return value_; }
  // Deletes the current entry (write transactions only). Re-seek afterwards (seek(deletedKey)
  // lands on the next entry): the position after a delete is not reliable.
  Status del();
  Result<bool> current();

 private:
  friend class ReadTxn;
  friend class WriteTxn;
  Cursor(MDB_cursor* c, int* liveCount) : cursor_(c), liveCount_(liveCount) {
    if (liveCount_ != nullptr) ++*liveCount_;
  }
  Result<bool> move(MDB_cursor_op op, std::string_view seekKey = {});
  MDB_cursor* cursor_ = nullptr;
  int* liveCount_ = nullptr;  // the write transaction's count of open cursors
  std::string_view key_;
  std::string_view value_;
};

class ReadTxn {
 public:
  ReadTxn(ReadTxn&& other) noexcept;
  ReadTxn& operator=(ReadTxn&&) = delete;
  ReadTxn(const ReadTxn&) = delete;
  ~ReadTxn();

  // nullopt when absent. The view dies with the transaction.
  Result<std::optional<std::string_view>> get(MDB_dbi dbi, std::string_view key) const;
  Result<Cursor> cursor(MDB_dbi dbi) const;
  MDB_txn* raw() const { return txn_; }

 private:
  friend class LmdbEnv;
  explicit ReadTxn(MDB_txn* txn) : txn_(txn) {}
  MDB_txn* txn_ = nullptr;
};

class WriteTxn {
 public:
  WriteTxn(WriteTxn&& other) noexcept;
  WriteTxn& operator=(WriteTxn&&) = delete;
  WriteTxn(const WriteTxn&) = delete;
  ~WriteTxn();  // aborts unless committed

  Result<std::optional<std::string_view>> get(MDB_dbi dbi, std::string_view key) const;
  Status put(MDB_dbi dbi, std::string_view key, std::string_view value);
  // False when the key was absent.
  Result<bool> del(MDB_dbi dbi, std::string_view key);
  // Deletes every key that starts with prefix; returns how many.
  Result<uint64_t> delPrefix(MDB_dbi dbi, std::string_view prefix);
  Result<Cursor> cursor(MDB_dbi dbi) const;
  // Durable on return when the environment was opened with durableCommits. Refused while a
  // cursor of this transaction is still alive (declare cursors in an inner scope).
  Status commit();
  void abort();
  MDB_txn* raw() const { return txn_; }

 private:
  friend class LmdbEnv;
  explicit WriteTxn(MDB_txn* txn) : txn_(txn), liveCursors_(std::make_unique<int>(0)) {}
  MDB_txn* txn_ = nullptr;
  std::unique_ptr<int> liveCursors_;  // heap-held so it survives moves of the WriteTxn
};

struct LmdbEnvOptions {
  // Address space reserved for the file; the file itself grows only as pages are used.
  uint64_t mapSizeBytes = 1ull << 30;
  unsigned maxDatabases = 16;
  // Enough for every thread of the FUSE pool, read-ahead and uploaders together.
  unsigned maxReaders = 1024;
  // true: every commit is fsync'd before it returns (the journal).
  // false: MDB_NOSYNC, data reaches disk on sync() or by the kernel (the clean cache: a
  // crash of the process loses nothing, a power cut may lose recent clean entries).
  bool durableCommits = true;
};

class LmdbEnv {
 public:
  // Opens (creating if needed) the environment in directory `dir` (created 0700; LMDB files
  // are created 0600). Errors keep the LMDB return code in Error::remoteCode so callers can
  // tell corruption (isCorruptionCode) from other failures.
  static Result<std::unique_ptr<LmdbEnv>> open(const std::filesystem::path& dir,
                                               const LmdbEnvOptions& options);
  ~LmdbEnv();
  LmdbEnv(const LmdbEnv&) = delete;
  LmdbEnv& operator=(const LmdbEnv&) = delete;

  // Opens or creates a named database. Call at start-up, before other threads use the env.
  Result<MDB_dbi> openDatabase(const std::string& name);

  Result<ReadTxn> beginRead() const;
  Result<WriteTxn> beginWrite();

  // Flushes commits made with durableCommits=false.
  Status sync();
  // Writes a compacted copy (free pages left out, MDB_CP_COMPACT) to `file` (created 0600,
  // must not exist) and fsyncs it. The copy reads a consistent snapshot; writers may continue.
  Status copyCompactedTo(const std::filesystem::path& file) const;

  const std::filesystem::path& dir() const { return dir_; }
  uint64_t mapSizeBytes() const { return options_.mapSizeBytes; }
  // Bytes of the map in use (last page number * page size), from the environment's info.
  uint64_t usedBytes() const;
  unsigned pageSize() const { return pageSize_; }
  // How many stale reader slots mdb_reader_check cleared at open.
  int staleReadersCleared() const { return staleReadersCleared_; }

 private:
  LmdbEnv() = default;
  MDB_env* env_ = nullptr;
  std::filesystem::path dir_;
  LmdbEnvOptions options_;
  unsigned pageSize_ = 4096;
  int staleReadersCleared_ = 0;
};

}  // namespace fastio::cache
