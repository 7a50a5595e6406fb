#pragma once
// One keyset-paged listing of nodes (ListCursor.h): the rows matching a WHERE clause, in the
// query's order, after the query's cursor, at most pageSize of them.

#include <string>
#include <vector>

#include "common/Result.h"
#include "emulator/state/Database.h"
#include "emulator/state/StateTypes.h"

namespace fastio::emu {

// `where` uses ?1..?N for `args`; `scope` binds cursors to this listing (a cursor made for
// another scope or order is a 406).
Result<ListPage> listNodes(Database& db, const std::string& where,
                           const std::vector<std::string>& args, const ListQuery& query,
                           const std::string& scope);

}  // namespace fastio::emu
