#include "emulator/state/State.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <random>
#include <set>

#include "common/NameRules.h"
#include "emulator/ApiCodes.h"
#include "emulator/http/OpaqueId.h"
#include "emulator/state/ContentHasher.h"
#include "emulator/state/Database.h"
#include "emulator/state/ListCursor.h"
#include "emulator/state/Mime.h"
#include "emulator/state/NameRules.h"

namespace fastio::emu {

namespace fs = std::filesystem;

std::int64_t nowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string formatIsoSeconds(std::int64_t micros) {
  std::time_t secs = static_cast<std::time_t>(micros / 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens(token TEXT PRIMARY KEY, expires_us INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS workspaces(
  id TEXT PRIMARY KEY, org_id TEXT NOT NULL, folder_name TEXT NOT NULL,
  folder_key TEXT NOT NULL UNIQUE, name TEXT NOT NULL, description TEXT NOT NULL,
  intelligence INTEGER NOT NULL, perm_join TEXT NOT NULL, perm_member_manage TEXT NOT NULL,
  created_us INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS nodes(
  id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL, parent_id TEXT NOT NULL, name TEXT NOT NULL,
  type INTEGER NOT NULL, size INTEGER NOT NULL DEFAULT 0, version_id TEXT NOT NULL DEFAULT '',
  md5 TEXT NOT NULL DEFAULT '', mimetype TEXT NOT NULL DEFAULT '',
  mimecategory TEXT NOT NULL DEFAULT '', created_us INTEGER NOT NULL,
  modified_us INTEGER NOT NULL, ai_state TEXT NOT NULL DEFAULT 'disabled',
  summary_title TEXT NOT NULL DEFAULT '', summary_short TEXT NOT NULL DEFAULT '',
  summary_long TEXT NOT NULL DEFAULT '', trashed INTEGER NOT NULL DEFAULT 0,
  trash_root TEXT NOT NULL DEFAULT '', deleted_us INTEGER NOT NULL DEFAULT 0,
  deleted_from TEXT NOT NULL DEFAULT '', lock_token TEXT NOT NULL DEFAULT '',
  lock_client_info TEXT NOT NULL DEFAULT '', lock_acquired_us INTEGER NOT NULL DEFAULT 0,
  lock_expires_us INTEGER NOT NULL DEFAULT 0, lock_duration INTEGER NOT NULL DEFAULT 0);
CREATE UNIQUE INDEX IF NOT EXISTS nodes_live_name ON nodes(workspace_id, parent_id, name)
  WHERE trashed = 0;
CREATE INDEX IF NOT EXISTS nodes_children ON nodes(workspace_id, parent_id, trashed);
CREATE INDEX IF NOT EXISTS nodes_trash ON nodes(workspace_id, trash_root);
CREATE INDEX IF NOT EXISTS nodes_recent ON nodes(workspace_id, trashed, modified_us);
CREATE TABLE IF NOT EXISTS versions(
  version_id TEXT PRIMARY KEY, node_id TEXT NOT NULL, name TEXT NOT NULL, size INTEGER NOT NULL,
  md5 TEXT NOT NULL, created_us INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS versions_node ON versions(node_id, created_us);
)sql";

constexpr const char* kNodeColumns =
    "id, workspace_id, parent_id, name, type, size, version_id, md5, mimetype, mimecategory, "
    "created_us, modified_us, ai_state, summary_title, summary_short, summary_long, trashed, "
    "deleted_us, deleted_from, lock_token, lock_client_info, lock_acquired_us, lock_expires_us";

NodeRecord readNode(const Statement& st) {
  NodeRecord n;
  n.id = st.text(0);
  n.workspaceId = st.text(1);
  n.parentId = st.text(2);
  n.name = st.text(3);
  n.type = st.integer(4) == 1 ? NodeType::kFolder : NodeType::kFile;
  n.size = st.integer(5);
  n.versionId = st.text(6);
  n.md5 = st.text(7);
  n.mimetype = st.text(8);
  n.mimecategory = st.text(9);
  n.createdUs = st.integer(10);
  n.modifiedUs = st.integer(11);
  n.aiState = st.text(12);
  n.summaryTitle = st.text(13);
  n.summaryShort = st.text(14);
  n.summaryLong = st.text(15);
  n.trashed = st.integer(16) != 0;
  n.deletedUs = st.integer(17);
  n.deletedFrom = st.text(18);
  std::int64_t expires = st.integer(22);
  if (!st.text(19).empty() && expires > nowMicros()) {
    n.lock = LockRecord{st.text(19), st.text(20), st.integer(21), expires};
  }
  return n;
}

std::string randomDigits(std::mt19937_64& rng, int count) {
  std::string out;
  std::uniform_int_distribution<int> digit(0, 9);
  out.push_back(static_cast<char>('1' + digit(rng) % 9));
  while (static_cast<int>(out.size()) < count) out.push_back(static_cast<char>('0' + digit(rng)));
  return out;
}

std::string randomHex(int bytes) {
  static std::mutex mu;
  static std::mt19937_64 rng{std::random_device{}()};
  std::lock_guard lock(mu);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < bytes; ++i) {
    auto b = static_cast<unsigned>(rng() & 0xFF);
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xF]);
  }
  return out;
}

std::string lowerAscii(std::string s) {
  for (auto& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

Status fsyncPath(const fs::path& path, bool directory) {
  int fd = ::open(path.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) return internalError("cannot open " + path.string() + " for fsync");
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return internalError("fsync failed on " + path.string());
  return okStatus();
}

// Normalises a node id from a path: "root"/"trash" stay, OpaqueIds lose hyphens and case.
Result<std::string> canonicalId(const std::string& id) {
  if (id == "root" || id == "trash") return id;
  auto norm = normalizeOpaqueId(id);
  if (!norm) {
    return apiError(ErrorCode::kInvalid, 406, code::kMalformedId,
                    "The id \"" + id.substr(0, 64) + "\" is not a valid OpaqueId.");
  }
  return *norm;
}

}  // namespace

struct State::Impl {
  std::unique_ptr<Database> db;
  mutable std::mutex mu;
  fs::path blobDir;
  fs::path tmpDir;
  UserRecord user;
  OrgRecord org;
  std::string staticToken;
  struct ReadToken {
    std::string workspaceId;
    std::string nodeId;
    std::int64_t expiresUs;
  };
  std::map<std::string, ReadToken> readTokens;

  fs::path blobPath(const std::string& versionId) const { return blobDir / versionId; }

  // ---- queries (mu held)
  Result<std::optional<NodeRecord>> findNode(const std::string& ws, const std::string& id) const {
    auto st = db->prepare(std::string("SELECT ") + kNodeColumns +
                          " FROM nodes WHERE id = ?1 AND workspace_id = ?2");
    if (!st.ok()) return st.error();
    st->bind(1, id).bind(2, ws);
    auto row = st->step();
    if (!row.ok()) return row.error();
    if (!*row) return std::optional<NodeRecord>();
    return std::optional<NodeRecord>(readNode(*st));
  }

  // A node that exists (trashed or not).
  Result<NodeRecord> requireNode(const std::string& ws, const std::string& rawId) const {
    auto id = canonicalId(rawId);
    if (!id.ok()) return id.error();
    if (*id == "root" || *id == "trash") {
      return invalidInput("\"" + *id + "\" is not a node that can be used here.");
    }
    auto found = findNode(ws, *id);
    if (!found.ok()) return found.error();
    if (!*found) return nodeNotFound(rawId);
    return std::move(**found);
  }

  Result<NodeRecord> requireLiveNode(const std::string& ws, const std::string& rawId) const {
    auto n = requireNode(ws, rawId);
    if (!n.ok()) return n;
    if (n->trashed) return nodeNotFound(rawId);
    return n;
  }

  // "root" or a live folder; returns the canonical folder id.
  Result<std::string> requireFolder(const std::string& ws, const std::string& rawId) const {
    auto id = canonicalId(rawId);
    if (!id.ok()) return id.error();
    if (*id == "root") return std::string("root");
    if (*id == "trash") return invalidInput("The trash cannot be used as a folder here.");
    auto n = requireLiveNode(ws, *id);
    if (!n.ok()) return n.error();
    if (!n->isFolder()) return invalidInput("The node " + rawId + " is not a folder.");
    return n->id;
  }

  Result<std::optional<NodeRecord>> liveChildByName(const std::string& ws,
                                                    const std::string& parent,
                                                    const std::string& name) const {
    auto st = db->prepare(std::string("SELECT ") + kNodeColumns +
                          " FROM nodes WHERE workspace_id = ?1 AND parent_id = ?2 AND name = ?3"
                          " AND trashed = 0");
    if (!st.ok()) return st.error();
    st->bind(1, ws).bind(2, parent).bind(3, name);
    auto row = st->step();
    if (!row.ok()) return row.error();
    if (!*row) return std::optional<NodeRecord>();
    return std::optional<NodeRecord>(readNode(*st));
  }

  // The first "name (n)" that is free in the folder.
  Result<std::string> freeName(const std::string& ws, const std::string& parent,
                               const std::string& name, bool isFolder) const {
    for (int n = 2; n < 100000; ++n) {
      std::string candidate = numberedName(name, n, isFolder);
      auto existing = liveChildByName(ws, parent, candidate);
      if (!existing.ok()) return existing.error();
      if (!*existing) return candidate;
    }
    return internalError("no free name for " + name);
  }

  Result<std::vector<std::string>> liveSubtree(const std::string& rootId) const {
    auto st = db->prepare(
        "WITH RECURSIVE sub(id) AS (SELECT ?1 UNION ALL SELECT n.id FROM nodes n JOIN sub "
        "ON n.parent_id = sub.id WHERE n.trashed = 0) SELECT id FROM sub");
    if (!st.ok()) return st.error();
    st->bind(1, rootId);
    std::vector<std::string> ids;
    while (true) {
      auto row = st->step();
      if (!row.ok()) return row.error();
      if (!*row) break;
      ids.push_back(st->text(0));
    }
    return ids;
  }

  Result<bool> isSelfOrDescendant(const std::string& ws, const std::string& ancestor,
                                  std::string folder) const {
    for (int depth = 0; folder != "root" && depth < 10000; ++depth) {
      if (folder == ancestor) return true;
      auto n = findNode(ws, folder);
      if (!n.ok()) return n.error();
      if (!*n) return false;
      folder = (*n)->parentId;
    }
    return false;
  }

  // ---- writes (mu held, inside a transaction)
  Status insertNode(const NodeRecord& n) {
    auto st = db->prepare(
        "INSERT INTO nodes(id, workspace_id, parent_id, name, type, size, version_id, md5, "
        "mimetype, mimecategory, created_us, modified_us, ai_state, summary_title, "
        "summary_short, summary_long) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,"
        "?15,?16)");
    if (!st.ok()) return st.error();
    st->bind(1, n.id).bind(2, n.workspaceId).bind(3, n.parentId).bind(4, n.name);
    st->bind(5, std::int64_t{n.isFolder() ? 1 : 0}).bind(6, n.size).bind(7, n.versionId);
    st->bind(8, n.md5).bind(9, n.mimetype).bind(10, n.mimecategory).bind(11, n.createdUs);
    st->bind(12, n.modifiedUs).bind(13, n.aiState).bind(14, n.summaryTitle);
    st->bind(15, n.summaryShort).bind(16, n.summaryLong);
    return st->run();
  }

  Status insertVersion(const VersionRecord& v) {
    auto st = db->prepare(
        "INSERT INTO versions(version_id, node_id, name, size, md5, created_us) "
        "VALUES(?1,?2,?3,?4,?5,?6)");
    if (!st.ok()) return st.error();
    st->bind(1, v.versionId).bind(2, v.nodeId).bind(3, v.name).bind(4, v.size).bind(5, v.md5);
    st->bind(6, v.createdUs);
    return st->run();
  }

  Status setNameParent(const std::string& id, const std::string& name, const std::string& parent,
                       std::int64_t modifiedUs) {
    auto st =
        db->prepare("UPDATE nodes SET name = ?2, parent_id = ?3, modified_us = ?4 WHERE id = ?1");
    if (!st.ok()) return st.error();
    st->bind(1, id).bind(2, name).bind(3, parent).bind(4, modifiedUs);
    return st->run();
  }

  // Trashes a live node and its live subtree as one trash entry.
  Status trashSubtree(const NodeRecord& node, std::int64_t when) {
    auto ids = liveSubtree(node.id);
    if (!ids.ok()) return ids.error();
    for (const auto& id : *ids) {
      auto one = db->prepare(
          "UPDATE nodes SET trashed = 1, trash_root = ?2, deleted_us = ?3, deleted_from = "
          "CASE WHEN id = ?2 THEN ?4 ELSE parent_id END, lock_token = '' WHERE id = ?1");
      if (!one.ok()) return one.error();
      one->bind(1, id).bind(2, node.id).bind(3, when).bind(4, node.parentId);
      FASTIO_TRY(one->run());
    }
    return okStatus();
  }

  Result<std::vector<std::string>> versionIdsOfNodes(const std::vector<std::string>& nodeIds) {
    std::vector<std::string> out;
    for (const auto& id : nodeIds) {
      auto st = db->prepare("SELECT version_id FROM versions WHERE node_id = ?1");
      if (!st.ok()) return st.error();
      st->bind(1, id);
      while (true) {
        auto row = st->step();
        if (!row.ok()) return row.error();
        if (!*row) break;
        out.push_back(st->text(0));
      }
    }
    return out;
  }

  // Deletes the rows of one trash entry; returns blob paths to unlink after commit.
  Result<std::vector<fs::path>> purgeEntry(const std::string& ws, const std::string& rootId,
                                           std::vector<NodeRecord>& purged) {
    auto st = db->prepare(std::string("SELECT ") + kNodeColumns +
                          " FROM nodes WHERE workspace_id = ?1 AND trash_root = ?2");
    if (!st.ok()) return st.error();
    st->bind(1, ws).bind(2, rootId);
    std::vector<std::string> ids;
    while (true) {
      auto row = st->step();
      if (!row.ok()) return row.error();
      if (!*row) break;
      purged.push_back(readNode(*st));
      ids.push_back(purged.back().id);
    }
    auto versionsOf = versionIdsOfNodes(ids);
    if (!versionsOf.ok()) return versionsOf.error();
    std::vector<fs::path> blobs;
    for (const auto& v : *versionsOf) blobs.push_back(blobPath(v));
    for (const auto& id : ids) {
      auto del = db->prepare("DELETE FROM versions WHERE node_id = ?1");
      if (!del.ok()) return del.error();
      del->bind(1, id);
      FASTIO_TRY(del->run());
      auto delNode = db->prepare("DELETE FROM nodes WHERE id = ?1");
      if (!delNode.ok()) return delNode.error();
      delNode->bind(1, id);
      FASTIO_TRY(delNode->run());
    }
    return blobs;
  }

  Result<ListPage> listWhere(const std::string& where, const std::vector<std::string>& args,
                             const ListQuery& q, const std::string& scope) const {
    ListKeySpec spec = listKeySpec(q.sortBy);
    std::optional<CursorKey> after;
    if (!q.cursor.empty()) {
      auto decoded = decodeListCursor(q.cursor, q.sortBy, q.descending, scope);
      if (!decoded) return invalidInput("The cursor is not valid for this listing.");
      after = std::move(*decoded);
    }
    std::string sql = std::string("SELECT ") + kNodeColumns + ", " + spec.selectKeys +
                      " FROM nodes WHERE " + where;
    int next = static_cast<int>(args.size()) + 1;
    if (after) {
      sql += std::string(" AND (") + spec.tuple + ") " + (q.descending ? "<" : ">") + " (";
      for (std::size_t i = 0; i < spec.arity; ++i) {
        sql += (i ? ", ?" : "?") + std::to_string(next + static_cast<int>(i));
      }
      sql += ")";
    }
    sql += " ORDER BY ";
    for (std::size_t i = 0; i < spec.arity; ++i) {
      sql += (i ? ", " : "") + spec.columns[i] + (q.descending ? " DESC" : " ASC");
    }
    sql += " LIMIT " + std::to_string(q.pageSize + 1);
    auto st = db->prepare(sql);
    if (!st.ok()) return st.error();
    for (std::size_t i = 0; i < args.size(); ++i) st->bind(static_cast<int>(i) + 1, args[i]);
    if (after) {
      for (std::size_t i = 0; i < spec.arity; ++i) {
        const auto& v = after->values[i];
        int idx = next + static_cast<int>(i);
        if (std::holds_alternative<std::int64_t>(v)) {
          st->bind(idx, std::get<std::int64_t>(v));
        } else {
          st->bind(idx, std::get<std::string>(v));
        }
      }
    }
    ListPage page;
    CursorKey lastKey;
    while (true) {
      auto row = st->step();
      if (!row.ok()) return row.error();
      if (!*row) break;
      if (static_cast<int>(page.nodes.size()) == q.pageSize) {
        page.nextCursor = encodeListCursor(lastKey, q.sortBy, q.descending, scope);
        break;
      }
      page.nodes.push_back(readNode(*st));
      lastKey = readCursorKey(spec, [&](int col, bool isInt) -> CursorValue {
        int c = 23 + col;
        if (isInt) return st->integer(c);
        return st->text(c);
      });
    }
    return page;
  }
};

State::State(fs::path dataDir, std::unique_ptr<Database> db, ActivityLog& activity,
             StorageHooks& hooks)
    : dataDir_(std::move(dataDir)),
      activity_(activity),
      hooks_(hooks),
      impl_(std::make_unique<Impl>()) {
  impl_->db = std::move(db);
  impl_->blobDir = dataDir_ / "blobs";
  impl_->tmpDir = impl_->blobDir / "tmp";
}

State::~State() = default;

Result<std::unique_ptr<State>> State::open(const fs::path& dataDir, ActivityLog& activity,
                                           StorageHooks& hooks) {
  std::error_code ec;
  fs::create_directories(dataDir / "blobs" / "tmp", ec);
  if (ec)
    return internalError("cannot create " + (dataDir / "blobs").string() + ": " + ec.message());
  auto db = Database::open(dataDir / "state.db");
  if (!db.ok()) return db.error();
  FASTIO_TRY((*db)->exec(kSchema));
  std::unique_ptr<State> state(new State(dataDir, std::move(*db), activity, hooks));
  Impl& im = *state->impl_;

  // Temp blobs of interrupted writes are garbage; so are blobs no committed version references.
  for (const auto& entry : fs::directory_iterator(im.tmpDir, ec)) fs::remove(entry.path(), ec);
  std::set<std::string> known;
  {
    auto st = im.db->prepare("SELECT version_id FROM versions");
    if (!st.ok()) return st.error();
    while (true) {
      auto row = st->step();
      if (!row.ok()) return row.error();
      if (!*row) break;
      known.insert(st->text(0));
    }
  }
  for (const auto& entry : fs::directory_iterator(im.blobDir, ec)) {
    if (entry.is_regular_file() && !known.count(entry.path().filename().string())) {
      fs::remove(entry.path(), ec);
    }
  }

  // The one user and org, created on first start and stable afterwards.
  std::map<std::string, std::string> meta;
  {
    auto st = im.db->prepare("SELECT key, value FROM meta");
    if (!st.ok()) return st.error();
    while (true) {
      auto row = st->step();
      if (!row.ok()) return row.error();
      if (!*row) break;
      meta[st->text(0)] = st->text(1);
    }
  }
  if (!meta.count("user_id")) {
    std::mt19937_64 rng{std::random_device{}()};
    meta["user_id"] = randomDigits(rng, 19);
    meta["org_id"] = randomDigits(rng, 19);
    for (const auto& [k, v] : meta) {
      auto st = im.db->prepare("INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)");
      if (!st.ok()) return st.error();
      st->bind(1, k).bind(2, v);
      FASTIO_TRY(st->run());
    }
  }
  im.user = {meta["user_id"], "Emulator", "User", "user@emulator.local"};
  im.org = {meta["org_id"], "emulator", "Emulator Org"};
  return state;
}

UserRecord State::user() const {
  std::lock_guard lock(impl_->mu);
  return impl_->user;
}

OrgRecord State::org() const {
  std::lock_guard lock(impl_->mu);
  return impl_->org;
}

void State::setStaticToken(const std::string& token) {
  std::lock_guard lock(impl_->mu);
  impl_->staticToken = token;
}

Status State::registerToken(const std::string& token, std::int64_t expiresUs) {
  if (token.empty()) return invalidInput("empty token");
  std::lock_guard lock(impl_->mu);
  auto st = impl_->db->prepare("INSERT OR REPLACE INTO tokens(token, expires_us) VALUES(?1, ?2)");
  if (!st.ok()) return st.error();
  st->bind(1, token).bind(2, expiresUs);
  return st->run();
}

Status State::revokeToken(const std::string& token) {
  std::lock_guard lock(impl_->mu);
  auto st = impl_->db->prepare("DELETE FROM tokens WHERE token = ?1");
  if (!st.ok()) return st.error();
  st->bind(1, token);
  return st->run();
}

bool State::isTokenValid(const std::string& token) const {
  if (token.empty()) return false;
  std::lock_guard lock(impl_->mu);
  if (!impl_->staticToken.empty() && token == impl_->staticToken) return true;
  auto st = impl_->db->prepare("SELECT expires_us FROM tokens WHERE token = ?1");
  if (!st.ok()) return false;
  st->bind(1, token);
  auto row = st->step();
  return row.ok() && *row && st->integer(0) > nowMicros();
}

namespace {

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

constexpr const char* kWorkspaceColumns =
    "id, org_id, folder_name, name, description, intelligence, perm_join, perm_member_manage, "
    "created_us";

}  // namespace

std::vector<WorkspaceRecord> State::workspaces() const {
  std::lock_guard lock(impl_->mu);
  std::vector<WorkspaceRecord> out;
  auto st = impl_->db->prepare(std::string("SELECT ") + kWorkspaceColumns +
                               " FROM workspaces ORDER BY created_us, id");
  if (!st.ok()) return out;
  while (true) {
    auto row = st->step();
    if (!row.ok() || !*row) break;
    out.push_back(readWorkspace(*st));
  }
  return out;
}

Result<WorkspaceRecord> State::workspace(const std::string& idOrFolderName) const {
  std::lock_guard lock(impl_->mu);
  auto st = impl_->db->prepare(std::string("SELECT ") + kWorkspaceColumns +
                               " FROM workspaces WHERE id = ?1 OR folder_key = ?2");
  if (!st.ok()) return st.error();
  st->bind(1, idOrFolderName).bind(2, lowerAscii(idOrFolderName));
  auto row = st->step();
  if (!row.ok()) return row.error();
  if (!*row) return notFound("The workspace " + idOrFolderName.substr(0, 100) + " was not found.");
  return readWorkspace(*st);
}

Result<WorkspaceRecord> State::createWorkspace(const NewWorkspace& spec) {
  if (auto p = names::workspaceFolderNameProblem(spec.folderName)) return invalidInput(p->reason);
  if (auto p = names::workspaceNameProblem(spec.name)) return invalidInput(p->reason);
  std::lock_guard lock(impl_->mu);
  if (spec.orgId != impl_->org.id)
    return notFound("The organization " + spec.orgId + " was not found.");
  std::string key = lowerAscii(spec.folderName);
  {
    auto st = impl_->db->prepare("SELECT 1 FROM workspaces WHERE folder_key = ?1");
    if (!st.ok()) return st.error();
    st->bind(1, key);
    auto row = st->step();
    if (!row.ok()) return row.error();
    if (*row) {
      return apiError(ErrorCode::kExists, 406, code::kInvalidInput,
                      "The folder_name \"" + spec.folderName + "\" is already taken.");
    }
  }
  WorkspaceRecord w;
  std::mt19937_64 rng{std::random_device{}()};
  w.id = randomDigits(rng, 19);
  w.orgId = spec.orgId;
  w.folderName = spec.folderName;
  w.name = spec.name;
  w.description = spec.description;
  w.intelligence = spec.intelligence;
  w.permJoin = spec.permJoin;
  w.permMemberManage = spec.permMemberManage;
  w.createdUs = nowMicros();
  auto st = impl_->db->prepare(
      "INSERT INTO workspaces(id, org_id, folder_name, folder_key, name, description, "
      "intelligence, perm_join, perm_member_manage, created_us) "
      "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)");
  if (!st.ok()) return st.error();
  st->bind(1, w.id).bind(2, w.orgId).bind(3, w.folderName).bind(4, key).bind(5, w.name);
  st->bind(6, w.description).bind(7, std::int64_t{w.intelligence ? 1 : 0}).bind(8, w.permJoin);
  st->bind(9, w.permMemberManage).bind(10, w.createdUs);
  FASTIO_TRY(st->run());
  return w;
}

// ---------------------------------------------------------------- nodes

Result<NodeRecord> State::node(const std::string& workspaceId, const std::string& nodeId) const {
  std::lock_guard lock(impl_->mu);
  return impl_->requireNode(workspaceId, nodeId);
}

Result<ListPage> State::listFolder(const std::string& workspaceId, const std::string& folderId,
                                   const ListQuery& query) const {
  std::lock_guard lock(impl_->mu);
  auto canonical = canonicalId(folderId);
  if (!canonical.ok()) return canonical.error();
  if (*canonical == "trash") {
    return impl_->listWhere("workspace_id = ?1 AND trashed = 1 AND trash_root = id", {workspaceId},
                            query, "trash");
  }
  auto folder = impl_->requireFolder(workspaceId, *canonical);
  if (!folder.ok()) return folder.error();
  return impl_->listWhere("workspace_id = ?1 AND parent_id = ?2 AND trashed = 0",
                          {workspaceId, *folder}, query, *folder);
}

Result<ListPage> State::listTrash(const std::string& workspaceId, const ListQuery& query) const {
  return listFolder(workspaceId, "trash", query);
}

Result<ListPage> State::listRecent(const std::string& workspaceId, const ListQuery& query) const {
  std::lock_guard lock(impl_->mu);
  ListQuery q = query;
  q.sortBy = SortBy::kUpdated;
  q.descending = true;
  std::string where = "workspace_id = ?1 AND trashed = 0";
  std::vector<std::string> args = {workspaceId};
  if (q.typeFilter == "file" || q.typeFilter == "folder") {
    where += " AND type = ?2";
    args.push_back(q.typeFilter == "folder" ? "1" : "0");
  }
  return impl_->listWhere(where, args, q, "recent:" + q.typeFilter);
}

Result<NodeRecord> State::createFolder(const std::string& workspaceId, const std::string& parentId,
                                       const std::string& name, bool force) {
  if (auto p = names::nodeNameProblem(name)) {
    return invalidInput("Invalid name: " + p->reason + ".");
  }
  NodeRecord created;
  {
    std::lock_guard lock(impl_->mu);
    auto parent = impl_->requireFolder(workspaceId, parentId);
    if (!parent.ok()) return parent.error();
    auto existing = impl_->liveChildByName(workspaceId, *parent, name);
    if (!existing.ok()) return existing.error();
    std::string finalName = name;
    if (*existing) {
      if ((*existing)->isFolder() && !force) return std::move(**existing);
      if (!(*existing)->isFolder() && !force) return nameExists(name);
      auto free = impl_->freeName(workspaceId, *parent, name, true);
      if (!free.ok()) return free.error();
      finalName = *free;
    }
    created.id = newOpaqueId('d');
    created.workspaceId = workspaceId;
    created.parentId = *parent;
    created.name = finalName;
    created.type = NodeType::kFolder;
    created.createdUs = created.modifiedUs = nowMicros();
    FASTIO_TRY(impl_->insertNode(created));
  }
  activity_.publish(workspaceId,
                    {"storage:" + created.id, "storage:" + created.parentId, "storage"});
  hooks_.emit({StorageEvent::Kind::kFolderCreated, created, {}, {}, {}});
  return created;
}

Result<NodeRecord> State::checkVersion(const std::string& workspaceId, const std::string& nodeId,
                                       const std::optional<std::string>& ifVersionId) const {
  std::lock_guard lock(impl_->mu);
  auto n = impl_->requireLiveNode(workspaceId, nodeId);
  if (!n.ok() || !ifVersionId) return n;
  if (ifVersionId->empty()) {
    return apiError(ErrorCode::kInvalid, 406, code::kBlankIfVersion,
                    "if_version_id cannot be blank.");
  }
  auto wanted = normalizeOpaqueId(*ifVersionId);
  if (!wanted || *wanted != n->versionId) {
    return apiError(ErrorCode::kConflict, 409, code::kConflict,
                    "The node has changed: its current version is " + n->versionId + ".");
  }
  return n;
}

Result<NodeRecord> State::rename(const std::string& workspaceId, const std::string& nodeId,
                                 const std::string& newName,
                                 const std::optional<std::string>& ifVersionId) {
  if (auto p = names::nodeNameProblem(newName)) {
    return invalidInput("Invalid name: " + p->reason + ".");
  }
  auto checked = checkVersion(workspaceId, nodeId, ifVersionId);
  if (!checked.ok()) return checked;
  NodeRecord after;
  std::string oldName;
  {
    std::lock_guard lock(impl_->mu);
    auto n = impl_->requireLiveNode(workspaceId, nodeId);
    if (!n.ok()) return n;
    // The version may have moved between the check and this lock: check again inside.
    if (ifVersionId && n->versionId != checked->versionId) {
      return apiError(ErrorCode::kConflict, 409, code::kConflict,
                      "The node has changed: its current version is " + n->versionId + ".");
    }
    if (n->name == newName) return n;
    auto existing = impl_->liveChildByName(workspaceId, n->parentId, newName);
    if (!existing.ok()) return existing.error();
    if (*existing) return nameExists(newName);
    oldName = n->name;
    after = *n;
    after.name = newName;
    after.modifiedUs = nowMicros();
    if (after.isFile()) {
      MimeInfo mime = mimeForName(newName);
      after.mimetype = mime.type;
      after.mimecategory = mime.category;
    }
    auto st = impl_->db->prepare(
        "UPDATE nodes SET name = ?2, modified_us = ?3, mimetype = ?4, mimecategory = ?5 "
        "WHERE id = ?1");
    if (!st.ok()) return st.error();
    st->bind(1, after.id).bind(2, after.name).bind(3, after.modifiedUs).bind(4, after.mimetype);
    st->bind(5, after.mimecategory);
    FASTIO_TRY(st->run());
  }
  activity_.publish(workspaceId, {"storage:" + after.id, "storage:" + after.parentId, "storage"});
  hooks_.emit({StorageEvent::Kind::kRenamed, after, oldName, {}, {}});
  return after;
}

Result<NodeRecord> State::move(const std::string& workspaceId, const std::string& nodeId,
                               const std::string& newParentId) {
  NodeRecord after;
  std::string oldParent;
  std::optional<NodeRecord> displaced;
  {
    std::lock_guard lock(impl_->mu);
    auto n = impl_->requireLiveNode(workspaceId, nodeId);
    if (!n.ok()) return n;
    auto parent = impl_->requireFolder(workspaceId, newParentId);
    if (!parent.ok()) return parent.error();
    if (*parent == n->parentId) return n;
    if (n->isFolder()) {
      auto loop = impl_->isSelfOrDescendant(workspaceId, n->id, *parent);
      if (!loop.ok()) return loop.error();
      if (*loop) return invalidInput("A folder cannot be moved into itself or its subfolders.");
    }
    Transaction tx(*impl_->db);
    FASTIO_TRY(tx.begin());
    std::int64_t now = nowMicros();
    std::string finalName = n->name;
    auto existing = impl_->liveChildByName(workspaceId, *parent, n->name);
    if (!existing.ok()) return existing.error();
    if (*existing) {
      if (n->isFile() && (*existing)->isFile()) {
        FASTIO_TRY(impl_->trashSubtree(**existing, now));
        displaced = **existing;
      } else {
        auto free = impl_->freeName(workspaceId, *parent, n->name, n->isFolder());
        if (!free.ok()) return free.error();
        finalName = *free;
      }
    }
    FASTIO_TRY(impl_->setNameParent(n->id, finalName, *parent, now));
    FASTIO_TRY(tx.commit());
    oldParent = n->parentId;
    after = *n;
    after.name = finalName;
    after.parentId = *parent;
    after.modifiedUs = now;
  }
  std::vector<std::string> keys = {"storage:" + after.id, "storage:" + oldParent,
                                   "storage:" + after.parentId, "storage"};
  if (displaced) keys.push_back("storage:" + displaced->id);
  activity_.publish(workspaceId, keys);
  if (displaced) {
    displaced->trashed = true;
    hooks_.emit({StorageEvent::Kind::kTrashed, *displaced, {}, {}, {}});
  }
  hooks_.emit({StorageEvent::Kind::kMoved, after, {}, oldParent, {}});
  return after;
}

Result<NodeRecord> State::copy(const std::string& workspaceId, const std::string& nodeId,
                               const std::string& newParentId) {
  std::vector<StorageEvent> events;
  NodeRecord topCopy;
  std::optional<NodeRecord> displaced;
  std::vector<fs::path> linkedBlobs;
  {
    std::lock_guard lock(impl_->mu);
    auto n = impl_->requireLiveNode(workspaceId, nodeId);
    if (!n.ok()) return n;
    auto parent = impl_->requireFolder(workspaceId, newParentId);
    if (!parent.ok()) return parent.error();
    if (n->isFolder()) {
      auto loop = impl_->isSelfOrDescendant(workspaceId, n->id, *parent);
      if (!loop.ok()) return loop.error();
      if (*loop) return invalidInput("A folder cannot be copied into itself or its subfolders.");
    }
    Transaction tx(*impl_->db);
    FASTIO_TRY(tx.begin());
    std::int64_t now = nowMicros();
    std::string finalName = n->name;
    auto existing = impl_->liveChildByName(workspaceId, *parent, n->name);
    if (!existing.ok()) return existing.error();
    if (*existing) {
      if (n->isFile() && (*existing)->isFile() && (*existing)->id != n->id) {
        FASTIO_TRY(impl_->trashSubtree(**existing, now));
        displaced = **existing;
      } else {
        auto free = impl_->freeName(workspaceId, *parent, n->name, n->isFolder());
        if (!free.ok()) return free.error();
        finalName = *free;
      }
    }
    // Breadth-first copy of the subtree; file content is hard-linked under a new version id.
    std::vector<std::pair<NodeRecord, std::string>> queue = {{*n, *parent}};
    bool first = true;
    for (std::size_t i = 0; i < queue.size(); ++i) {
      NodeRecord src = queue[i].first;
      NodeRecord dst = src;
      dst.id = newOpaqueId(src.isFolder() ? 'd' : 'f');
      dst.parentId = queue[i].second;
      if (first) dst.name = finalName;
      dst.createdUs = dst.modifiedUs = now;
      dst.trashed = false;
      dst.lock.reset();
      std::string blob;
      if (src.isFile()) {
        dst.versionId = newOpaqueId('v');
        fs::path from = impl_->blobPath(src.versionId);
        fs::path to = impl_->blobPath(dst.versionId);
        std::error_code ec;
        fs::create_hard_link(from, to, ec);
        if (ec) fs::copy_file(from, to, ec);
        if (ec) {
          for (const auto& p : linkedBlobs) fs::remove(p, ec);
          return internalError("cannot copy content of " + src.id);
        }
        linkedBlobs.push_back(to);
        blob = to.string();
        FASTIO_TRY(
            impl_->insertVersion({dst.versionId, dst.id, dst.name, dst.size, dst.md5, now, true}));
      }
      FASTIO_TRY(impl_->insertNode(dst));
      events.push_back({StorageEvent::Kind::kCopied, dst, {}, {}, blob});
      if (first) topCopy = dst;
      first = false;
      if (src.isFolder()) {
        auto st = impl_->db->prepare(std::string("SELECT ") + kNodeColumns +
                                     " FROM nodes WHERE parent_id = ?1 AND trashed = 0");
        if (!st.ok()) return st.error();
        st->bind(1, src.id);
        while (true) {
          auto row = st->step();
          if (!row.ok()) return row.error();
          if (!*row) break;
          queue.push_back({readNode(*st), dst.id});
        }
      }
    }
    auto committed = tx.commit();
    if (!committed.ok()) {
      std::error_code ec;
      for (const auto& p : linkedBlobs) fs::remove(p, ec);
      return committed.error();
    }
  }
  std::vector<std::string> keys = {"storage:" + topCopy.id, "storage:" + topCopy.parentId,
                                   "storage"};
  if (displaced) keys.push_back("storage:" + displaced->id);
  activity_.publish(workspaceId, keys);
  if (displaced) {
    displaced->trashed = true;
    hooks_.emit({StorageEvent::Kind::kTrashed, *displaced, {}, {}, {}});
  }
  for (const auto& e : events) hooks_.emit(e);
  return topCopy;
}

Result<NodeRecord> State::trash(const std::string& workspaceId, const std::string& nodeId) {
  NodeRecord after;
  {
    std::lock_guard lock(impl_->mu);
    auto n = impl_->requireLiveNode(workspaceId, nodeId);
    if (!n.ok()) return n;
    Transaction tx(*impl_->db);
    FASTIO_TRY(tx.begin());
    std::int64_t now = nowMicros();
    FASTIO_TRY(impl_->trashSubtree(*n, now));
    FASTIO_TRY(tx.commit());
    after = *n;
    after.trashed = true;
    after.deletedUs = now;
    after.deletedFrom = n->parentId;
    after.lock.reset();
  }
  activity_.publish(workspaceId, {"storage:" + after.id, "storage:" + after.parentId, "storage"});
  hooks_.emit({StorageEvent::Kind::kTrashed, after, {}, {}, {}});
  return after;
}

Result<NodeRecord> State::restore(const std::string& workspaceId, const std::string& nodeId) {
  NodeRecord after;
  std::optional<NodeRecord> displaced;
  {
    std::lock_guard lock(impl_->mu);
    auto n = impl_->requireNode(workspaceId, nodeId);
    if (!n.ok()) return n;
    if (!n->trashed) return invalidInput("The node " + nodeId + " is not in the trash.");
    // Only a trash entry itself can be restored (its subtree comes back with it).
    auto rootCheck = impl_->db->prepare("SELECT trash_root FROM nodes WHERE id = ?1");
    if (!rootCheck.ok()) return rootCheck.error();
    rootCheck->bind(1, n->id);
    auto row = rootCheck->step();
    if (!row.ok()) return row.error();
    if (!*row || rootCheck->text(0) != n->id) {
      return invalidInput("The node " + nodeId +
                          " was deleted with its folder; restore the folder.");
    }
    // Back where it was if that folder is still live, else to the root.
    std::string parent = "root";
    if (n->deletedFrom != "root" && !n->deletedFrom.empty()) {
      auto p = impl_->findNode(workspaceId, n->deletedFrom);
      if (!p.ok()) return p.error();
      if (*p && !(*p)->trashed && (*p)->isFolder()) parent = (*p)->id;
    }
    Transaction tx(*impl_->db);
    FASTIO_TRY(tx.begin());
    std::int64_t now = nowMicros();
    std::string finalName = n->name;
    auto existing = impl_->liveChildByName(workspaceId, parent, n->name);
    if (!existing.ok()) return existing.error();
    if (*existing) {
      if (n->isFile() && (*existing)->isFile()) {
        FASTIO_TRY(impl_->trashSubtree(**existing, now));
        displaced = **existing;
      } else {
        auto free = impl_->freeName(workspaceId, parent, n->name, n->isFolder());
        if (!free.ok()) return free.error();
        finalName = *free;
      }
    }
    auto st = impl_->db->prepare(
        "UPDATE nodes SET trashed = 0, trash_root = '', deleted_us = 0, deleted_from = '' "
        "WHERE workspace_id = ?1 AND trash_root = ?2");
    if (!st.ok()) return st.error();
    st->bind(1, workspaceId).bind(2, n->id);
    FASTIO_TRY(st->run());
    FASTIO_TRY(impl_->setNameParent(n->id, finalName, parent, now));
    FASTIO_TRY(tx.commit());
    after = *n;
    after.trashed = false;
    after.deletedUs = 0;
    after.deletedFrom.clear();
    after.name = finalName;
    after.parentId = parent;
    after.modifiedUs = now;
  }
  std::vector<std::string> keys = {"storage:" + after.id, "storage:" + after.parentId, "storage"};
  if (displaced) keys.push_back("storage:" + displaced->id);
  activity_.publish(workspaceId, keys);
  if (displaced) {
    displaced->trashed = true;
    hooks_.emit({StorageEvent::Kind::kTrashed, *displaced, {}, {}, {}});
  }
  hooks_.emit({StorageEvent::Kind::kRestored, after, {}, {}, {}});
  return after;
}

Status State::purge(const std::string& workspaceId, const std::string& nodeId) {
  std::vector<NodeRecord> purged;
  std::vector<fs::path> blobs;
  {
    std::lock_guard lock(impl_->mu);
    auto n = impl_->requireNode(workspaceId, nodeId);
    if (!n.ok()) return n.error();
    if (!n->trashed) return invalidInput("Only nodes in the trash can be purged.");
    auto rootCheck = impl_->db->prepare("SELECT trash_root FROM nodes WHERE id = ?1");
    if (!rootCheck.ok()) return rootCheck.error();
    rootCheck->bind(1, n->id);
    auto row = rootCheck->step();
    if (!row.ok()) return row.error();
    std::string root = *row ? rootCheck->text(0) : n->id;
    Transaction tx(*impl_->db);
    FASTIO_TRY(tx.begin());
    auto paths = impl_->purgeEntry(workspaceId, root, purged);
    if (!paths.ok()) return paths.error();
    blobs = std::move(*paths);
    FASTIO_TRY(tx.commit());
  }
  std::error_code ec;
  for (const auto& p : blobs) fs::remove(p, ec);
  std::vector<std::string> keys = {"storage"};
  for (const auto& n : purged) keys.push_back("storage:" + n.id);
  activity_.publish(workspaceId, keys);
  for (const auto& n : purged) hooks_.emit({StorageEvent::Kind::kPurged, n, {}, {}, {}});
  return okStatus();
}

Result<int> State::emptyTrash(const std::string& workspaceId) {
  std::vector<NodeRecord> purged;
  std::vector<fs::path> blobs;
  int entries = 0;
  {
    std::lock_guard lock(impl_->mu);
    std::vector<std::string> roots;
    auto st = impl_->db->prepare(
        "SELECT id FROM nodes WHERE workspace_id = ?1 AND trashed = 1 AND trash_root = id");
    if (!st.ok()) return st.error();
    st->bind(1, workspaceId);
    while (true) {
      auto row = st->step();
      if (!row.ok()) return row.error();
      if (!*row) break;
      roots.push_back(st->text(0));
    }
    Transaction tx(*impl_->db);
    FASTIO_TRY(tx.begin());
    for (const auto& root : roots) {
      auto paths = impl_->purgeEntry(workspaceId, root, purged);
      if (!paths.ok()) return paths.error();
      blobs.insert(blobs.end(), paths->begin(), paths->end());
    }
    FASTIO_TRY(tx.commit());
    entries = static_cast<int>(roots.size());
  }
  std::error_code ec;
  for (const auto& p : blobs) fs::remove(p, ec);
  if (entries > 0) {
    std::vector<std::string> keys = {"storage"};
    for (const auto& n : purged) keys.push_back("storage:" + n.id);
    activity_.publish(workspaceId, keys);
  }
  for (const auto& n : purged) hooks_.emit({StorageEvent::Kind::kPurged, n, {}, {}, {}});
  return entries;
}

Result<std::vector<VersionRecord>> State::versions(const std::string& workspaceId,
                                                   const std::string& nodeId) const {
  std::lock_guard lock(impl_->mu);
  auto n = impl_->requireNode(workspaceId, nodeId);
  if (!n.ok()) return n.error();
  if (!n->isFile()) return invalidInput("Folders have no versions.");
  auto st = impl_->db->prepare(
      "SELECT version_id, node_id, name, size, md5, created_us FROM versions WHERE node_id = ?1 "
      "ORDER BY created_us DESC, version_id DESC");
  if (!st.ok()) return st.error();
  st->bind(1, n->id);
  std::vector<VersionRecord> out;
  while (true) {
    auto row = st->step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    VersionRecord v{st->text(0), st->text(1),    st->text(2), st->integer(3),
                    st->text(4), st->integer(5), false};
    v.current = v.versionId == n->versionId;
    out.push_back(std::move(v));
  }
  return out;
}

Result<NodeRecord> State::restoreVersion(const std::string& workspaceId, const std::string& nodeId,
                                         const std::string& versionId) {
  NodeRecord after;
  std::string blob;
  {
    std::lock_guard lock(impl_->mu);
    auto n = impl_->requireLiveNode(workspaceId, nodeId);
    if (!n.ok()) return n;
    if (!n->isFile()) return invalidInput("Folders have no versions.");
    auto vid = normalizeOpaqueId(versionId);
    if (!vid) {
      return apiError(ErrorCode::kInvalid, 406, code::kMalformedId,
                      "The version_id is not a valid OpaqueId.");
    }
    auto st =
        impl_->db->prepare("SELECT size, md5 FROM versions WHERE version_id = ?1 AND node_id = ?2");
    if (!st.ok()) return st.error();
    st->bind(1, *vid).bind(2, n->id);
    auto row = st->step();
    if (!row.ok()) return row.error();
    if (!*row) return notFound("The version " + versionId + " was not found for this node.");
    after = *n;
    after.versionId = *vid;
    after.size = st->integer(0);
    after.md5 = st->text(1);
    after.modifiedUs = nowMicros();
    auto ws = impl_->db->prepare("SELECT intelligence FROM workspaces WHERE id = ?1");
    if (!ws.ok()) return ws.error();
    ws->bind(1, workspaceId);
    auto wsRow = ws->step();
    if (!wsRow.ok()) return wsRow.error();
    bool intelligence = *wsRow && ws->integer(0) != 0;
    after.aiState = intelligence ? "pending" : "disabled";
    after.summaryTitle.clear();
    after.summaryShort.clear();
    after.summaryLong.clear();
    auto up = impl_->db->prepare(
        "UPDATE nodes SET version_id = ?2, size = ?3, md5 = ?4, modified_us = ?5, ai_state = ?6,"
        " summary_title = '', summary_short = '', summary_long = '' WHERE id = ?1");
    if (!up.ok()) return up.error();
    up->bind(1, after.id).bind(2, after.versionId).bind(3, after.size).bind(4, after.md5);
    up->bind(5, after.modifiedUs).bind(6, after.aiState);
    FASTIO_TRY(up->run());
    blob = impl_->blobPath(after.versionId).string();
  }
  activity_.publish(workspaceId, {"storage:" + after.id, "storage:" + after.parentId, "storage"});
  hooks_.emit({StorageEvent::Kind::kVersionRestored, after, {}, {}, blob});
  return after;
}

// ---------------------------------------------------------------- locks

Result<LockRecord> State::acquireLock(const std::string& workspaceId, const std::string& nodeId,
                                      int durationSec, const std::string& clientInfo) {
  LockRecord lockRec;
  std::string parent;
  std::string id;
  {
    std::lock_guard lock(impl_->mu);
    auto n = impl_->requireLiveNode(workspaceId, nodeId);
    if (!n.ok()) return n.error();
    if (n->lock) {
      return apiError(
          ErrorCode::kConflict, 409, code::kConflict,
          "The node is already locked until " + formatIsoSeconds(n->lock->expiresUs) + ".");
    }
    std::int64_t now = nowMicros();
    lockRec = {randomHex(16), clientInfo, now, now + std::int64_t{durationSec} * 1000000};
    auto st = impl_->db->prepare(
        "UPDATE nodes SET lock_token = ?2, lock_client_info = ?3, lock_acquired_us = ?4, "
        "lock_expires_us = ?5, lock_duration = ?6 WHERE id = ?1");
    if (!st.ok()) return st.error();
    st->bind(1, n->id).bind(2, lockRec.token).bind(3, clientInfo).bind(4, lockRec.acquiredUs);
    st->bind(5, lockRec.expiresUs).bind(6, std::int64_t{durationSec});
    FASTIO_TRY(st->run());
    parent = n->parentId;
    id = n->id;
  }
  activity_.publish(workspaceId, {"storage:" + id, "storage:" + parent});
  return lockRec;
}

Result<std::optional<LockRecord>> State::lockStatus(const std::string& workspaceId,
                                                    const std::string& nodeId) const {
  std::lock_guard lock(impl_->mu);
  auto n = impl_->requireLiveNode(workspaceId, nodeId);
  if (!n.ok()) return n.error();
  return n->lock;
}

Result<LockRecord> State::heartbeatLock(const std::string& workspaceId, const std::string& nodeId,
                                        const std::string& lockToken, int durationSec) {
  std::lock_guard lock(impl_->mu);
  auto n = impl_->requireLiveNode(workspaceId, nodeId);
  if (!n.ok()) return n.error();
  if (!n->lock || n->lock->token != lockToken) {
    return conflict("The lock_token does not hold a current lock on this node.");
  }
  auto st = impl_->db->prepare("SELECT lock_duration FROM nodes WHERE id = ?1");
  if (!st.ok()) return st.error();
  st->bind(1, n->id);
  auto row = st->step();
  if (!row.ok()) return row.error();
  std::int64_t duration = durationSec > 0 ? durationSec : (*row ? st->integer(0) : 300);
  LockRecord updated = *n->lock;
  updated.expiresUs = nowMicros() + duration * 1000000;
  auto up =
      impl_->db->prepare("UPDATE nodes SET lock_expires_us = ?2, lock_duration = ?3 WHERE id = ?1");
  if (!up.ok()) return up.error();
  up->bind(1, n->id).bind(2, updated.expiresUs).bind(3, duration);
  FASTIO_TRY(up->run());
  return updated;
}

Status State::releaseLock(const std::string& workspaceId, const std::string& nodeId,
                          const std::string& lockToken) {
  std::string parent;
  std::string id;
  {
    std::lock_guard lock(impl_->mu);
    auto n = impl_->requireLiveNode(workspaceId, nodeId);
    if (!n.ok()) return n.error();
    if (!n->lock || n->lock->token != lockToken) {
      return conflict("The lock_token does not hold a current lock on this node.");
    }
    auto st = impl_->db->prepare(
        "UPDATE nodes SET lock_token = '', lock_client_info = '', lock_acquired_us = 0, "
        "lock_expires_us = 0 WHERE id = ?1");
    if (!st.ok()) return st.error();
    st->bind(1, n->id);
    FASTIO_TRY(st->run());
    parent = n->parentId;
    id = n->id;
  }
  activity_.publish(workspaceId, {"storage:" + id, "storage:" + parent});
  return okStatus();
}

// ---------------------------------------------------------------- content

fs::path State::newBlobTempPath() {
  return impl_->tmpDir / ("blob-" + randomHex(12));
}

Result<NodeRecord> State::storeFile(const StoreFileRequest& r) {
  std::error_code ec;
  auto dropTemp = [&] { fs::remove(r.blobTempPath, ec); };
  if (auto p = names::nodeNameProblem(r.name)) {
    dropTemp();
    return invalidInput("Invalid name: " + p->reason + ".");
  }
  auto actualSize = fs::file_size(r.blobTempPath, ec);
  if (ec) return internalError("the content to store is missing: " + r.blobTempPath.string());
  if (static_cast<std::int64_t>(actualSize) != r.size) {
    dropTemp();
    return invalidInput("The content is " + std::to_string(actualSize) +
                        " bytes, not the declared " + std::to_string(r.size) + ".");
  }
  std::string md5 = r.md5;
  if (md5.empty()) {
    auto h = ContentHasher::hashFile(r.blobTempPath, "md5");
    if (!h.ok()) {
      dropTemp();
      return h.error();
    }
    md5 = *h;
  }
  // Durable before anything refers to it.
  if (auto s = fsyncPath(r.blobTempPath, false); !s.ok()) {
    dropTemp();
    return s.error();
  }

  NodeRecord after;
  fs::path finalBlob;
  {
    std::lock_guard lock(impl_->mu);
    auto ws = impl_->db->prepare("SELECT intelligence FROM workspaces WHERE id = ?1");
    if (!ws.ok()) return ws.error();
    ws->bind(1, r.workspaceId);
    auto wsRow = ws->step();
    if (!wsRow.ok()) return wsRow.error();
    if (!*wsRow) {
      dropTemp();
      return notFound("The workspace " + r.workspaceId + " was not found.");
    }
    bool intelligence = ws->integer(0) != 0;

    std::optional<NodeRecord> target;
    std::string parent;
    if (!r.existingFileId.empty()) {
      auto n = impl_->requireLiveNode(r.workspaceId, r.existingFileId);
      if (!n.ok()) {
        dropTemp();
        return n.error();
      }
      if (!n->isFile()) {
        dropTemp();
        return invalidInput("The node " + r.existingFileId + " is not a file.");
      }
      target = *n;
      parent = n->parentId;
      if (r.name != n->name) {
        auto clash = impl_->liveChildByName(r.workspaceId, parent, r.name);
        if (!clash.ok()) return clash.error();
        if (*clash) {
          dropTemp();
          return nameExists(r.name);
        }
      }
    } else {
      auto folder = impl_->requireFolder(r.workspaceId, r.parentId);
      if (!folder.ok()) {
        dropTemp();
        return folder.error();
      }
      parent = *folder;
      auto existing = impl_->liveChildByName(r.workspaceId, parent, r.name);
      if (!existing.ok()) return existing.error();
      if (*existing) {
        if ((*existing)->isFolder()) {
          dropTemp();
          return nameExists(r.name);
        }
        target = **existing;
      }
    }
    if (!r.ifVersionId.empty()) {
      auto wanted = normalizeOpaqueId(r.ifVersionId);
      if (!target || !wanted || *wanted != target->versionId) {
        dropTemp();
        return apiError(ErrorCode::kConflict, 409, code::kConflict,
                        "The node has changed: its current version is " +
                            (target ? target->versionId : std::string("(none)")) + ".");
      }
    }

    std::int64_t now = nowMicros();
    MimeInfo mime = mimeForName(r.name);
    after = target ? *target : NodeRecord{};
    if (!target) {
      after.id = newOpaqueId('f');
      after.workspaceId = r.workspaceId;
      after.parentId = parent;
      after.type = NodeType::kFile;
      after.createdUs = now;
    }
    after.name = r.name;
    after.versionId = newOpaqueId('v');
    after.size = r.size;
    after.md5 = md5;
    after.mimetype = mime.type;
    after.mimecategory = mime.category;
    after.modifiedUs = now;
    after.aiState = intelligence ? "pending" : "disabled";
    after.summaryTitle.clear();
    after.summaryShort.clear();
    after.summaryLong.clear();

    finalBlob = impl_->blobPath(after.versionId);
    fs::rename(r.blobTempPath, finalBlob, ec);
    if (ec) {
      dropTemp();
      return internalError("cannot store content: " + ec.message());
    }
    auto failed = [&](Error e) {
      fs::remove(finalBlob, ec);
      return e;
    };
    if (auto s = fsyncPath(impl_->blobDir, true); !s.ok()) return failed(s.error());
    Transaction tx(*impl_->db);
    if (auto s = tx.begin(); !s.ok()) return failed(s.error());
    if (auto s = impl_->insertVersion(
            {after.versionId, after.id, after.name, after.size, after.md5, now, true});
        !s.ok()) {
      return failed(s.error());
    }
    if (target) {
      auto st = impl_->db->prepare(
          "UPDATE nodes SET name = ?2, version_id = ?3, size = ?4, md5 = ?5, mimetype = ?6, "
          "mimecategory = ?7, modified_us = ?8, ai_state = ?9, summary_title = '', "
          "summary_short = '', summary_long = '' WHERE id = ?1");
      if (!st.ok()) return failed(st.error());
      st->bind(1, after.id).bind(2, after.name).bind(3, after.versionId).bind(4, after.size);
      st->bind(5, after.md5).bind(6, after.mimetype).bind(7, after.mimecategory);
      st->bind(8, after.modifiedUs).bind(9, after.aiState);
      if (auto s = st->run(); !s.ok()) return failed(s.error());
    } else if (auto s = impl_->insertNode(after); !s.ok()) {
      return failed(s.error());
    }
    if (auto s = tx.commit(); !s.ok()) return failed(s.error());
  }
  activity_.publish(r.workspaceId, {"storage:" + after.id, "storage:" + after.parentId, "storage"});
  hooks_.emit({StorageEvent::Kind::kVersionStored, after, {}, {}, finalBlob.string()});
  return after;
}

Result<BlobRef> State::blob(const std::string& workspaceId, const std::string& nodeId,
                            const std::string& versionId) const {
  std::lock_guard lock(impl_->mu);
  auto n = impl_->requireLiveNode(workspaceId, nodeId);
  if (!n.ok()) return n.error();
  if (!n->isFile()) return invalidInput("The node " + nodeId + " is a folder, not a file.");
  BlobRef ref{
      impl_->blobPath(n->versionId).string(), n->size, n->md5, n->versionId, n->name, n->mimetype};
  if (!versionId.empty()) {
    auto vid = normalizeOpaqueId(versionId);
    if (!vid) {
      return apiError(ErrorCode::kInvalid, 406, code::kMalformedId,
                      "The version_id is not a valid OpaqueId.");
    }
    auto st =
        impl_->db->prepare("SELECT size, md5 FROM versions WHERE version_id = ?1 AND node_id = ?2");
    if (!st.ok()) return st.error();
    st->bind(1, *vid).bind(2, n->id);
    auto row = st->step();
    if (!row.ok()) return row.error();
    if (!*row) return notFound("The version " + versionId + " was not found for this node.");
    ref.path = impl_->blobPath(*vid).string();
    ref.size = st->integer(0);
    ref.md5 = st->text(1);
    ref.versionId = *vid;
  }
  return ref;
}

Result<std::string> State::mintReadToken(const std::string& workspaceId,
                                         const std::string& nodeId) {
  std::lock_guard lock(impl_->mu);
  auto n = impl_->requireLiveNode(workspaceId, nodeId);
  if (!n.ok()) return n.error();
  if (!n->isFile()) return invalidInput("The node " + nodeId + " is a folder, not a file.");
  std::int64_t now = nowMicros();
  for (auto it = impl_->readTokens.begin(); it != impl_->readTokens.end();) {
    it = it->second.expiresUs <= now ? impl_->readTokens.erase(it) : std::next(it);
  }
  std::string token = "rt" + randomHex(20);
  impl_->readTokens[token] = {workspaceId, n->id, now + std::int64_t{3600} * 1000000};
  return token;
}

bool State::checkReadToken(const std::string& token, const std::string& workspaceId,
                           const std::string& nodeId) const {
  auto id = normalizeOpaqueId(nodeId);
  if (!id) return false;
  std::lock_guard lock(impl_->mu);
  auto it = impl_->readTokens.find(token);
  return it != impl_->readTokens.end() && it->second.workspaceId == workspaceId &&
         it->second.nodeId == *id && it->second.expiresUs > nowMicros();
}

Status State::setAiResult(const std::string& workspaceId, const std::string& nodeId,
                          const std::string& versionId, const AiResult& result) {
  std::string id;
  {
    std::lock_guard lock(impl_->mu);
    auto n = impl_->requireNode(workspaceId, nodeId);
    if (!n.ok()) return n.error();
    auto vid = normalizeOpaqueId(versionId);
    if (!vid || *vid != n->versionId) return okStatus();  // a newer version superseded it
    bool withSummary =
        !result.summaryTitle.empty() || !result.summaryShort.empty() || !result.summaryLong.empty();
    auto st = impl_->db->prepare(
        withSummary ? "UPDATE nodes SET ai_state = ?2, summary_title = ?3, summary_short = ?4, "
                      "summary_long = ?5 WHERE id = ?1"
                    : "UPDATE nodes SET ai_state = ?2 WHERE id = ?1");
    if (!st.ok()) return st.error();
    st->bind(1, n->id).bind(2, result.state);
    if (withSummary) {
      st->bind(3, result.summaryTitle).bind(4, result.summaryShort).bind(5, result.summaryLong);
    }
    FASTIO_TRY(st->run());
    id = n->id;
  }
  activity_.publish(workspaceId, {"ai_state:" + id});
  return okStatus();
}

}  // namespace fastio::emu
