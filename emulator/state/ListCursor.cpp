#include "emulator/state/ListCursor.h"

#include <nlohmann/json.hpp>

namespace fastio::emu {

namespace {

constexpr std::string_view kB64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string base64UrlEncode(const std::string& in) {
  std::string out;
  std::size_t i = 0;
  while (i + 2 < in.size()) {
    unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                 (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += kB64[v & 63];
    i += 3;
  }
  if (i + 1 == in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
  } else if (i + 2 == in.size()) {
    unsigned v =
        (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
  }
  return out;
}

std::optional<std::string> base64UrlDecode(const std::string& in) {
  if (in.size() % 4 == 1 || in.size() > 8192) return std::nullopt;
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : in) {
    auto pos = kB64.find(c);
    if (pos == std::string_view::npos) return std::nullopt;
    buffer = (buffer << 6) | static_cast<unsigned>(pos);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

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
