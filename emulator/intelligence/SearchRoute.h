#pragma once
// GET /current/workspace/{id}/storage/search/ (fastio-api.md §7.1): validation, the search, and
// the `files` map keyed by node id with `search_metadata`.

#include <httplib.h>

#include "emulator/intelligence/IntelligenceService.h"

namespace fastio::emu::intelligence {

void handleStorageSearch(IntelligenceService& service, const httplib::Request& req,
                         httplib::Response& res);

}  // namespace fastio::emu::intelligence
