#pragma once
// The metadata backup of the filesystem tests: what LmdbMetadataBackup keeps, in maps, so a
// second FileSystem over the same object starts "offline" from it.

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "fs/MetadataBackup.h"

namespace fastio::fs::testsupport {

class MemoryMetadataBackup final : public MetadataBackup {
 public:
  void saveWorkspaces(const std::vector<Workspace>& workspaces) override {
    std::lock_guard lock(mu_);
    workspaces_ = workspaces;
  }
  std::optional<std::vector<Workspace>> loadWorkspaces() override {
    std::lock_guard lock(mu_);
    return workspaces_;
  }
  void saveListing(const std::string& workspaceId, const std::string& folderId,
                   const std::vector<Node>& children, Duration) override {
    std::lock_guard lock(mu_);
    listings_[{workspaceId, folderId}] = children;
  }
  std::optional<std::vector<Node>> loadListing(const std::string& workspaceId,
                                               const std::string& folderId) override {
    std::lock_guard lock(mu_);
    auto it = listings_.find({workspaceId, folderId});
    if (it == listings_.end()) return std::nullopt;
    return it->second;
  }
  void saveAnswer(AnswerKind kind, const std::string& workspaceId, const std::string& query,
                  const std::string& payload, Duration) override {
    std::lock_guard lock(mu_);
    answers_[{kind, workspaceId, query}] = payload;
  }
  std::optional<std::string> loadAnswer(AnswerKind kind, const std::string& workspaceId,
                                        const std::string& query) override {
    std::lock_guard lock(mu_);
    auto it = answers_.find({kind, workspaceId, query});
    if (it == answers_.end()) return std::nullopt;
    return it->second;
  }

  size_t answerCount(AnswerKind kind) const {
    std::lock_guard lock(mu_);
    size_t n = 0;
    for (const auto& [key, payload] : answers_) n += std::get<0>(key) == kind ? 1 : 0;
    return n;
  }

 private:
  mutable std::mutex mu_;
  std::optional<std::vector<Workspace>> workspaces_;
  std::map<std::pair<std::string, std::string>, std::vector<Node>> listings_;
  std::map<std::tuple<AnswerKind, std::string, std::string>, std::string> answers_;
};

}  // namespace fastio::fs::testsupport
