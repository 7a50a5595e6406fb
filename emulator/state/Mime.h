#pragma once
// MIME type and Fast.io-style category from a file name's extension.

#include <string>

namespace fastio::emu {

struct MimeInfo {
  std::string type;      // e.g. "application/pdf"
  std::string category;  // document | image | video | audio | archive | code | other
};

MimeInfo mimeForName(const std::string& name);

}  // namespace fastio::emu
