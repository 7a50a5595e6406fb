#include "fs/HandleTable.h"

namespace fastio::fs {

uint64_t HandleTable::addFile(std::shared_ptr<FileHandle> handle) {
  const InodeId ino = handle->ino;
  const bool writer = handle->writable;
  uint64_t id;
  {
    std::lock_guard lock(mu_);
    id = next_++;
    files_.emplace(id, std::move(handle));
    OpenCounts& c = perInode_[ino];
    ++c.all;
    if (writer) ++c.writers;
  }
  inodes_.pin(ino);
  return id;
}

std::shared_ptr<FileHandle> HandleTable::file(uint64_t id) const {
  std::lock_guard lock(mu_);
  auto it = files_.find(id);
  return it == files_.end() ? nullptr : it->second;
}

std::shared_ptr<FileHandle> HandleTable::removeFile(uint64_t id) {
  std::shared_ptr<FileHandle> handle;
  {
    std::lock_guard lock(mu_);
    auto it = files_.find(id);
    if (it == files_.end()) return nullptr;
    handle = std::move(it->second);
    files_.erase(it);
    auto counts = perInode_.find(handle->ino);
    if (counts != perInode_.end()) {
      if (handle->writable && counts->second.writers > 0) --counts->second.writers;
      if (--counts->second.all == 0) perInode_.erase(counts);
    }
  }
  inodes_.unpin(handle->ino);
  return handle;
}

uint64_t HandleTable::addDirectory(std::shared_ptr<const DirSnapshot> snapshot) {
  std::lock_guard lock(mu_);
  const uint64_t id = next_++;
  directories_.emplace(id, std::move(snapshot));
  return id;
}

std::shared_ptr<const DirSnapshot> HandleTable::directory(uint64_t id) const {
  std::lock_guard lock(mu_);
  auto it = directories_.find(id);
  return it == directories_.end() ? nullptr : it->second;
}

void HandleTable::removeDirectory(uint64_t id) {
  std::lock_guard lock(mu_);
  directories_.erase(id);
}

void HandleTable::rebase(InodeId ino, const FileVersion& file) {
  std::lock_guard lock(mu_);
  if (perInode_.count(ino) == 0) return;
  for (auto& [id, handle] : files_) {
    if (handle->ino != ino || handle->isVirtual) continue;
    std::lock_guard handleLock(handle->mu);
    handle->file = file;
  }
}

size_t HandleTable::openFiles() const {
  std::lock_guard lock(mu_);
  return files_.size();
}

size_t HandleTable::openCount(InodeId ino) const {
  std::lock_guard lock(mu_);
  auto it = perInode_.find(ino);
  return it == perInode_.end() ? 0 : it->second.all;
}

size_t HandleTable::writerCount(InodeId ino) const {
  std::lock_guard lock(mu_);
  auto it = perInode_.find(ino);
  return it == perInode_.end() ? 0 : it->second.writers;
}

}  // namespace fastio::fs
