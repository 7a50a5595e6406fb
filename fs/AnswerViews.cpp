#include "fs/AnswerViews.h"

#include "common/Log.h"
#include "fs/AskRender.h"
#include "fs/SearchAnswerPayload.h"

namespace fastio::fs {
namespace {

AskResult askResult(const std::string& question, std::string text) {
  AskResult result;
  result.question = question;
  result.text = std::move(text);
  return result;
}

}  // namespace

Result<SearchView::AnswerPtr> SearchView::get(const std::string& workspaceId,
                                              const std::string& query) {
  if (query.size() < 2 || query.size() > 1000) {
    return makeError(ErrorCode::kNotFound, "a search needs 2 to 1000 characters");
  }
  return freshOr(workspaceId, query, [&] { return compute(workspaceId, query); });
}

Result<SearchView::AnswerPtr> SearchView::compute(const std::string& workspaceId,
                                                  const std::string& query) {
  counters_.searches++;
  auto result = remote_.search(workspaceId, query, SearchOptions{}, remoteDeadline());
  if (!result.ok()) {
    counters_.remoteErrors++;
    // A stale answer beats an error while the server is away.
    if (auto held = peek(workspaceId, query)) return held;
    if (backup_) {
      if (auto saved = backup_->loadAnswer(AnswerKind::kSearch, workspaceId, query)) {
        if (auto answer = searchAnswerFromPayload(*saved); answer && answer->query == query) {
          return hold(workspaceId, query, std::move(*answer));
        }
      }
    }
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
  SearchAnswer answer;
  answer.query = query;
  answer.hits = renderHits(*result, paths);
  answer.text = renderResultsText(query, *result, answer.hits);
  answer.json = renderResultsJson(query, *result, answer.hits);
  if (backup_) {
    backup_->saveAnswer(AnswerKind::kSearch, workspaceId, query, searchAnswerPayload(answer), ttl_);
  }
  return hold(workspaceId, query, std::move(answer));
}

Result<AskView::AnswerPtr> AskView::get(const std::string& workspaceId,
                                        const std::string& question) {
  if (question.empty()) return makeError(ErrorCode::kNotFound, "empty question");
  return freshOr(workspaceId, question, [&] { return compute(workspaceId, question); });
}

Result<AskView::AnswerPtr> AskView::compute(const std::string& workspaceId,
                                            const std::string& question) {
  counters_.asks++;
  auto answer = remote_.ask(workspaceId, question, remoteDeadline());
  if (!answer.ok()) {
    counters_.remoteErrors++;
    if (auto held = peek(workspaceId, question)) return held;
    if (backup_) {
      if (auto saved = backup_->loadAnswer(AnswerKind::kAsk, workspaceId, question)) {
        return hold(workspaceId, question, askResult(question, std::move(*saved)));
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
  if (backup_) backup_->saveAnswer(AnswerKind::kAsk, workspaceId, question, text, ttl_);
  return hold(workspaceId, question, askResult(question, std::move(text)));
}

}  // namespace fastio::fs
