#pragma once
// Adapters from the cache layer's LMDB classes to the small interfaces the core uses:
// LmdbContentCache (cache::BlockCache as a ContentCache), LmdbMetadataBackup
// (cache::MetadataCache as a MetadataBackup) and LmdbDirtyStore (cache::DirtyJournal as a
// DirtyStore). cache/ cannot see client/ types, so the node and
// workspace conversions live here.

#include "cache/BlockCache.h"
#include "cache/DirtyJournal.h"
#include "cache/MetadataCache.h"
#include "fs/ContentCache.h"
#include "fs/DirtyStore.h"
#include "fs/MetadataBackup.h"

namespace fastio::fs {

class LmdbContentCache final : public ContentCache {
 public:
  explicit LmdbContentCache(cache::BlockCache& blocks) : blocks_(blocks) {}
  std::optional<std::string> get(const ContentKey& key) override;
  std::optional<BlockView> view(const ContentKey& key) override;
  bool contains(const ContentKey& key) override;
  Status put(const ContentKey& key, std::string_view data) override;
  uint64_t bytesUsed() const override;

 private:
  cache::BlockCache& blocks_;
};

class LmdbMetadataBackup final : public MetadataBackup {
 public:
  explicit LmdbMetadataBackup(cache::MetadataCache& metadata) : metadata_(metadata) {}
  void saveWorkspaces(const std::vector<Workspace>& workspaces) override;
  std::optional<std::vector<Workspace>> loadWorkspaces() override;
  // Folder listings are stored under "<workspace id>:<folder id>" (folder ids such as "root"
  // repeat across workspaces) and with their display names, so duplicates and hostile names
  // survive the trip through the name-keyed cache.
  void saveListing(const std::string& workspaceId, const std::string& folderId,
                   const std::vector<Node>& children, Duration ttl) override;
  std::optional<std::vector<Node>> loadListing(const std::string& workspaceId,
                                               const std::string& folderId) override;
  void saveAnswer(AnswerKind kind, const std::string& workspaceId, const std::string& query,
                  const std::string& payload, Duration ttl) override;
  std::optional<std::string> loadAnswer(AnswerKind kind, const std::string& workspaceId,
                                        const std::string& query) override;

  static cache::CachedNode toCached(const Node& node);
  static Node fromCached(const cache::CachedNode& node);

 private:
  cache::MetadataCache& metadata_;
};

class LmdbDirtyStore final : public DirtyStore {
 public:
  explicit LmdbDirtyStore(cache::DirtyJournal& journal) : journal_(journal) {}
  Result<DirtyKey> begin(const NewDirty& file) override;
  Status write(DirtyKey key, uint64_t offset, std::string_view data) override;
  Status truncate(DirtyKey key, uint64_t size) override;
  Status amend(DirtyKey key, const std::function<void(DirtyMeta&)>& change) override;
  Result<DirtyReadPlan> read(DirtyKey key, uint64_t offset, std::span<char> out) override;
  Status sync(DirtyKey key, Durability level) override;
  Status syncAll(Durability level) override;
  Status checkpoint() override;
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

  static DirtyFile fromJournal(const cache::DirtyFileState& state);

 private:
  cache::DirtyJournal& journal_;
};

}  // namespace fastio::fs
