#pragma once
// DirtyStore in memory, for the core's unit tests: the journal's contract (cache/DirtyJournal.h)
// without disks. Written bytes go to an append-only string per file, extents point into it
// (the journal's own ExtentMap functions), so snapshots stay valid while writes continue.
// sync() only counts calls per level, which tests assert on.

#include <map>
#include <mutex>

#include "cache/ExtentMap.h"
#include "fs/DirtyStore.h"

namespace fastio::fs::testsupport {

class MemoryDirtyStore final : public DirtyStore {
 public:
  Result<DirtyKey> begin(const NewDirty& file) override;
  Status write(DirtyKey key, uint64_t offset, std::string_view data) override;
  Status truncate(DirtyKey key, uint64_t size) override;
  Status amend(DirtyKey key, const std::function<void(DirtyMeta&)>& change) override;
  Result<DirtyReadPlan> read(DirtyKey key, uint64_t offset, std::span<char> out) override;
  Status sync(DirtyKey key, Durability level) override;
  Status syncAll(Durability level) override;
  Status checkpoint() override { return okStatus(); }
  Result<DirtyFile> state(DirtyKey key) override;
  std::vector<DirtyFile> list() override;
  uint64_t footprintBytes() const override;
  Result<DirtyUpload> beginUpload(DirtyKey key) override;
  Result<DirtyReadPlan> readSnapshot(DirtyKey key, uint64_t offset, std::span<char> out) override;
  Status setUploadSession(DirtyKey key, const std::string& sessionId, uint64_t chunkSize) override;
  Status ackChunk(DirtyKey key, uint32_t order) override;
  Status recordFailure(DirtyKey key, const std::string& message, bool keepSession) override;
  Result<bool> completeUpload(DirtyKey key, const std::string& nodeId,
                              const std::string& version) override;
  Status discard(DirtyKey key) override;

  uint64_t syncCount(Durability level) const;
  // Makes the next write fail with kIo (a staging write that could not be made).
  void failNextWrite();

 private:
  struct Entry {
    DirtyFile file;
    std::string log;
    std::vector<cache::DirtyExtent> extents;
    uint64_t baseVisibleSize = 0;
    std::vector<cache::DirtyExtent> snapshotExtents;
    uint64_t snapshotBaseVisible = 0;
  };
  Result<Entry*> find(DirtyKey key);
  DirtyReadPlan fill(const Entry& e, const std::vector<cache::DirtyExtent>& extents, uint64_t size,
                     uint64_t baseVisible, uint64_t offset, std::span<char> out) const;

  mutable std::mutex mu_;
  std::map<DirtyKey, Entry> entries_;
  DirtyKey next_ = 1;
  uint64_t processSyncs_ = 0;
  uint64_t powerSyncs_ = 0;
  bool failNextWrite_ = false;
};

}  // namespace fastio::fs::testsupport
