#include "common/RandomToken.h"

#include <openssl/rand.h>

#include "common/Encoding.h"

namespace fastio {

Result<std::string> randomUrlToken(std::size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) {
    return makeError(ErrorCode::kInternal, "the random generator failed; no token made");
  }
  return base64UrlEncode(raw);
}

}  // namespace fastio
