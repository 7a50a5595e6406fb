#pragma once
// --seed DIR: one workspace per sub-folder (folder_name = the sub-folder's name, intelligence
// on), its files and folders copied in. A workspace that already exists is left alone, so a
// restart with the same --seed changes nothing.

#include <filesystem>

#include "common/Result.h"
#include "emulator/state/State.h"

namespace fastio::emu {

// Returns how many workspaces were created.
Result<int> seedWorkspaces(State& state, const std::filesystem::path& seedDir);

}  // namespace fastio::emu
