#include "emulator/state/Seeder.h"

#include <algorithm>
#include <vector>

#include "common/Log.h"
#include "emulator/ApiCodes.h"

namespace fastio::emu {

namespace fs = std::filesystem;

namespace {

Status copyTree(State& state, const std::string& workspaceId, const fs::path& dir,
                const std::string& parentId) {
  std::error_code ec;
  std::vector<fs::directory_entry> entries;
  for (const auto& e : fs::directory_iterator(dir, ec)) entries.push_back(e);
  if (ec) return internalError("cannot read " + dir.string() + ": " + ec.message());
  std::sort(entries.begin(), entries.end());
  for (const auto& entry : entries) {
    std::string name = entry.path().filename().string();
    if (entry.is_directory()) {
      auto folder = state.tree().createFolder(workspaceId, parentId, name, false);
      if (!folder.ok()) {
        FASTIO_LOG_WARN("seed: skipping folder {}: {}", entry.path().string(),
                        folder.error().message);
        continue;
      }
      FASTIO_TRY(copyTree(state, workspaceId, entry.path(), folder->id));
    } else if (entry.is_regular_file()) {
      fs::path temp = state.files().newTempPath();
      fs::copy_file(entry.path(), temp, fs::copy_options::overwrite_existing, ec);
      if (ec) return internalError("cannot copy " + entry.path().string() + ": " + ec.message());
      StoreFileRequest req;
      req.workspaceId = workspaceId;
      req.parentId = parentId;
      req.name = name;
      req.blobTempPath = temp;
      req.size = static_cast<std::int64_t>(fs::file_size(temp, ec));
      auto stored = state.files().store(req);
      if (!stored.ok()) {
        FASTIO_LOG_WARN("seed: skipping file {}: {}", entry.path().string(),
                        stored.error().message);
      }
    }
  }
  return okStatus();
}

}  // namespace

Result<int> seedWorkspaces(State& state, const fs::path& seedDir) {
  std::error_code ec;
  if (!fs::is_directory(seedDir, ec)) {
    return invalidInput("--seed " + seedDir.string() + " is not a directory");
  }
  std::vector<fs::path> dirs;
  for (const auto& e : fs::directory_iterator(seedDir, ec)) {
    if (e.is_directory()) dirs.push_back(e.path());
  }
  std::sort(dirs.begin(), dirs.end());
  int created = 0;
  for (const auto& dir : dirs) {
    std::string folderName = dir.filename().string();
    if (state.workspaces().find(folderName).ok()) continue;
    NewWorkspace spec;
    spec.orgId = state.identity().org().id;
    spec.folderName = folderName;
    spec.name = folderName;
    spec.intelligence = true;
    auto ws = state.workspaces().create(spec);
    if (!ws.ok()) {
      FASTIO_LOG_WARN("seed: skipping {}: {}", dir.string(), ws.error().message);
      continue;
    }
    FASTIO_TRY(copyTree(state, ws->id, dir, "root"));
    ++created;
  }
  return created;
}

}  // namespace fastio::emu
