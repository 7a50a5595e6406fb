#pragma once
// Names the mount reserves for its virtual trees. They never appear in readdir, and a real
// remote file carrying one of them at the same level is not shown (see NameSanitizer).

#include <set>
#include <string>
#include <string_view>

namespace fastio::fs {

inline constexpr std::string_view kControlDirName = ".fastio";  // at the mount root
inline constexpr std::string_view kSearchDirName = ".search";   // in each workspace root
inline constexpr std::string_view kAskDirName = ".ask";         // in each workspace root

inline constexpr std::string_view kResultsTextName = "results.txt";
inline constexpr std::string_view kResultsJsonName = "results.json";

inline constexpr std::string_view kStatusFileName = "status";
inline constexpr std::string_view kStatsFileName = "stats.json";
inline constexpr std::string_view kMetricsFileName = "metrics";
inline constexpr std::string_view kVersionFileName = "version";

inline const std::set<std::string, std::less<>>& reservedAtMountRoot() {
  static const std::set<std::string, std::less<>> names{std::string(kControlDirName)};
  return names;
}
inline const std::set<std::string, std::less<>>& reservedAtWorkspaceRoot() {
  static const std::set<std::string, std::less<>> names{std::string(kSearchDirName),
                                                        std::string(kAskDirName)};
  return names;
}
inline const std::set<std::string, std::less<>>& noReservedNames() {
  static const std::set<std::string, std::less<>> names;
  return names;
}

}  // namespace fastio::fs
