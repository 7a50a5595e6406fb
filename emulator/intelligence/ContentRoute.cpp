#include "emulator/intelligence/ContentRoute.h"

#include <nlohmann/json.hpp>

#include "common/Utf8.h"
#include "emulator/http/ApiResponse.h"
#include "emulator/intelligence/TextUtil.h"

namespace fastio::emu::intelligence {
namespace {

using nlohmann::json;

constexpr int64_t kMaxChunkPosition = 9999;

}  // namespace

void handleNodeContent(IntelligenceService& service, const httplib::Request& req,
                       httplib::Response& res) {
  auto ws = service.state().workspaces().find(http::pathParam(req, 1));
  if (!ws.ok()) return http::sendError(res, ws.error());
  auto node = service.state().nodes().node(ws->id, http::pathParam(req, 2));
  if (!node.ok()) return http::sendError(res, node.error());
  if (!node->isFile() || node->trashed) {
    return http::sendError(res, 406, 1605, "Extracted text exists only for files.");
  }

  const http::Form form(req);
  http::Validation v;
  bool bad = false;
  const auto q = form.get("q");
  if (q && (q->empty() || q->size() > 512)) v.invalid("q", "q must be 1-512 characters.");
  const auto page = form.getInt("page", 1, 1000000, bad);
  if (bad) v.invalid("page", "page must be a positive integer.");
  bad = false;
  const auto from = form.getInt("chunk_from", 0, kMaxChunkPosition, bad);
  if (bad) v.invalid("chunk_from", "chunk_from must be an integer from 0 to 9999.");
  bad = false;
  const auto to = form.getInt("chunk_to", 0, kMaxChunkPosition, bad);
  if (bad) v.invalid("chunk_to", "chunk_to must be an integer from 0 to 9999.");
  bad = false;
  const auto limit = form.getInt("limit", 1, 20, bad);
  if (bad) v.invalid("limit", "limit must be an integer from 1 to 20.");
  bad = false;
  const auto maxBytes = form.getInt("max_bytes", 1024, 262144, bad);
  if (bad) v.invalid("max_bytes", "max_bytes must be an integer from 1024 to 262144.");
  bad = false;
  const auto cursor = form.getInt("cursor", 0, 1000000, bad);
  if (bad) v.invalid("cursor", "cursor must be a value returned as next_cursor.");
  const int modes = (q ? 1 : 0) + (page ? 1 : 0) + (from || to ? 1 : 0);
  if (modes > 1) v.invalid("q", "Use only one of q, page or chunk_from/chunk_to.");
  if (from && to && *to < *from) v.invalid("chunk_to", "chunk_to must not be below chunk_from.");
  if (v.replyIfFailed(res)) return;

  auto content = service.index().content(node->id, q.value_or(""));
  if (!content.ok()) return http::sendError(res, content.error());
  const bool indexed = content->indexed && content->indexedVersionId == node->versionId;

  // Select, then page through the selection with the cursor (a position in it).
  std::vector<const StoredPassage*> selected;
  if (indexed) {
    for (const auto& p : content->passages) {
      if (page && p.page != *page) continue;
      if (from && static_cast<int64_t>(p.position) < *from) continue;
      if (to && static_cast<int64_t>(p.position) > *to) continue;
      selected.push_back(&p);
    }
  }
  const size_t start = static_cast<size_t>(cursor.value_or(0));
  const size_t count = static_cast<size_t>(limit.value_or(q ? 3 : 5));
  const size_t budget = static_cast<size_t>(maxBytes.value_or(32768));
  json chunks = json::array();
  size_t used = 0;
  size_t next = start;
  bool truncated = false;
  for (size_t i = start; i < selected.size() && chunks.size() < count; ++i) {
    const StoredPassage& p = *selected[i];
    std::string text = p.text;
    if (used + text.size() > budget) {
      if (!chunks.empty()) break;  // the next call continues here
      text = std::string(utf8::prefix(text, budget));
      truncated = true;
    }
    used += text.size();
    chunks.push_back({{"position", p.position},
                      {"sequence", p.position},
                      {"chunk_index", p.position},
                      {"start_page", p.page},
                      {"end_page", p.page},
                      {"chars", text.size()},
                      {"score", p.score ? json(*p.score) : json()},
                      {"text", std::move(text)}});
    next = i + 1;
  }
  const bool more = next < selected.size();
  http::sendOk(res, {{"node_id", node->id},
                     {"name", node->name},
                     {"mimetype", node->mimetype},
                     {"indexed", indexed},
                     {"complete", indexed},
                     {"indexed_version_id", indexed ? json(content->indexedVersionId) : json()},
                     {"page_addressable", indexed && content->pageCount > 1},
                     {"num_pages", indexed ? content->pageCount : 0},
                     {"total_chunks", indexed ? content->totalPassages : 0},
                     {"chunks", chunks},
                     {"next_cursor", more ? json(std::to_string(next)) : json()},
                     {"truncated", truncated}});
}

}  // namespace fastio::emu::intelligence
