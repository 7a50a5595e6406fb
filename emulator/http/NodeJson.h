#pragma once
// A node's JSON at the requested detail level (fastio-api.md §4.1 table).

#include <nlohmann/json.hpp>

#include "emulator/http/ApiResponse.h"
#include "emulator/state/StateTypes.h"

namespace fastio::emu::http {

nlohmann::json nodeToJson(const NodeRecord& node, DetailLevel level = DetailLevel::kFull);
nlohmann::json workspaceToJson(const WorkspaceRecord& ws);
nlohmann::json lockToJson(const LockRecord& lock, bool includeToken);

}  // namespace fastio::emu::http
