#include "fs/AnswerViews.h"

#include "common/Log.h"
#include "fs/AskRender.h"

namespace fastio::fs {

SearchView::SearchView(RemoteStore& remote, PathResolver& paths, const Clock& clock, Duration ttl,
                       Duration timeout, FsCounters& counters)
    : remote_(remote),
      paths_(paths),
      clock_(clock),
      ttl_(ttl),
      timeout_(timeout),
      counters_(counters) {}

bool SearchView::fresh(const SearchAnswer& a) const {
  return clock_.now() - a.at < ttl_;
}

SearchView::AnswerPtr SearchView::peek(const std::string& workspaceId,
                                       const std::string& query) const {
  std::lock_guard lock(mu_);
  auto ws = answers_.find(workspaceId);
  if (ws == answers_.end()) return nullptr;
  auto it = ws->second.find(query);
  return it == ws->second.end() ? nullptr : it->second;
}

std::vector<std::string> SearchView::freshQueries(const std::string& workspaceId) const {
  std::vector<std::string> out;
  std::lock_guard lock(mu_);
  auto ws = answers_.find(workspaceId);
  if (ws == answers_.end()) return out;
  for (const auto& [query, answer] : ws->second) {
    if (fresh(*answer)) out.push_back(query);
  }
  return out;
}

Result<SearchView::AnswerPtr> SearchView::get(const std::string& workspaceId,
                                              const std::string& query) {
  if (query.size() < 2 || query.size() > 1000) {
    return makeError(ErrorCode::kNotFound, "a search needs 2 to 1000 characters");
  }
  if (auto held = peek(workspaceId, query); held && fresh(*held)) return held;
  return flights_.run(workspaceId + "/" + query, [&] { return compute(workspaceId, query); });
}

Result<SearchView::AnswerPtr> SearchView::compute(const std::string& workspaceId,
                                                  const std::string& query) {
  counters_.searches++;
  auto result =
      remote_.search(workspaceId, query, SearchOptions{}, Deadline::after(timeout_, clock_));
  if (!result.ok()) {
    counters_.remoteErrors++;
    // A stale answer beats an error while the server is away.
    if (auto held = peek(workspaceId, query)) return held;
    return result.error();
  }
  std::vector<std::string> paths;
  paths.reserve(result->hits.size());
  for (const SearchHit& hit : result->hits) {
    auto path = hit.parentId.empty() ? paths_.pathOfNode(workspaceId, hit.nodeId)
                                     : paths_.pathOf(workspaceId, hit.nodeId, hit.parentId);
    if (!path.ok()) {
      FASTIO_LOG_DEBUG("search hit {} has no path in the mount: {}", hit.nodeId,
                       path.error().describe());
    }
    paths.push_back(path.ok() ? *path : std::string());
  }
  auto answer = std::make_shared<SearchAnswer>();
  answer->query = query;
  answer->hits = renderHits(*result, paths);
  answer->text = renderResultsText(query, *result, answer->hits);
  answer->json = renderResultsJson(query, *result, answer->hits);
  answer->at = clock_.now();
  answer->wallAt = clock_.wallNow();
  AnswerPtr ptr = answer;
  std::lock_guard lock(mu_);
  answers_[workspaceId][query] = ptr;
  return ptr;
}

AskView::AskView(RemoteStore& remote, PathResolver& paths, const Clock& clock, Duration ttl,
                 Duration timeout, FsCounters& counters, MetadataBackup* backup)
    : remote_(remote),
      paths_(paths),
      clock_(clock),
      ttl_(ttl),
      timeout_(timeout),
      counters_(counters),
      backup_(backup) {}

AskView::AnswerPtr AskView::peek(const std::string& workspaceId,
                                 const std::string& question) const {
  std::lock_guard lock(mu_);
  auto ws = answers_.find(workspaceId);
  if (ws == answers_.end()) return nullptr;
  auto it = ws->second.find(question);
  return it == ws->second.end() ? nullptr : it->second;
}

std::vector<std::string> AskView::answeredQuestions(const std::string& workspaceId) const {
  std::vector<std::string> out;
  std::lock_guard lock(mu_);
  auto ws = answers_.find(workspaceId);
  if (ws == answers_.end()) return out;
  for (const auto& [q, a] : ws->second) {
    if (clock_.now() - a->at < ttl_) out.push_back(q);
  }
  return out;
}

Result<AskView::AnswerPtr> AskView::get(const std::string& workspaceId,
                                        const std::string& question) {
  if (question.empty()) return makeError(ErrorCode::kNotFound, "empty question");
  if (auto held = peek(workspaceId, question); held && clock_.now() - held->at < ttl_) {
    return held;
  }
  return flights_.run(workspaceId + "/" + question, [&] { return compute(workspaceId, question); });
}

Result<AskView::AnswerPtr> AskView::compute(const std::string& workspaceId,
                                            const std::string& question) {
  auto store = [&](std::string text) {
    auto a = std::make_shared<AskResult>();
    a->question = question;
    a->text = std::move(text);
    a->at = clock_.now();
    a->wallAt = clock_.wallNow();
    AnswerPtr ptr = a;
    std::lock_guard lock(mu_);
    answers_[workspaceId][question] = ptr;
    return ptr;
  };
  counters_.asks++;
  auto answer = remote_.ask(workspaceId, question, Deadline::after(timeout_, clock_));
  if (!answer.ok()) {
    counters_.remoteErrors++;
    if (auto held = peek(workspaceId, question)) return held;
    if (backup_) {
      if (auto saved = backup_->loadAnswer(true, workspaceId, question)) {
        return store(std::move(*saved));
      }
    }
    return answer.error();
  }
  std::vector<std::string> paths;
  for (const Citation& c : answer->citations) {
    auto path = paths_.pathOfNode(workspaceId, c.nodeId);
    paths.push_back(path.ok() ? *path : std::string());
  }
  std::string text = renderAskAnswer(*answer, paths);
  if (backup_) backup_->saveAnswer(true, workspaceId, question, text, ttl_);
  return store(std::move(text));
}

}  // namespace fastio::fs
