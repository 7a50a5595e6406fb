#pragma once
// How the in-memory store matches node ids (fastio-api.md section 1.6). The service's name rules
// and mimetypes are in common/ (NameRules.h, MimeTypes.h), shared with the emulator.

#include <string>
#include <string_view>

namespace fastio::testing {

// Node ids are matched case-insensitively and with or without the display hyphens.
std::string normalizeNodeId(std::string_view id);

}  // namespace fastio::testing
