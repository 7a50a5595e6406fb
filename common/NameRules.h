#pragma once
// The service's rules for names (fastio-api.md §9 for files and folders, §3 for workspaces), in
// one place: the emulator and the in-memory fake enforce them, and the filesystem checks them
// before it asks the service (EINVAL / ENAMETOOLONG at create, rename and mkdir).
//
// Length: the service counts Unicode characters (at most 255), but the kernel and every tool cap
// a path component at NAME_MAX = 255 *bytes*, so a name is too long when it has more than 255
// characters or more than 255 UTF-8 bytes (the byte cap is the one that bites first).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "common/Error.h"

namespace fastio::names {

inline constexpr std::size_t kMaxNodeNameCharacters = 255;
inline constexpr std::size_t kMaxNameBytes = 255;  // NAME_MAX
inline constexpr std::size_t kMinWorkspaceFolderName = 4;
inline constexpr std::size_t kMaxWorkspaceFolderName = 80;
inline constexpr std::size_t kMinWorkspaceName = 2;
inline constexpr std::size_t kMaxWorkspaceName = 100;

struct NameProblem {
  ErrorCode code = ErrorCode::kInvalid;  // kInvalid, or kNameTooLong when over a length limit
  std::string reason;                    // one line, e.g. "the name contains a control character"
};

// A file or folder name: valid UTF-8; 1-255 characters and at most 255 bytes; not "." or "..";
// no '/' or '\'; no control characters (C0, DEL, C1); no bidi-control or zero-width characters;
// no trailing space, tab or '.'.
std::optional<NameProblem> nodeNameProblem(std::string_view name);
// A workspace folder_name (the directory name in the mount): 4-80 Unicode letters, digits or
// hyphens, at most 255 bytes.
std::optional<NameProblem> workspaceFolderNameProblem(std::string_view folderName);
// A workspace display name: 2-100 characters, no control characters.
std::optional<NameProblem> workspaceNameProblem(std::string_view name);

// The name the service gives a node that would clash with a sibling, for n = 2, 3, ...
// ("name (2)", fastio-api.md §9 move): "report.pdf" -> "report (2).pdf"; a folder, or a name
// whose only '.' leads, takes the number at the end: "photos.v1" -> "photos.v1 (2)".
std::string numberedName(std::string_view name, int n, bool isFolder);

// Classes the rules use, exposed for tests and for callers that make names safe.
bool isControlCharacter(char32_t cp);     // C0, DEL and C1
bool isInvisibleFormatting(char32_t cp);  // bidi controls and zero-width characters
bool isLetterOrDigit(char32_t cp);        // Unicode letters and digits (any script)

}  // namespace fastio::names
