#include "emulator/state/Database.h"

#include "emulator/ApiCodes.h"

namespace fastio::emu {

namespace {

Error sqlError(sqlite3* db, const std::string& what) {
  return internalError("database: " + what + ": " + sqlite3_errmsg(db));
}

}  // namespace

Statement::~Statement() {
  if (stmt_ == nullptr) return;
  if (home_ != nullptr) {
    home_->recycle(std::move(sql_), stmt_);
  } else {
    sqlite3_finalize(stmt_);
  }
}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(other.stmt_), home_(other.home_), sql_(std::move(other.sql_)) {
  other.stmt_ = nullptr;
}

Statement& Statement::bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::bindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Result<bool> Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return sqlError(db_, "step");
}

Status Statement::run() {
  while (true) {
    FASTIO_TRY_ASSIGN(auto r, step());
    if (!r) return okStatus();
  }
}

std::string Statement::text(int column) const {
  const unsigned char* p = sqlite3_column_text(stmt_, column);
  int n = sqlite3_column_bytes(stmt_, column);
  return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p), n);
}

std::int64_t Statement::integer(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

double Statement::real(int column) const {
  return sqlite3_column_double(stmt_, column);
}

bool Statement::isNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

Result<std::unique_ptr<Database>> Database::open(const std::filesystem::path& path, Sync sync) {
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = raw != nullptr ? sqlite3_errmsg(raw) : "out of memory";
    sqlite3_close(raw);
    return internalError("cannot open " + path.string() + ": " + msg);
  }
  std::unique_ptr<Database> db(new Database(raw));
  sqlite3_busy_timeout(raw, 5000);
  FASTIO_TRY(db->exec("PRAGMA journal_mode=WAL"));
  FASTIO_TRY(
      db->exec(sync == Sync::kFull ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"));
  FASTIO_TRY(db->exec("PRAGMA foreign_keys=ON"));
  return db;
}

Database::~Database() {
  for (auto& [sql, stmt] : idle_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

Status Database::exec(std::string_view sql) {
  char* err = nullptr;
  const std::string text(sql);
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err != nullptr ? err : "unknown";
    sqlite3_free(err);
    return internalError("database: " + msg);
  }
  return okStatus();
}

Result<Statement> Database::prepare(std::string_view sqlText) {
  std::string sql(sqlText);
  {
    std::lock_guard lock(idleMu_);
    if (auto it = idle_.find(sql); it != idle_.end()) {
      sqlite3_stmt* cached = it->second;
      idle_.erase(it);
      return Statement(db_, cached, this, std::move(sql));
    }
  }
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return sqlError(db_, "prepare");
  return Statement(db_, stmt, this, std::move(sql));
}

void Database::recycle(std::string sql, sqlite3_stmt* stmt) {
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  {
    std::lock_guard lock(idleMu_);
    // Bounded: statements built from varying SQL text are simply finalized.
    if (idle_.size() < 512 && idle_.emplace(std::move(sql), stmt).second) return;
  }
  sqlite3_finalize(stmt);
}

std::int64_t Database::changes() const {
  return sqlite3_changes64(db_);
}

Transaction::Transaction(Database& db) : db_(db) {}

Transaction::~Transaction() {
  if (open_) (void)db_.exec("ROLLBACK");
}

Status Transaction::begin() {
  FASTIO_TRY(db_.exec("BEGIN IMMEDIATE"));
  open_ = true;
  return okStatus();
}

Status Transaction::commit() {
  FASTIO_TRY(db_.exec("COMMIT"));
  open_ = false;
  return okStatus();
}

}  // namespace fastio::emu
