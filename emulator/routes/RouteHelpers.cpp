#include "emulator/routes/RouteHelpers.h"

#include "emulator/ApiCodes.h"
#include "emulator/http/NodeJson.h"

namespace fastio::emu::routes {

std::optional<WorkspaceRecord> workspaceOrReply(EmulatorContext& ctx, const httplib::Request& req,
                                                httplib::Response& res, std::size_t index) {
  auto ws = ctx.state.workspaces().find(http::pathParam(req, index));
  if (!ws.ok()) {
    http::sendError(res, ws.error());
    return std::nullopt;
  }
  return *ws;
}

std::optional<OffsetPage> offsetPageOrReply(const httplib::Request& req, httplib::Response& res) {
  http::Form form(req);
  http::Validation v;
  bool badLimit = false;
  bool badOffset = false;
  OffsetPage page;
  auto limit = form.getInt("limit", 1, 500, badLimit);
  auto offset = form.getInt("offset", 0, 1'000'000'000, badOffset);
  if (badLimit) v.invalid("limit", "limit must be an integer from 1 to 500.");
  if (badOffset) v.invalid("offset", "offset must be a non-negative integer.");
  if (v.replyIfFailed(res)) return std::nullopt;
  if (limit) page.limit = static_cast<int>(*limit);
  if (offset) page.offset = static_cast<int>(*offset);
  return page;
}

nlohmann::json paginationJson(std::size_t total, const OffsetPage& page) {
  return {{"total", total},
          {"limit", page.limit},
          {"offset", page.offset},
          {"has_more", static_cast<std::size_t>(page.offset) + page.limit < total}};
}

std::optional<ListQuery> listQueryOrReply(const httplib::Request& req, httplib::Response& res) {
  http::Form form(req);
  http::Validation v;
  ListQuery q;
  std::string sortBy = form.getOr("sort_by", "name");
  if (sortBy == "name") {
    q.sortBy = SortBy::kName;
  } else if (sortBy == "updated") {
    q.sortBy = SortBy::kUpdated;
  } else if (sortBy == "created") {
    q.sortBy = SortBy::kCreated;
  } else if (sortBy == "type") {
    q.sortBy = SortBy::kType;
  } else {
    v.invalid("sort_by", "sort_by must be one of name, updated, created, type.");
  }
  std::string dir = form.getOr("sort_dir", "asc");
  if (dir == "asc" || dir == "desc") {
    q.descending = dir == "desc";
  } else {
    v.invalid("sort_dir", "sort_dir must be asc or desc.");
  }
  std::string size = form.getOr("page_size", "100");
  if (size == "100" || size == "250" || size == "500") {
    q.pageSize = std::stoi(size);
  } else {
    v.invalid("page_size", "page_size must be 100, 250 or 500.");
  }
  q.cursor = form.getOr("cursor", "");
  if (v.replyIfFailed(res)) return std::nullopt;
  return q;
}

nlohmann::json listPageJson(const ListPage& page, int pageSize, http::DetailLevel level) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& n : page.nodes) items.push_back(http::nodeToJson(n, level));
  nlohmann::json cursor =
      page.nextCursor.empty() ? nlohmann::json(nullptr) : nlohmann::json(page.nextCursor);
  return {
      {"nodes", {{"items", items}, {"count", page.nodes.size()}}},
      {"pagination",
       {{"next_cursor", cursor}, {"page_size", pageSize}, {"has_more", !page.nextCursor.empty()}}},
      {"next_cursor", cursor}};
}

std::optional<http::DetailLevel> detailLevelOrReply(const httplib::Request& req,
                                                    httplib::Response& res) {
  auto level = http::parseDetailLevel(req);
  if (!level) {
    http::Validation v;
    v.invalid("output", "output must be one detail level: terse, standard or full.");
    v.replyIfFailed(res);
  }
  return level;
}

}  // namespace fastio::emu::routes
