#include "cache/LmdbEnv.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "cache/DirectoryLock.h"

namespace fastio::cache {
namespace {

MDB_val toVal(std::string_view s) {
  return MDB_val{s.size(), const_cast<char*>(s.data())};
}
std::string_view fromVal(const MDB_val& v) {
  return std::string_view(static_cast<const char*>(v.mv_data), v.mv_size);
}

}  // namespace

bool isCorruptionCode(int rc) {
  return rc == MDB_CORRUPTED || rc == MDB_INVALID || rc == MDB_VERSION_MISMATCH ||
         rc == MDB_PAGE_NOTFOUND || rc == MDB_INCOMPATIBLE || rc == MDB_BAD_TXN;
}

Error lmdbError(int rc, std::string_view what) {
  ErrorCode code = ErrorCode::kIo;
  if (rc == MDB_MAP_FULL) code = ErrorCode::kNoSpace;
  if (rc == ENOSPC) code = ErrorCode::kNoSpace;
  if (rc == MDB_READERS_FULL || rc == MDB_TXN_FULL || rc == MDB_CURSOR_FULL) {
    code = ErrorCode::kInternal;
  }
  if (rc == MDB_BAD_VALSIZE) code = ErrorCode::kInvalid;
  Error e = makeError(code, std::string(what) + ": " + mdb_strerror(rc));
  e.remoteCode = rc;
  return e;
}

// --- Cursor

Cursor::Cursor(Cursor&& other) noexcept
    : cursor_(other.cursor_), liveCount_(other.liveCount_), key_(other.key_), value_(other.value_) {
  other.cursor_ = nullptr;
  other.liveCount_ = nullptr;
}

Cursor::~Cursor() {
  if (cursor_ != nullptr) mdb_cursor_close(cursor_);
  if (liveCount_ != nullptr) --*liveCount_;
}

Result<bool> Cursor::move(MDB_cursor_op op, std::string_view seekKey) {
  MDB_val k = toVal(seekKey);
  MDB_val v{0, nullptr};
  int rc = mdb_cursor_get(cursor_, &k, &v, op);
  if (rc == MDB_NOTFOUND) {
    key_ = {};
    value_ = {};
    return false;
  }
  if (rc != 0) return lmdbError(rc, "lmdb cursor");
  key_ = fromVal(k);
  value_ = fromVal(v);
  return true;
}

Result<bool> Cursor::seek(std::string_view key) {
  // LMDB refuses an empty key; every key is >= the empty key.
  return key.empty() ? move(MDB_FIRST) : move(MDB_SET_RANGE, key);
}
Result<bool> Cursor::first() {
  return move(MDB_FIRST);
}
Result<bool> Cursor::last() {
  return move(MDB_LAST);
}
Result<bool> Cursor::next() {
  return move(MDB_NEXT);
}
Result<bool> Cursor::prev() {
  return move(MDB_PREV);
}
Result<bool> Cursor::current() {
  return move(MDB_GET_CURRENT);
}

Status Cursor::del() {
  int rc = mdb_cursor_del(cursor_, 0);
  if (rc != 0) return lmdbError(rc, "lmdb cursor delete");
  return okStatus();
}

// --- ReadTxn

ReadTxn::ReadTxn(ReadTxn&& other) noexcept : txn_(other.txn_) {
  other.txn_ = nullptr;
}

ReadTxn::~ReadTxn() {
  if (txn_ != nullptr) mdb_txn_abort(txn_);
}

Result<std::optional<std::string_view>> ReadTxn::get(MDB_dbi dbi, std::string_view key) const {
  MDB_val k = toVal(key);
  MDB_val v{0, nullptr};
  int rc = mdb_get(txn_, dbi, &k, &v);
  if (rc == MDB_NOTFOUND) return std::optional<std::string_view>();
  if (rc != 0) return lmdbError(rc, "lmdb get");
  return std::optional<std::string_view>(fromVal(v));
}

Result<Cursor> ReadTxn::cursor(MDB_dbi dbi) const {
  MDB_cursor* c = nullptr;
  int rc = mdb_cursor_open(txn_, dbi, &c);
  if (rc != 0) return lmdbError(rc, "lmdb cursor open");
  return Cursor(c, nullptr);
}

// --- WriteTxn

WriteTxn::WriteTxn(WriteTxn&& other) noexcept
    : txn_(other.txn_), liveCursors_(std::move(other.liveCursors_)) {
  other.txn_ = nullptr;
}

WriteTxn::~WriteTxn() {
  abort();
}

void WriteTxn::abort() {
  if (txn_ != nullptr) {
    mdb_txn_abort(txn_);
    txn_ = nullptr;
  }
}

Result<std::optional<std::string_view>> WriteTxn::get(MDB_dbi dbi, std::string_view key) const {
  MDB_val k = toVal(key);
  MDB_val v{0, nullptr};
  int rc = mdb_get(txn_, dbi, &k, &v);
  if (rc == MDB_NOTFOUND) return std::optional<std::string_view>();
  if (rc != 0) return lmdbError(rc, "lmdb get");
  return std::optional<std::string_view>(fromVal(v));
}

Status WriteTxn::put(MDB_dbi dbi, std::string_view key, std::string_view value) {
  MDB_val k = toVal(key);
  MDB_val v = toVal(value);
  int rc = mdb_put(txn_, dbi, &k, &v, 0);
  if (rc != 0) return lmdbError(rc, "lmdb put");
  return okStatus();
}

Result<bool> WriteTxn::del(MDB_dbi dbi, std::string_view key) {
  MDB_val k = toVal(key);
  int rc = mdb_del(txn_, dbi, &k, nullptr);
  if (rc == MDB_NOTFOUND) return false;
  if (rc != 0) return lmdbError(rc, "lmdb delete");
  return true;
}

Result<uint64_t> WriteTxn::delPrefix(MDB_dbi dbi, std::string_view prefix) {
  auto c = cursor(dbi);
  if (!c.ok()) return c.error();
  uint64_t removed = 0;
  // Re-seek after each delete: LMDB's cursor position after a delete at the end of a page or
  // of the database is not something to rely on.
  auto at = c->seek(prefix);
  while (true) {
    if (!at.ok()) return at.error();
    if (!*at || !c->key().starts_with(prefix)) break;
    std::string deleted(c->key());
    FASTIO_TRY(c->del());
    ++removed;
    at = c->seek(deleted);
  }
  return removed;
}

Result<Cursor> WriteTxn::cursor(MDB_dbi dbi) const {
  MDB_cursor* c = nullptr;
  int rc = mdb_cursor_open(txn_, dbi, &c);
  if (rc != 0) return lmdbError(rc, "lmdb cursor open");
  return Cursor(c, liveCursors_.get());
}

Status WriteTxn::commit() {
  if (txn_ == nullptr) return makeError(ErrorCode::kInternal, "lmdb commit of a finished txn");
  if (*liveCursors_ != 0) {
    // LMDB frees a write transaction's cursors when it ends; a live Cursor would free its
    // cursor again. Refuse; the transaction aborts when the WriteTxn dies after its cursors.
    return makeError(ErrorCode::kInternal, "lmdb commit with a cursor still open");
  }
  int rc = mdb_txn_commit(txn_);
  txn_ = nullptr;  // freed by LMDB whether or not the commit succeeded
  if (rc != 0) return lmdbError(rc, "lmdb commit");
  return okStatus();
}

// --- LmdbEnv

Result<std::unique_ptr<LmdbEnv>> LmdbEnv::open(const std::filesystem::path& dir,
                                               const LmdbEnvOptions& options) {
  FASTIO_TRY(ensurePrivateDirectory(dir));
  std::unique_ptr<LmdbEnv> env(new LmdbEnv());
  env->dir_ = dir;
  env->options_ = options;
  int rc = mdb_env_create(&env->env_);
  if (rc != 0) return lmdbError(rc, "lmdb env create");
  rc = mdb_env_set_mapsize(env->env_, options.mapSizeBytes);
  if (rc == 0) rc = mdb_env_set_maxdbs(env->env_, options.maxDatabases);
  if (rc == 0) rc = mdb_env_set_maxreaders(env->env_, options.maxReaders);
  if (rc != 0) return lmdbError(rc, "lmdb env settings for " + dir.string());
  unsigned flags = MDB_NOTLS;
  if (!options.durableCommits) flags |= MDB_NOSYNC;
  rc = mdb_env_open(env->env_, dir.c_str(), flags, 0600);
  if (rc != 0) return lmdbError(rc, "lmdb open " + dir.string());
  int dead = 0;
  rc = mdb_reader_check(env->env_, &dead);
  if (rc != 0) return lmdbError(rc, "lmdb reader check " + dir.string());
  env->staleReadersCleared_ = dead;
  MDB_stat st{};
  if (mdb_env_stat(env->env_, &st) == 0) env->pageSize_ = st.ms_psize;
  return env;
}

LmdbEnv::~LmdbEnv() {
  if (env_ != nullptr) mdb_env_close(env_);
}

Result<MDB_dbi> LmdbEnv::openDatabase(const std::string& name) {
  MDB_txn* txn = nullptr;
  int rc = mdb_txn_begin(env_, nullptr, 0, &txn);
  if (rc != 0) return lmdbError(rc, "lmdb begin (open " + name + ")");
  MDB_dbi dbi{};
  rc = mdb_dbi_open(txn, name.c_str(), MDB_CREATE, &dbi);
  if (rc != 0) {
    mdb_txn_abort(txn);
    return lmdbError(rc, "lmdb open database " + name);
  }
  rc = mdb_txn_commit(txn);
  if (rc != 0) return lmdbError(rc, "lmdb commit (open " + name + ")");
  return dbi;
}

Result<ReadTxn> LmdbEnv::beginRead() const {
  MDB_txn* txn = nullptr;
  int rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn);
  if (rc != 0) return lmdbError(rc, "lmdb begin read");
  return ReadTxn(txn);
}

Result<WriteTxn> LmdbEnv::beginWrite() {
  MDB_txn* txn = nullptr;
  int rc = mdb_txn_begin(env_, nullptr, 0, &txn);
  if (rc != 0) return lmdbError(rc, "lmdb begin write");
  return WriteTxn(txn);
}

Status LmdbEnv::sync() {
  int rc = mdb_env_sync(env_, 1);
  if (rc != 0) return lmdbError(rc, "lmdb sync " + dir_.string());
  return okStatus();
}

Status LmdbEnv::copyCompactedTo(const std::filesystem::path& file) const {
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return makeError(ErrorCode::kIo, "create " + file.string() + ": " + std::strerror(errno));
  }
  int rc = mdb_env_copyfd2(env_, fd, MDB_CP_COMPACT);
  if (rc == 0 && ::fsync(fd) != 0) rc = errno;
  ::close(fd);
  if (rc != 0) return lmdbError(rc, "lmdb compacting copy to " + file.string());
  return okStatus();
}

uint64_t LmdbEnv::usedBytes() const {
  MDB_envinfo info{};
  if (mdb_env_info(env_, &info) != 0) return 0;
  return static_cast<uint64_t>(info.me_last_pgno + 1) * pageSize_;
}

}  // namespace fastio::cache
