#include "emulator/state/StateSchema.h"

namespace fastio::emu {

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

}  // namespace

Status applyStateSchema(Database& db) {
  return db.exec(kSchema);
}

}  // namespace fastio::emu
