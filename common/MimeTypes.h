#pragma once
// The mimetype and mimecategory the service gives a file, from its name's extension
// (fastio-api.md §4.1); the emulator and the in-memory fake both answer with them.

#include <string>

namespace fastio {

struct MimeInfo {
  std::string type;      // e.g. "application/pdf"
  std::string category;  // document | image | video | audio | archive | code | other
};

MimeInfo mimeForName(const std::string& name);

}  // namespace fastio
