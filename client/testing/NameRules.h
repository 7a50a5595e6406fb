#pragma once
// What the in-memory store needs beside the service's name rules (those live in
// common/NameRules.h, shared with the emulator and the filesystem): id matching and mimetypes
// (fastio-api.md sections 1.6 and 4.1).

#include <string>
#include <string_view>

namespace fastio::testing {

// Node ids are matched case-insensitively and with or without the display hyphens.
std::string normalizeNodeId(std::string_view id);
// A plausible mimetype from the file extension (application/octet-stream when unknown).
std::string mimetypeForName(std::string_view name);

}  // namespace fastio::testing
