#pragma once
// Small helpers shared by the core routes files: workspace resolution from a path capture,
// offset pagination, keyset list parameters, and replying with a State error.

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "emulator/EmulatorContext.h"
#include "emulator/http/ApiResponse.h"

namespace fastio::emu::routes {

// The workspace named by path capture `index` (id or folder_name); replies 404 and returns
// nullopt when there is none.
std::optional<WorkspaceRecord> workspaceOrReply(EmulatorContext& ctx, const httplib::Request& req,
                                                httplib::Response& res, std::size_t index = 1);

struct OffsetPage {
  int limit = 100;
  int offset = 0;
};
// limit 1-500 (default 100), offset >= 0 (default 0); replies 406 and returns nullopt if bad.
std::optional<OffsetPage> offsetPageOrReply(const httplib::Request& req, httplib::Response& res);
nlohmann::json paginationJson(std::size_t total, const OffsetPage& page);

// sort_by, sort_dir, page_size (100/250/500), cursor; replies 406 and returns nullopt if bad.
std::optional<ListQuery> listQueryOrReply(const httplib::Request& req, httplib::Response& res);

// {"nodes":{"items":[...],"count":N},"pagination":{"next_cursor":..., "page_size":N},
//  "next_cursor":...} (fastio-api.md §4.1 "Emulator: pick ...").
nlohmann::json listPageJson(const ListPage& page, int pageSize, http::DetailLevel level);

// Replies 406 when output= is invalid; otherwise returns the level.
std::optional<http::DetailLevel> detailLevelOrReply(const httplib::Request& req,
                                                    httplib::Response& res);

}  // namespace fastio::emu::routes
