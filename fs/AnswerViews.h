#pragma once
// SearchView and AskView: the workspace's search and AI answers as file contents. Each answer
// is computed once per TTL per (workspace, text) however many readers ask at the same time,
// rendered at once (so sizes and contents are stable until refreshed) and kept in memory, and
// in the metadata backup when there is one.

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "client/RemoteStore.h"
#include "common/Clock.h"
#include "fs/FsCounters.h"
#include "fs/MetadataBackup.h"
#include "fs/PathResolver.h"
#include "fs/SearchRender.h"
#include "fs/SingleFlight.h"

namespace fastio::fs {

struct SearchAnswer {
  std::string query;
  std::vector<RenderedHit> hits;
  std::string text;  // results.txt
  std::string json;  // results.json
  SteadyTime at{};
  WallTime wallAt{};
};

class SearchView {
 public:
  SearchView(RemoteStore& remote, PathResolver& paths, const Clock& clock, Duration ttl,
             Duration timeout, FsCounters& counters);
  using AnswerPtr = std::shared_ptr<const SearchAnswer>;
  // Queries must be 2..1000 bytes (the service's limit); others are kNotFound.
  Result<AnswerPtr> get(const std::string& workspaceId, const std::string& query);
  AnswerPtr peek(const std::string& workspaceId, const std::string& query) const;
  // Queries whose answer is still fresh, sorted.
  std::vector<std::string> freshQueries(const std::string& workspaceId) const;

 private:
  Result<AnswerPtr> compute(const std::string& workspaceId, const std::string& query);
  bool fresh(const SearchAnswer& a) const;

  RemoteStore& remote_;
  PathResolver& paths_;
  const Clock& clock_;
  Duration ttl_;
  Duration timeout_;
  FsCounters& counters_;
  mutable std::mutex mu_;
  std::map<std::string, std::map<std::string, AnswerPtr>> answers_;  // ws -> query -> answer
  SingleFlight<std::string, AnswerPtr> flights_;
};

struct AskResult {
  std::string question;
  std::string text;  // rendered answer with citations
  SteadyTime at{};
  WallTime wallAt{};
};

class AskView {
 public:
  AskView(RemoteStore& remote, PathResolver& paths, const Clock& clock, Duration ttl,
          Duration timeout, FsCounters& counters, MetadataBackup* backup);
  using AnswerPtr = std::shared_ptr<const AskResult>;
  Result<AnswerPtr> get(const std::string& workspaceId, const std::string& question);
  AnswerPtr peek(const std::string& workspaceId, const std::string& question) const;
  std::vector<std::string> answeredQuestions(const std::string& workspaceId) const;

 private:
  Result<AnswerPtr> compute(const std::string& workspaceId, const std::string& question);

  RemoteStore& remote_;
  PathResolver& paths_;
  const Clock& clock_;
  Duration ttl_;
  Duration timeout_;
  FsCounters& counters_;
  MetadataBackup* backup_;
  mutable std::mutex mu_;
  std::map<std::string, std::map<std::string, AnswerPtr>> answers_;
  SingleFlight<std::string, AnswerPtr> flights_;
};

}  // namespace fastio::fs
