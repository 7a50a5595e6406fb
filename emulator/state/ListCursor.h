#pragma once
// Keyset pagination for storage listings: the sort keys of each order, and the opaque cursor
// (base64url of a small JSON record of the last row's keys, the order and the listing's scope).
// Keyset paging survives concurrent inserts and deletes: a page never repeats or skips a row
// that existed throughout.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "emulator/state/StateTypes.h"

namespace fastio::emu {

using CursorValue = std::variant<std::int64_t, std::string>;

struct CursorKey {
  std::vector<CursorValue> values;
};

struct ListKeySpec {
  std::vector<std::string> columns;  // SQL expressions, most significant first; ends with id
  std::vector<bool> isInt;
  std::size_t arity = 0;
  std::string selectKeys;  // "expr1, expr2, ..." appended to the SELECT list
  std::string tuple;       // "expr1, expr2, ..." for the row-value comparison
};

ListKeySpec listKeySpec(SortBy sortBy);

// Reads the key columns of the current row (column i of the spec via `get(i, isInt)`).
CursorKey readCursorKey(const ListKeySpec& spec, const std::function<CursorValue(int, bool)>& get);

std::string encodeListCursor(const CursorKey& key, SortBy sortBy, bool descending,
                             const std::string& scope);
// nullopt when the cursor is malformed or was made for another order or listing.
std::optional<CursorKey> decodeListCursor(const std::string& cursor, SortBy sortBy, bool descending,
                                          const std::string& scope);

}  // namespace fastio::emu
