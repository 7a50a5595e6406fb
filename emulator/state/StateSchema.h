#pragma once
// The tables of state.db: meta (the user and org ids), tokens, workspaces, nodes (files and
// folders, with their trash and lock columns) and versions.

#include "common/Result.h"
#include "emulator/state/Database.h"

namespace fastio::emu {

// Creates whatever is missing; safe on every start.
Status applyStateSchema(Database& db);

}  // namespace fastio::emu
