#pragma once
// GET /current/workspace/{id}/storage/{node}/content/ (fastio-api.md §4.5): the text the index
// holds for a file, as passages ("chunks") with their pages — all of them in order, one page,
// a position range, or the passages that best match `q`.

#include <httplib.h>

#include "emulator/intelligence/IntelligenceService.h"

namespace fastio::emu::intelligence {

void handleNodeContent(IntelligenceService& service, const httplib::Request& req,
                       httplib::Response& res);

}  // namespace fastio::emu::intelligence
