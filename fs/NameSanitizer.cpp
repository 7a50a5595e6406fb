#include "fs/NameSanitizer.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
#include <unordered_map>

#include "common/Log.h"
#include "common/Utf8.h"

namespace fastio::fs {
namespace {

constexpr std::string_view kDivisionSlash = "\xE2\x88\x95";    // U+2215
constexpr std::string_view kReplacementChar = "\xEF\xBF\xBD";  // U+FFFD
constexpr size_t kMaxExtensionBytes = 16;

uint32_t fnv1a(std::string_view s) {
  uint32_t h = 2166136261u;
  for (unsigned char c : s) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

std::string hex8(uint32_t v) {
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", v);
  return buf;
}

// Splits "name.ext" into ("name", ".ext") when the extension is short; dot-files keep no ext.
std::pair<std::string_view, std::string_view> splitExtension(std::string_view name) {
  const size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || name.size() - dot > kMaxExtensionBytes) {
    return {name, {}};
  }
  return {name.substr(0, dot), name.substr(dot)};
}

// stem + tag + ext, with stem shortened so the whole fits in kMaxNameBytes.
std::string joinWithinLimit(std::string_view stem, std::string_view tag, std::string_view ext) {
  const size_t room = kMaxNameBytes - tag.size() - ext.size();
  std::string out(utf8::prefix(stem, room));
  out += tag;
  out += ext;
  return out;
}

}  // namespace

std::optional<std::string> safeName(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (char ch : raw) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '/') {
      out += kDivisionSlash;
    } else if (c < 0x20 || c == 0x7F) {
      out += kReplacementChar;
    } else {
      out += ch;
    }
  }
  if (out.empty() || out == "." || out == "..") return std::nullopt;
  if (out.size() > kMaxNameBytes) {
    auto [stem, ext] = splitExtension(out);
    return joinWithinLimit(stem, "~" + hex8(fnv1a(raw)), ext);
  }
  return out;
}

std::string disambiguatedName(std::string_view name, std::string_view nodeId) {
  auto [stem, ext] = splitExtension(name);
  return joinWithinLimit(stem, "~" + hex8(fnv1a(nodeId)), ext);
}

std::vector<DisplayEntry> assignDisplayNames(const std::vector<Node>& children,
                                             const std::set<std::string, std::less<>>& reserved) {
  struct Candidate {
    std::string name;
    size_t index;
    bool clean;  // the server's name was shown unchanged
  };
  std::vector<Candidate> candidates;
  candidates.reserve(children.size());
  for (size_t i = 0; i < children.size(); ++i) {
    const Node& node = children[i];
    auto name = safeName(node.name);
    if (!name) {
      FASTIO_LOG_WARN("skipping node {}: its name cannot be shown in a directory", node.id);
      continue;
    }
    if (reserved.count(*name) != 0) {
      FASTIO_LOG_WARN("skipping node {}: its name '{}' is reserved by the mount", node.id, *name);
      continue;
    }
    const bool clean = (*name == node.name);
    candidates.push_back({std::move(*name), i, clean});
  }

  // Group by name; rank inside each group so the winner keeps the plain name.
  std::unordered_map<std::string, std::vector<size_t>> byName;
  byName.reserve(candidates.size());
  for (size_t c = 0; c < candidates.size(); ++c) byName[candidates[c].name].push_back(c);

  std::unordered_map<std::string, bool> taken;
  taken.reserve(candidates.size());
  for (const auto& [name, group] : byName) taken[name] = true;

  for (auto& [name, group] : byName) {
    if (group.size() < 2) continue;
    std::sort(group.begin(), group.end(), [&](size_t a, size_t b) {
      const Candidate& ca = candidates[a];
      const Candidate& cb = candidates[b];
      const Node& na = children[ca.index];
      const Node& nb = children[cb.index];
      if (ca.clean != cb.clean) return ca.clean;
      if (na.created != nb.created) return na.created < nb.created;
      return na.id < nb.id;
    });
    for (size_t k = 1; k < group.size(); ++k) {
      Candidate& loser = candidates[group[k]];
      const std::string& id = children[loser.index].id;
      std::string renamed = disambiguatedName(loser.name, id);
      // A second collision (astronomically unlikely) falls back to the full id.
      if (taken.count(renamed) != 0) renamed = disambiguatedName(loser.name, id + "#" + id);
      if (taken.count(renamed) != 0 || reserved.count(renamed) != 0) {
        FASTIO_LOG_WARN("skipping node {}: no unique name for '{}'", id, loser.name);
        loser.name.clear();
        continue;
      }
      FASTIO_LOG_INFO("node {} shares the name '{}' in its folder; shown as '{}'", id, loser.name,
                      renamed);
      taken[renamed] = true;
      loser.name = std::move(renamed);
    }
  }

  std::vector<DisplayEntry> out;
  out.reserve(candidates.size());
  for (auto& c : candidates) {
    if (!c.name.empty()) out.push_back({std::move(c.name), c.index});
  }
  return out;
}

}  // namespace fastio::fs
