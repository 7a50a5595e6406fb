#pragma once
// The connections to state.db, and who may use them when.
//
// Writes: one writer connection, taken exclusively (its mutex is held by WriteAccess) for a whole
// check-then-write, so two mutations never interleave. Reads: each ReadAccess leases a
// connection of its own from a pool and never waits for the writer; in WAL mode a reader sees the
// last committed state while a write is in progress, never a half-made one. Reads of several
// statements that must agree call ReadAccess::snapshot() first (one read transaction).
//
// Every connection keeps its own prepared-statement cache (Database::prepare) and is used by one
// thread at a time.

#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include "common/Result.h"
#include "emulator/state/Database.h"

namespace fastio::emu {

class StateDb {
 public:
  // Opens the writer connection (creating the file); readers are opened on demand, up to
  // maxReaders at once (a reader beyond that waits for one to come back).
  static Result<std::unique_ptr<StateDb>> open(const std::filesystem::path& file,
                                               int maxReaders = 16);
  ~StateDb();
  StateDb(const StateDb&) = delete;
  StateDb& operator=(const StateDb&) = delete;

  // The writer connection, held exclusively until destroyed.
  class WriteAccess {
   public:
    Database& db() { return db_; }

   private:
    friend class StateDb;
    WriteAccess(std::mutex& mu, Database& db) : lock_(mu), db_(db) {}
    std::unique_lock<std::mutex> lock_;
    Database& db_;
  };
  WriteAccess write();

  // A pooled read-only connection, this thread's alone until destroyed.
  class ReadAccess {
   public:
    ReadAccess(ReadAccess&& other) noexcept;
    ReadAccess& operator=(ReadAccess&&) = delete;
    ReadAccess(const ReadAccess&) = delete;
    ~ReadAccess();

    Database& db() { return *db_; }
    // Begins a read transaction: every statement until this access ends sees the same state.
    Status snapshot();

   private:
    friend class StateDb;
    ReadAccess(StateDb* home, std::unique_ptr<Database> db) : home_(home), db_(std::move(db)) {}
    StateDb* home_;
    std::unique_ptr<Database> db_;
    bool inSnapshot_ = false;
  };
  Result<ReadAccess> read();

 private:
  StateDb(std::filesystem::path file, std::unique_ptr<Database> writer, int maxReaders);
  void giveBack(std::unique_ptr<Database> reader);

  const std::filesystem::path file_;
  std::mutex writerMu_;
  std::unique_ptr<Database> writer_;

  const int maxReaders_;
  std::mutex poolMu_;
  std::condition_variable readerReturned_;
  std::vector<std::unique_ptr<Database>> idleReaders_;
  int openReaders_ = 0;  // idle + leased
};

}  // namespace fastio::emu
