#include "emulator/state/ListCursor.h"

#include <nlohmann/json.hpp>

#include "common/Encoding.h"

namespace fastio::emu {

namespace {

// A cursor longer than this was not made here.
constexpr std::size_t kMaxCursorLength = 8192;

const char* sortName(SortBy s) {
  switch (s) {
    case SortBy::kName:
      return "name";
    case SortBy::kUpdated:
      return "updated";
    case SortBy::kCreated:
      return "created";
    case SortBy::kType:
      return "type";
  }
  return "name";
}

}  // namespace

ListKeySpec listKeySpec(SortBy sortBy) {
  ListKeySpec spec;
  switch (sortBy) {
    case SortBy::kName:
      spec.columns = {"name", "id"};
      spec.isInt = {false, false};
      break;
    case SortBy::kUpdated:
      spec.columns = {"modified_us", "id"};
      spec.isInt = {true, false};
      break;
    case SortBy::kCreated:
      spec.columns = {"created_us", "id"};
      spec.isInt = {true, false};
      break;
    case SortBy::kType:
      // Folders before files, then by name.
      spec.columns = {"(1 - type)", "name", "id"};
      spec.isInt = {true, false, false};
      break;
  }
  spec.arity = spec.columns.size();
  for (std::size_t i = 0; i < spec.arity; ++i) {
    if (i) {
      spec.selectKeys += ", ";
      spec.tuple += ", ";
    }
    spec.selectKeys += spec.columns[i];
    spec.tuple += spec.columns[i];
  }
  return spec;
}

CursorKey readCursorKey(const ListKeySpec& spec, const std::function<CursorValue(int, bool)>& get) {
  CursorKey key;
  for (std::size_t i = 0; i < spec.arity; ++i) {
    key.values.push_back(get(static_cast<int>(i), spec.isInt[i]));
  }
  return key;
}

std::string encodeListCursor(const CursorKey& key, SortBy sortBy, bool descending,
                             const std::string& scope) {
  nlohmann::json values = nlohmann::json::array();
  for (const auto& v : key.values) {
    if (std::holds_alternative<std::int64_t>(v)) {
      values.push_back(std::get<std::int64_t>(v));
    } else {
      values.push_back(std::get<std::string>(v));
    }
  }
  nlohmann::json j = {{"s", sortName(sortBy)}, {"d", descending}, {"f", scope}, {"k", values}};
  return base64UrlEncode(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

std::optional<CursorKey> decodeListCursor(const std::string& cursor, SortBy sortBy, bool descending,
                                          const std::string& scope) {
  if (cursor.size() > kMaxCursorLength) return std::nullopt;
  auto raw = base64UrlDecode(cursor);
  if (!raw) return std::nullopt;
  auto j = nlohmann::json::parse(*raw, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  auto s = j.find("s");
  auto d = j.find("d");
  auto f = j.find("f");
  auto k = j.find("k");
  if (s == j.end() || d == j.end() || f == j.end() || k == j.end()) return std::nullopt;
  if (!s->is_string() || *s != sortName(sortBy) || !d->is_boolean() || *d != descending ||
      !f->is_string() || *f != scope || !k->is_array()) {
    return std::nullopt;
  }
  ListKeySpec spec = listKeySpec(sortBy);
  if (k->size() != spec.arity) return std::nullopt;
  CursorKey key;
  for (std::size_t i = 0; i < spec.arity; ++i) {
    const auto& v = (*k)[i];
    if (spec.isInt[i]) {
      if (!v.is_number_integer()) return std::nullopt;
      key.values.emplace_back(v.get<std::int64_t>());
    } else {
      if (!v.is_string()) return std::nullopt;
      key.values.emplace_back(v.get<std::string>());
    }
  }
  return key;
}

}  // namespace fastio::emu
