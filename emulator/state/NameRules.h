#pragma once
// Validation of node names (fastio-api.md §9) and workspace fields (§3).

#include <optional>
#include <string>
#include <string_view>

namespace fastio::emu {

// nullopt when valid, else a one-line reason. Rules: valid UTF-8, 1-255 characters, not "." or
// "..", no '/' or '\\', no control characters, no bidi or zero-width characters, no trailing
// space, tab or '.'.
std::optional<std::string> nodeNameProblem(std::string_view name);

// folder_name: 4-80 Unicode letters, digits or hyphens.
std::optional<std::string> folderNameProblem(std::string_view folderName);
// Workspace display name: 2-100 characters, no control characters.
std::optional<std::string> workspaceNameProblem(std::string_view name);

// Decodes UTF-8; false on malformed input (overlong forms, surrogates, truncation).
bool decodeUtf8(std::string_view text, std::u32string& out);

// "report.pdf" -> "report (2).pdf"; "photos" -> "photos (2)" (folders keep no extension).
std::string numberedName(const std::string& name, int n, bool isFolder);

}  // namespace fastio::emu
