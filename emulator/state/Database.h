#pragma once
// The emulator's one SQLite wrapper (state and the intelligence engines): prepared statements
// with RAII, reused per SQL text, transactions, errors as Result. A connection is not
// thread-safe by itself; each owner serialises access to its own.

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "common/Result.h"

namespace fastio::emu {

class Database;

class Statement {
 public:
  // A statement from Database::prepare goes back to its database's cache when destroyed.
  Statement(sqlite3* db, sqlite3_stmt* stmt, Database* home = nullptr, std::string sql = {})
      : db_(db), stmt_(stmt), home_(home), sql_(std::move(sql)) {}
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;

  // Binds are 1-based, like SQLite's.
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, std::int64_t value);
  Statement& bindNull(int index);

  // true = a row is available, false = done; errors as Result.
  Result<bool> step();
  // Runs to completion (for INSERT/UPDATE/DELETE).
  Status run();

  // Makes the statement ready to be bound and stepped again.
  void reset();

  std::string text(int column) const;
  std::int64_t integer(int column) const;
  double real(int column) const;
  bool isNull(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  Database* home_;
  std::string sql_;
};

class Database {
 public:
  // kFull: a commit survives a power cut; kNormal: a process crash (enough for derived data).
  enum class Sync { kFull, kNormal };
  // Opens (creating if needed) with WAL, foreign keys on and a busy timeout.
  static Result<std::unique_ptr<Database>> open(const std::filesystem::path& path,
                                                Sync sync = Sync::kFull);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  Status exec(std::string_view sql);
  // Prepared statements are kept per SQL text and reused: parsing and planning took a large
  // share of each request's time.
  Result<Statement> prepare(std::string_view sql);
  std::int64_t changes() const;

 private:
  friend class Statement;
  explicit Database(sqlite3* db) : db_(db) {}
  void recycle(std::string sql, sqlite3_stmt* stmt);
  sqlite3* db_;
  std::mutex idleMu_;
  std::unordered_map<std::string, sqlite3_stmt*> idle_;  // reset, ready for reuse
};

// BEGIN IMMEDIATE ... COMMIT; rolls back in the destructor unless committed.
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  Status begin();
  Status commit();

 private:
  Database& db_;
  bool open_ = false;
};

}  // namespace fastio::emu
