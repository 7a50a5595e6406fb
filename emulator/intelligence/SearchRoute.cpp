#include "emulator/intelligence/SearchRoute.h"

#include <nlohmann/json.hpp>

#include "common/Utf8.h"
#include "emulator/http/ApiResponse.h"
#include "emulator/http/NodeJson.h"
#include "emulator/http/OpaqueId.h"

namespace fastio::emu::intelligence {
namespace {

constexpr size_t kMinQueryChars = 2;
constexpr size_t kMaxQueryChars = 1000;
constexpr size_t kMaxGlobChars = 256;
constexpr size_t kMaxScopeRefs = 100;

std::vector<std::string> splitCsv(const std::string& s) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    if (comma > start) parts.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return parts;
}

struct ParsedScope {
  bool scoped = false;
  std::unordered_set<std::string> files;
};

// files_scope = "nodeId:versionId,..." and folders_scope = "nodeId:depth,..." narrow the content
// leg. Unknown nodes are validation errors, like the service's.
ParsedScope parseScope(IntelligenceService& service, const std::string& workspaceId,
                       const http::Form& form, http::Validation& v) {
  ParsedScope scope;
  size_t refs = 0;
  if (auto files = form.get("files_scope"); files && !files->empty()) {
    scope.scoped = true;
    for (const auto& item : splitCsv(*files)) {
      ++refs;
      const auto id = normalizeOpaqueId(item.substr(0, item.find(':')));
      auto node = id ? service.state().nodes().node(workspaceId, *id) : Result<NodeRecord>(Error{});
      if (!id || !node.ok() || !node->isFile() || node->trashed) {
        v.invalid("files_scope", "files_scope names an unknown file: " + item);
        break;
      }
      scope.files.insert(node->id);
    }
  }
  if (auto folders = form.get("folders_scope"); folders && !folders->empty()) {
    scope.scoped = true;
    for (const auto& item : splitCsv(*folders)) {
      ++refs;
      const auto colon = item.find(':');
      int depth = 1;
      if (colon != std::string::npos) {
        const std::string d = item.substr(colon + 1);
        depth = (d.size() <= 2 && !d.empty() && d.find_first_not_of("0123456789") == d.npos)
                    ? std::stoi(d)
                    : 0;
      }
      const auto id = normalizeOpaqueId(item.substr(0, colon));
      auto node = id ? service.state().nodes().node(workspaceId, *id) : Result<NodeRecord>(Error{});
      if (depth < 1 || depth > 10) {
        v.invalid("folders_scope", "folders_scope depth must be 1-10: " + item);
        break;
      }
      if (!id || !node.ok() || !node->isFolder() || node->trashed) {
        v.invalid("folders_scope", "folders_scope names an unknown folder: " + item);
        break;
      }
      auto under = service.index().filesUnder(workspaceId, {node->id}, depth);
      if (under.ok()) scope.files.insert(under->begin(), under->end());
    }
  }
  if (refs > kMaxScopeRefs) v.invalid("files_scope", "At most 100 scope references are allowed.");
  return scope;
}

nlohmann::json pageJson(const SearchHit& hit) {
  if (!hit.contentMatch) return nullptr;
  return {{"start_page", hit.page}, {"end_page", hit.page}};
}

}  // namespace

void handleStorageSearch(IntelligenceService& service, const httplib::Request& req,
                         httplib::Response& res) {
  auto workspace = service.state().workspaces().find(http::pathParam(req, 1));
  if (!workspace.ok()) return http::sendError(res, workspace.error());

  const http::Form form(req);
  http::Validation v;
  const auto text = form.get("search");
  if (!text) {
    v.missing("search", "The search parameter is required.");
  } else if (const size_t n = utf8::length(*text); n < kMinQueryChars || n > kMaxQueryChars) {
    v.invalid("search", "search must be 2-1000 characters long.");
  }
  const auto searchIn = parseSearchIn(form.getOr("search_in", ""));
  if (!searchIn) v.invalid("search_in", "search_in must be filename, content or both.");
  const auto nameMatch = parseNameMatch(form.getOr("name_match", ""));
  if (!nameMatch)
    v.invalid("name_match", "name_match must be auto, exact, prefix, contains or glob.");
  bool bad = false;
  const bool caseSensitive = form.getBool("case_sensitive", bad).value_or(false);
  if (bad) v.invalid("case_sensitive", "case_sensitive must be true or false.");
  bad = false;
  const bool details = form.getBool("details", bad).value_or(false);
  if (bad) v.invalid("details", "details must be true or false.");
  bad = false;
  const auto limit = form.getInt("limit", 1, 500, bad);
  if (bad) v.invalid("limit", "limit must be an integer from 1 to 500.");
  bad = false;
  const auto offset = form.getInt("offset", 0, 1000000000, bad);
  if (bad) v.invalid("offset", "offset must be a non-negative integer.");
  const auto level = http::parseDetailLevel(req);
  if (!level) v.invalid("output", "output must be one of terse, standard or full.");
  if (text && nameMatch == NameMatch::kGlob) {
    if (utf8::length(*text) > kMaxGlobChars) {
      v.invalid("search", "A glob pattern may be at most 256 characters long.");
    } else if (text->find_first_not_of("*?") == std::string::npos) {
      v.invalid("search", "A glob pattern must contain something besides wildcards.");
    }
  }
  if (v.replyIfFailed(res)) return;
  const ParsedScope scope = parseScope(service, workspace->id, form, v);
  if (v.replyIfFailed(res)) return;

  SearchQuery query;
  query.workspaceId = workspace->id;
  query.text = *text;
  query.searchIn = *searchIn;
  query.nameMatch = *nameMatch;
  query.caseSensitive = caseSensitive;
  query.includeContent = workspace->intelligence;
  query.limit = static_cast<size_t>(limit.value_or(details ? 10 : 100));
  query.offset = static_cast<size_t>(offset.value_or(0));
  query.snippet = *level == http::DetailLevel::kTerse      ? SnippetSize::kTerse
                  : *level == http::DetailLevel::kStandard ? SnippetSize::kStandard
                                                           : SnippetSize::kFull;
  if (scope.scoped) query.contentScope = scope.files;
  auto results = service.index().search(query);
  if (!results.ok()) return http::sendError(res, results.error());

  nlohmann::json files = nlohmann::json::object();
  for (const auto& hit : results->hits) {
    nlohmann::json entry = {
        {"name", hit.node.name},
        {"parent_id", hit.node.parentId},
        {"type", hit.node.type},
        {"relevance_score", hit.relevance},
        {"raw_score", hit.rawScore},
        // Content hits are BM25 keyword matches (there is no embedding model here).
        {"score_source", hit.scoredByContent ? "keyword" : "filename"},
        {"match_source", "keyword"},
        {"content_snippet", hit.contentMatch ? nlohmann::json(hit.snippet) : nlohmann::json()},
        {"mimetype",
         hit.node.mimetype.empty() ? nlohmann::json() : nlohmann::json(hit.node.mimetype)},
        {"media_segment", nullptr},
        {"page", pageJson(hit)},
    };
    if (details) {
      auto node = service.state().nodes().node(workspace->id, hit.node.nodeId);
      if (!node.ok() || node->trashed) continue;  // the index lags a deletion: drop the hit
      entry["node"] = http::nodeToJson(*node, http::DetailLevel::kFull);
    }
    files[hit.node.nodeId] = std::move(entry);
  }
  const bool contentLeg = workspace->intelligence && *searchIn != SearchIn::kFilename;
  nlohmann::json metadata = {
      {"intelligence_enabled", workspace->intelligence},
      {"semantic_available", false},
      {"content_search_available", contentLeg},
      {"scoped", scope.scoped},
      {"scope_incomplete", false},
      {"reason",
       workspace->intelligence ? nlohmann::json() : nlohmann::json("intelligence_disabled")},
  };
  const size_t shown = query.offset + results->hits.size();
  http::sendOk(res, {{"files", files},
                     {"search_metadata", metadata},
                     {"pagination",
                      {{"total", results->total},
                       {"limit", query.limit},
                       {"offset", query.offset},
                       {"has_more", shown < results->total}}}});
}

}  // namespace fastio::emu::intelligence
