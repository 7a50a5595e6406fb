// InMemoryRemoteStore: search, ask and the activity long-poll.
// Search is plain keyword scoring over names and text content: a name hit weighs three content
// hits; there are no embeddings, so `semanticAvailable` is always false.

#include <fnmatch.h>

#include <algorithm>
#include <charconv>

#include "client/testing/InMemoryRemoteStore.h"
#include "client/testing/NodeIds.h"
#include "client/testing/TextScoring.h"

namespace fastio::testing {
namespace {

constexpr std::size_t kSnippetBytes = 200;
constexpr int kMaxPollWaitSeconds = 95;

bool nameMatches(const std::string& mode, const std::string& queryLower,
                 const std::string& nameLower) {
  if (mode == "exact") return nameLower == queryLower;
  if (mode == "prefix") return nameLower.rfind(queryLower, 0) == 0;
  if (mode == "contains") return nameLower.find(queryLower) != std::string::npos;
  if (mode == "glob") return fnmatch(queryLower.c_str(), nameLower.c_str(), 0) == 0;
  return false;
}

}  // namespace

Result<SearchResult> InMemoryRemoteStore::searchLocked(const WorkspaceState& ws,
                                                       const std::string& query,
                                                       const SearchOptions& options) const {
  const std::vector<std::string> terms = searchTerms(query);
  const std::string queryLower = toLowerAscii(query);
  const bool preciseName = !options.nameMatch.empty() && options.nameMatch != "auto";
  const SteadyTime now = clock_.now();

  struct Scored {
    SearchHit hit;
    double score;
  };
  std::vector<Scored> scored;
  for (const auto& [id, stored] : ws.nodes) {
    if (now < stored.searchableAt || liveNodeLocked(ws, id) == nullptr) continue;
    const std::string nameLower = toLowerAscii(stored.node.name);
    double score = 0;
    std::size_t contentHits = 0;
    const std::string* text = nullptr;
    if (preciseName) {
      if (!nameMatches(options.nameMatch, queryLower, nameLower)) continue;
      score = 1;
    } else {
      std::size_t nameHits = 0;
      for (const std::string& term : terms) nameHits += countOccurrences(nameLower, term, 3);
      if (options.searchIn != SearchIn::kFilename && !stored.versions.empty() &&
          stored.versions.back().content &&  // synthetic content is not indexed
          looksLikeText(*stored.versions.back().content)) {
        text = stored.versions.back().content.get();
        const std::string contentLower = toLowerAscii(*text);
        for (const std::string& term : terms) {
          contentHits += countOccurrences(contentLower, term, 20);
        }
      }
      if (options.searchIn == SearchIn::kContent) nameHits = 0;
      score = 3.0 * static_cast<double>(nameHits) + static_cast<double>(contentHits);
      if (score <= 0) continue;
    }
    SearchHit hit;
    hit.nodeId = stored.node.id;
    hit.name = stored.node.name;
    hit.parentId = stored.node.parentId;
    hit.type = stored.node.type;
    hit.rawScore = score;
    hit.scoreSource = contentHits > 0 ? "keyword" : "filename";
    hit.matchSource = "keyword";
    hit.mimetype = stored.node.mimetype;
    if (contentHits > 0 && text != nullptr)
      hit.snippet = snippetAround(*text, terms, kSnippetBytes);
    scored.push_back(Scored{std::move(hit), score});
  }
  std::sort(scored.begin(), scored.end(), [](const Scored& a, const Scored& b) {
    return a.score != b.score ? a.score > b.score : a.hit.name < b.hit.name;
  });
  const uint32_t limit = options.limit == 0 ? 100 : std::min<uint32_t>(options.limit, 500);
  if (scored.size() > limit) scored.resize(limit);

  SearchResult result;
  result.intelligenceEnabled = ws.info.intelligence;
  result.semanticAvailable = false;
  const double best = scored.empty() ? 1.0 : scored.front().score;
  for (Scored& s : scored) {
    s.hit.relevance = s.score / best;
    result.hits.push_back(std::move(s.hit));
  }
  return result;
}

Result<SearchResult> InMemoryRemoteStore::search(const std::string& workspaceId,
                                                 const std::string& query,
                                                 const SearchOptions& options, Deadline deadline) {
  FASTIO_TRY(begin(RemoteMethod::kSearch, deadline));
  if (query.size() < 2 || query.size() > 1000) {
    return makeError(ErrorCode::kInvalid, "a search query has 2 to 1000 characters");
  }
  std::lock_guard lock(mu_);
  FASTIO_TRY_ASSIGN(WorkspaceState * ws, workspaceLocked(workspaceId));
  return searchLocked(*ws, query, options);
}

Result<AskAnswer> InMemoryRemoteStore::ask(const std::string& workspaceId,
                                           const std::string& question, Deadline deadline) {
  FASTIO_TRY(begin(RemoteMethod::kAsk, deadline));
  if (question.empty() || question.size() > 32000) {
    return makeError(ErrorCode::kInvalid, "a question has 1 to 32000 characters");
  }
  std::lock_guard lock(mu_);
  FASTIO_TRY_ASSIGN(WorkspaceState * ws, workspaceLocked(workspaceId));
  if (!ws->info.intelligence) {
    return makeError(ErrorCode::kDenied, "intelligence is off in this workspace");
  }
  SearchOptions options;
  options.searchIn = SearchIn::kContent;
  options.limit = 1;
  FASTIO_TRY_ASSIGN(SearchResult found, searchLocked(*ws, question, options));

  AskAnswer answer;
  answer.chatId = newIdLocked('c');
  answer.messageId = newIdLocked('m');
  answer.state = "complete";
  if (found.hits.empty()) {
    answer.text = "No file in this workspace answers that question.";
  } else {
    const SearchHit& best = found.hits.front();
    answer.text = "From " + best.name + ": " + best.snippet;
    Citation citation;
    citation.nodeId = best.nodeId;
    citation.versionId = ws->nodes.at(best.nodeId).node.version;
    citation.snippet = best.snippet;
    answer.citations.push_back(std::move(citation));
  }
  recordActivityLocked(ws->info.id, "ai_chat:" + answer.chatId);
  return answer;
}

Result<ActivityBatch> InMemoryRemoteStore::pollActivity(const std::string& entityId,
                                                        const std::string& lastActivity,
                                                        int waitSeconds, Deadline deadline) {
  FASTIO_TRY(begin(RemoteMethod::kPollActivity, deadline));
  if (waitSeconds < 0) return makeError(ErrorCode::kInvalid, "a poll cannot wait < 0 seconds");
  const int wait = std::min(waitSeconds, kMaxPollWaitSeconds);

  std::unique_lock lock(mu_);
  std::string entity = entityId;
  if (const WorkspaceState* ws = findWorkspaceLocked(entityId)) {
    entity = ws->info.id;
  } else {
    const bool known =
        entityId == user_.id ||
        std::any_of(orgs_.begin(), orgs_.end(), [&](const Org& o) { return o.id == entityId; });
    if (!known) return makeError(ErrorCode::kNotFound, "no entity '" + entityId + "' to poll");
  }
  if (lastActivity.empty()) {  // no marker yet: hand out the current one
    return ActivityBatch{{}, std::to_string(activitySeq_)};
  }
  uint64_t marker = 0;
  auto [end, ec] =
      std::from_chars(lastActivity.data(), lastActivity.data() + lastActivity.size(), marker);
  if (ec != std::errc() || end != lastActivity.data() + lastActivity.size()) {
    return makeError(ErrorCode::kInvalid, "unrecognised activity marker '" + lastActivity + "'");
  }
  marker = std::min(marker, activitySeq_);

  auto changed = [&] {
    auto it = activity_.find(entity);
    return it != activity_.end() && !it->second.empty() && it->second.back().seq > marker;
  };
  const Duration waitFor = Seconds(wait);
  const bool deadlineFirst = deadline.remaining() < waitFor;
  const Duration bound = deadlineFirst ? deadline.remaining() : waitFor;
  if (!activityChanged_.wait_for(lock, bound, changed)) {
    if (deadlineFirst) {
      return makeError(ErrorCode::kDeadline, "pollActivity: the deadline passed while waiting");
    }
    return ActivityBatch{{}, std::to_string(activitySeq_)};
  }
  ActivityBatch batch;
  const std::vector<ActivityEvent>& log = activity_.at(entity);
  if (auto dropped = activityDropped_.find(entity);
      dropped != activityDropped_.end() && dropped->second > marker) {
    batch.keys.push_back("storage");  // events were dropped: everything may have changed
  }
  for (const ActivityEvent& event : log) {
    if (event.seq > marker &&
        std::find(batch.keys.begin(), batch.keys.end(), event.key) == batch.keys.end()) {
      batch.keys.push_back(event.key);
    }
  }
  batch.lastActivity = std::to_string(activitySeq_);
  return batch;
}

}  // namespace fastio::testing
