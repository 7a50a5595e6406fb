#include "emulator/state/NodeListing.h"

#include <optional>
#include <variant>

#include "emulator/ApiCodes.h"
#include "emulator/state/ListCursor.h"
#include "emulator/state/NodeRows.h"

namespace fastio::emu {

Result<ListPage> listNodes(Database& db, const std::string& where,
                           const std::vector<std::string>& args, const ListQuery& q,
                           const std::string& scope) {
  ListKeySpec spec = listKeySpec(q.sortBy);
  std::optional<CursorKey> after;
  if (!q.cursor.empty()) {
    auto decoded = decodeListCursor(q.cursor, q.sortBy, q.descending, scope);
    if (!decoded) return invalidInput("The cursor is not valid for this listing.");
    after = std::move(*decoded);
  }
  std::string sql =
      std::string("SELECT ") + kNodeColumns + ", " + spec.selectKeys + " FROM nodes WHERE " + where;
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
  FASTIO_TRY_ASSIGN(auto st, db.prepare(sql));
  for (std::size_t i = 0; i < args.size(); ++i) st.bind(static_cast<int>(i) + 1, args[i]);
  if (after) {
    for (std::size_t i = 0; i < spec.arity; ++i) {
      const auto& v = after->values[i];
      int idx = next + static_cast<int>(i);
      if (std::holds_alternative<std::int64_t>(v)) {
        st.bind(idx, std::get<std::int64_t>(v));
      } else {
        st.bind(idx, std::get<std::string>(v));
      }
    }
  }
  ListPage page;
  CursorKey lastKey;
  while (true) {
    FASTIO_TRY_ASSIGN(auto row, st.step());
    if (!row) break;
    if (static_cast<int>(page.nodes.size()) == q.pageSize) {
      page.nextCursor = encodeListCursor(lastKey, q.sortBy, q.descending, scope);
      break;
    }
    page.nodes.push_back(readNode(st));
    lastKey = readCursorKey(spec, [&](int col, bool isInt) -> CursorValue {
      int c = kNodeColumnCount + col;
      if (isInt) return st.integer(c);
      return st.text(c);
    });
  }
  return page;
}

}  // namespace fastio::emu
