#include "client/testing/NodeIds.h"

#include <cctype>

namespace fastio::testing {

std::string normalizeNodeId(std::string_view id) {
  std::string out;
  out.reserve(id.size());
  for (unsigned char c : id) {
    if (c != '-') out.push_back(static_cast<char>(std::tolower(c)));
  }
  return out;
}

}  // namespace fastio::testing
