#pragma once
// SearchView and AskView: the workspace's search and AI answers as file contents. Each answer
// is computed once per TTL per (workspace, text), rendered at once (so sizes and contents are
// stable until refreshed) and kept in memory (fs/AnswerView.h), and in the metadata backup
// when there is one, so that an answer seen before is shown while the server is away.

#include <string>
#include <vector>

#include "fs/AnswerView.h"
#include "fs/SearchRender.h"

namespace fastio::fs {

struct SearchAnswer {
  std::string query;
  std::vector<RenderedHit> hits;
  std::string text;  // results.txt
  std::string json;  // results.json
  SteadyTime at{};
  WallTime wallAt{};
};

class SearchView : public AnswerView<SearchAnswer> {
 public:
  using AnswerView::AnswerView;
  // Queries must be 2..1000 bytes (the service's limit); others are kNotFound.
  Result<AnswerPtr> get(const std::string& workspaceId, const std::string& query);
  // Queries whose answer is still fresh, sorted.
  std::vector<std::string> freshQueries(const std::string& workspaceId) const {
    return held_.freshTexts(workspaceId);
  }

 private:
  Result<AnswerPtr> compute(const std::string& workspaceId, const std::string& query);
};

struct AskResult {
  std::string question;
  std::string text;  // rendered answer with citations
  SteadyTime at{};
  WallTime wallAt{};
};

class AskView : public AnswerView<AskResult> {
 public:
  using AnswerView::AnswerView;
  Result<AnswerPtr> get(const std::string& workspaceId, const std::string& question);
  std::vector<std::string> answeredQuestions(const std::string& workspaceId) const {
    return held_.freshTexts(workspaceId);
  }

 private:
  Result<AnswerPtr> compute(const std::string& workspaceId, const std::string& question);
};

}  // namespace fastio::fs
