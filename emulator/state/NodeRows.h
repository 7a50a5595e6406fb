#pragma once
// Rows of the nodes table as NodeRecords: the columns every node SELECT lists, the reader of
// such a row, and how ids from request paths are normalised.

#include <string>

#include "common/Result.h"
#include "emulator/state/Database.h"
#include "emulator/state/StateTypes.h"

namespace fastio::emu {

// The first kNodeColumnCount columns of a node SELECT, in readNode's order.
inline constexpr const char* kNodeColumns =
    "id, workspace_id, parent_id, name, type, size, version_id, md5, mimetype, mimecategory, "
    "created_us, modified_us, ai_state, summary_title, summary_short, summary_long, trashed, "
    "deleted_us, deleted_from, lock_token, lock_client_info, lock_acquired_us, lock_expires_us";
inline constexpr int kNodeColumnCount = 23;

// The node of the current row; its lock only while unexpired.
NodeRecord readNode(const Statement& st);

// A node id from a path: "root"/"trash" stay, OpaqueIds lose hyphens and case; anything else is
// a 406 malformed-id error.
Result<std::string> canonicalId(const std::string& id);

}  // namespace fastio::emu
