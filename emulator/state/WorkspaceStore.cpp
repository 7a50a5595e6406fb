#include "emulator/state/WorkspaceStore.h"

#include "common/NameRules.h"
#include "emulator/ApiCodes.h"
#include "emulator/state/RandomText.h"
#include "emulator/state/StateClock.h"

namespace fastio::emu {

namespace {

constexpr const char* kWorkspaceColumns =
    "id, org_id, folder_name, name, description, intelligence, perm_join, perm_member_manage, "
    "created_us";

WorkspaceRecord readWorkspace(const Statement& st) {
  WorkspaceRecord w;
  w.id = st.text(0);
  w.orgId = st.text(1);
  w.folderName = st.text(2);
  w.name = st.text(3);
  w.description = st.text(4);
  w.intelligence = st.integer(5) != 0;
  w.permJoin = st.text(6);
  w.permMemberManage = st.text(7);
  w.createdUs = st.integer(8);
  return w;
}

std::string lowerAscii(std::string s) {
  for (auto& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

}  // namespace

std::vector<WorkspaceRecord> WorkspaceStore::list() const {
  std::vector<WorkspaceRecord> out;
  auto reader = db_.read();
  if (!reader.ok()) return out;
  auto st = reader->db().prepare(std::string("SELECT ") + kWorkspaceColumns +
                                 " FROM workspaces ORDER BY created_us, id");
  if (!st.ok()) return out;
  while (true) {
    auto row = st->step();
    if (!row.ok() || !*row) break;
    out.push_back(readWorkspace(*st));
  }
  return out;
}

Result<WorkspaceRecord> WorkspaceStore::find(const std::string& idOrFolderName) const {
  FASTIO_TRY_ASSIGN(auto reader, db_.read());
  FASTIO_TRY_ASSIGN(auto st,
                    reader.db().prepare(std::string("SELECT ") + kWorkspaceColumns +
                                        " FROM workspaces WHERE id = ?1 OR folder_key = ?2"));
  st.bind(1, idOrFolderName).bind(2, lowerAscii(idOrFolderName));
  FASTIO_TRY_ASSIGN(auto row, st.step());
  if (!row) return notFound("The workspace " + idOrFolderName.substr(0, 100) + " was not found.");
  return readWorkspace(st);
}

Result<WorkspaceRecord> WorkspaceStore::create(const NewWorkspace& spec) {
  if (auto p = names::workspaceFolderNameProblem(spec.folderName)) return invalidInput(p->reason);
  if (auto p = names::workspaceNameProblem(spec.name)) return invalidInput(p->reason);
  if (spec.orgId != identity_.org().id) {
    return notFound("The organization " + spec.orgId + " was not found.");
  }
  std::string key = lowerAscii(spec.folderName);
  auto writer = db_.write();
  {
    FASTIO_TRY_ASSIGN(auto st,
                      writer.db().prepare("SELECT 1 FROM workspaces WHERE folder_key = ?1"));
    st.bind(1, key);
    FASTIO_TRY_ASSIGN(auto row, st.step());
    if (row) {
      return apiError(ErrorCode::kExists, 406, code::kInvalidInput,
                      "The folder_name \"" + spec.folderName + "\" is already taken.");
    }
  }
  WorkspaceRecord w;
  w.id = randomDigits(19);
  w.orgId = spec.orgId;
  w.folderName = spec.folderName;
  w.name = spec.name;
  w.description = spec.description;
  w.intelligence = spec.intelligence;
  w.permJoin = spec.permJoin;
  w.permMemberManage = spec.permMemberManage;
  w.createdUs = nowMicros();
  FASTIO_TRY_ASSIGN(
      auto st, writer.db().prepare(
                   "INSERT INTO workspaces(id, org_id, folder_name, folder_key, name, description, "
                   "intelligence, perm_join, perm_member_manage, created_us) "
                   "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)"));
  st.bind(1, w.id).bind(2, w.orgId).bind(3, w.folderName).bind(4, key).bind(5, w.name);
  st.bind(6, w.description).bind(7, std::int64_t{w.intelligence ? 1 : 0}).bind(8, w.permJoin);
  st.bind(9, w.permMemberManage).bind(10, w.createdUs);
  FASTIO_TRY(st.run());
  return w;
}

Result<std::optional<bool>> WorkspaceStore::intelligenceOf(Database& db,
                                                           const std::string& workspaceId) {
  FASTIO_TRY_ASSIGN(auto st, db.prepare("SELECT intelligence FROM workspaces WHERE id = ?1"));
  st.bind(1, workspaceId);
  FASTIO_TRY_ASSIGN(auto row, st.step());
  if (!row) return std::optional<bool>();
  return std::optional<bool>(st.integer(0) != 0);
}

}  // namespace fastio::emu
