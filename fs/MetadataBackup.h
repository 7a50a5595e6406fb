#pragma once
// Optional persistence of what the mount has seen (workspaces and folder listings) so a mount
// can start and browse offline. LmdbMetadataBackup adapts cache/MetadataCache; without a cache
// directory there is none. Failures are logged by the implementation and otherwise ignored:
// the backup only ever helps.

#include <optional>
#include <string>
#include <vector>

#include "client/Types.h"
#include "common/Clock.h"

namespace fastio::fs {

enum class AnswerKind { kSearch, kAsk };

class MetadataBackup {
 public:
  virtual ~MetadataBackup() = default;
  virtual void saveWorkspaces(const std::vector<Workspace>& workspaces) = 0;
  virtual std::optional<std::vector<Workspace>> loadWorkspaces() = 0;
  virtual void saveListing(const std::string& workspaceId, const std::string& folderId,
                           const std::vector<Node>& children, Duration ttl) = 0;
  virtual std::optional<std::vector<Node>> loadListing(const std::string& workspaceId,
                                                       const std::string& folderId) = 0;
  // Search and ask answers in the views' own encoding (opaque here). loadAnswer returns an
  // expired answer too: offline, an old answer beats none.
  virtual void saveAnswer(AnswerKind kind, const std::string& workspaceId, const std::string& query,
                          const std::string& payload, Duration ttl) = 0;
  virtual std::optional<std::string> loadAnswer(AnswerKind kind, const std::string& workspaceId,
                                                const std::string& query) = 0;
};

}  // namespace fastio::fs
