#pragma once
// The workspaces table: listing, lookup by id or folder_name, creation. Reads lease a pooled
// connection; creation (a uniqueness check, then the insert) holds the writer.

#include <optional>
#include <string>
#include <vector>

#include "common/Result.h"
#include "emulator/state/AccountIdentity.h"
#include "emulator/state/StateDb.h"
#include "emulator/state/StateTypes.h"

namespace fastio::emu {

struct NewWorkspace {
  std::string orgId;
  std::string folderName;
  std::string name;
  std::string description;
  bool intelligence = true;
  std::string permJoin = "Member or above";
  std::string permMemberManage = "Member or above";
};

class WorkspaceStore {
 public:
  WorkspaceStore(StateDb& db, const AccountIdentity& identity) : db_(db), identity_(identity) {}

  // Oldest first.
  std::vector<WorkspaceRecord> list() const;
  // By numeric id or by folder_name (case-insensitive).
  Result<WorkspaceRecord> find(const std::string& idOrFolderName) const;
  // Validates folder_name (4-80, letters/digits/hyphen, globally unique) and name (2-100).
  Result<WorkspaceRecord> create(const NewWorkspace& spec);

  // For node writers, on the connection they hold: whether the workspace has intelligence on
  // (what a fresh version's ai.state starts as); nullopt when there is no such workspace.
  static Result<std::optional<bool>> intelligenceOf(Database& db, const std::string& workspaceId);

 private:
  StateDb& db_;
  const AccountIdentity& identity_;
};

}  // namespace fastio::emu
