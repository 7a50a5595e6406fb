#include "emulator/state/StateDb.h"

#include <utility>

namespace fastio::emu {

Result<std::unique_ptr<StateDb>> StateDb::open(const std::filesystem::path& file, int maxReaders) {
  FASTIO_TRY_ASSIGN(auto writer, Database::open(file));
  return std::unique_ptr<StateDb>(new StateDb(file, std::move(writer), maxReaders));
}

StateDb::StateDb(std::filesystem::path file, std::unique_ptr<Database> writer, int maxReaders)
    : file_(std::move(file)), writer_(std::move(writer)), maxReaders_(maxReaders) {}

StateDb::~StateDb() = default;

StateDb::WriteAccess StateDb::write() {
  return WriteAccess(writerMu_, *writer_);
}

Result<StateDb::ReadAccess> StateDb::read() {
  {
    std::unique_lock lock(poolMu_);
    readerReturned_.wait(lock, [&] { return !idleReaders_.empty() || openReaders_ < maxReaders_; });
    if (!idleReaders_.empty()) {
      auto reader = std::move(idleReaders_.back());
      idleReaders_.pop_back();
      return ReadAccess(this, std::move(reader));
    }
    ++openReaders_;
  }
  // A new connection, opened without the pool lock held.
  auto opened = Database::open(file_);
  Status readOnly = opened.ok() ? (*opened)->exec("PRAGMA query_only=1") : opened.error();
  if (!readOnly.ok()) {
    {
      std::lock_guard lock(poolMu_);
      --openReaders_;
    }
    readerReturned_.notify_one();
    return readOnly.error();
  }
  return ReadAccess(this, std::move(*opened));
}

void StateDb::giveBack(std::unique_ptr<Database> reader) {
  {
    std::lock_guard lock(poolMu_);
    idleReaders_.push_back(std::move(reader));
  }
  readerReturned_.notify_one();
}

StateDb::ReadAccess::ReadAccess(ReadAccess&& other) noexcept
    : home_(std::exchange(other.home_, nullptr)),
      db_(std::move(other.db_)),
      inSnapshot_(std::exchange(other.inSnapshot_, false)) {}

StateDb::ReadAccess::~ReadAccess() {
  if (home_ == nullptr || db_ == nullptr) return;
  if (inSnapshot_ && !db_->exec("COMMIT").ok()) (void)db_->exec("ROLLBACK");
  home_->giveBack(std::move(db_));
}

Status StateDb::ReadAccess::snapshot() {
  if (inSnapshot_) return okStatus();
  FASTIO_TRY(db_->exec("BEGIN"));
  inSnapshot_ = true;
  return okStatus();
}

}  // namespace fastio::emu
