#pragma once
// A thin SQLite wrapper: prepared statements with RAII, transactions, errors as Result.
// Not thread-safe by itself; State serialises access with its mutex.

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/Result.h"

namespace fastio::emu {

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
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

  std::string text(int column) const;
  std::int64_t integer(int column) const;
  bool isNull(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class Database {
 public:
  // Opens with WAL, synchronous=FULL, foreign keys on and a busy timeout.
  static Result<std::unique_ptr<Database>> open(const std::filesystem::path& path);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  Status exec(const std::string& sql);
  Result<Statement> prepare(const std::string& sql);
  std::int64_t changes() const;

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  sqlite3* db_;
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
