#pragma once
// The service's rules for names and ids, as the in-memory store enforces them
// (fastio-api.md sections 1.6, 3 and 9).

#include <optional>
#include <string>
#include <string_view>

namespace fastio::testing {

// Why `name` cannot name a file or folder, or nullopt when it can.
std::optional<std::string> nodeNameProblem(std::string_view name);
// Why `folderName` cannot name a workspace (4-80 letters, digits, hyphens), or nullopt.
std::optional<std::string> workspaceFolderNameProblem(std::string_view folderName);
// Node ids are matched case-insensitively and with or without the display hyphens.
std::string normalizeNodeId(std::string_view id);
// A plausible mimetype from the file extension (application/octet-stream when unknown).
std::string mimetypeForName(std::string_view name);

}  // namespace fastio::testing
