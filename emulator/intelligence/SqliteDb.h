#pragma once
// A small RAII wrapper over one SQLite connection for the intelligence engines (search index,
// agent threads). Each engine owns its own connection and serialises access with its own mutex.

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "common/Result.h"

namespace fastio::emu::intelligence {

class SqliteStatement {
 public:
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement& operator=(SqliteStatement&& other) = delete;
  ~SqliteStatement();

  // Parameters are 1-based, as in SQLite. Text is copied (SQLITE_TRANSIENT).
  SqliteStatement& bind(int index, std::string_view text);
  SqliteStatement& bind(int index, int64_t value);
  SqliteStatement& bind(int index, double value);
  SqliteStatement& bindNull(int index);

  // true = a row is available, false = done.
  Result<bool> step();
  // For statements that return no rows.
  Status run();
  // Makes the statement ready to be bound and run again.
  void reset();

  std::string text(int column) const;
  int64_t integer(int column) const;
  double real(int column) const;
  bool isNull(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class SqliteDb {
 public:
  // Opens (creating if needed) the database file in WAL mode with a busy timeout.
  static Result<std::unique_ptr<SqliteDb>> open(const std::filesystem::path& file);
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;
  ~SqliteDb();

  Status exec(std::string_view sql);
  Result<SqliteStatement> prepare(std::string_view sql);
  int64_t changes() const;

 private:
  explicit SqliteDb(sqlite3* db) : db_(db) {}
  sqlite3* db_;
};

// A transaction rolled back unless commit() succeeds.
class SqliteTransaction {
 public:
  explicit SqliteTransaction(SqliteDb& db);
  SqliteTransaction(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(const SqliteTransaction&) = delete;
  ~SqliteTransaction();
  const Status& begun() const { return begun_; }
  Status commit();

 private:
  SqliteDb& db_;
  Status begun_;
  bool done_ = false;
};

}  // namespace fastio::emu::intelligence
