#pragma once
// Server names are untrusted. This turns a folder's children into names that are safe to show
// in a POSIX directory: no '/', no NUL or control characters, never "." or "..", at most 255
// bytes, unique within the folder and never one of the mount's reserved virtual names.

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "client/Types.h"

namespace fastio::fs {

inline constexpr size_t kMaxNameBytes = 255;

// A single name made safe, or nullopt when it cannot be shown at all (empty, "." or "..").
// '/' becomes U+2215 (division slash), NUL and control characters become U+FFFD, and an
// over-long name is shortened keeping its extension and a hash of the original.
std::optional<std::string> safeName(std::string_view raw);

// `name` with a short tag derived from nodeId inserted before its extension ("a~1f2e3d4c.txt").
std::string disambiguatedName(std::string_view name, std::string_view nodeId);

struct DisplayEntry {
  std::string name;  // what readdir shows and lookup accepts
  size_t index;      // position of the node in the input vector
};

// Names for every showable child, in input order. Skipped children are logged with their id.
// When several children end up with one name, the one whose server name was already safe wins,
// then the oldest, then the smallest id; the others get disambiguatedName().
std::vector<DisplayEntry> assignDisplayNames(const std::vector<Node>& children,
                                             const std::set<std::string, std::less<>>& reserved);

}  // namespace fastio::fs
