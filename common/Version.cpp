#include "common/Version.h"

namespace fastio {

std::string_view fastioVersion() {
  return FASTIO_VERSION;
}

}  // namespace fastio
