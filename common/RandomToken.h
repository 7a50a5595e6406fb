#pragma once
// Unguessable strings (OAuth state, PKCE verifiers, tokens the emulator mints): bytes from the
// OpenSSL CSPRNG, base64url-encoded.

#include <cstddef>
#include <string>

#include "common/Result.h"

namespace fastio {

// An error when the CSPRNG cannot deliver; never a weaker fallback.
Result<std::string> randomUrlToken(std::size_t bytes);

}  // namespace fastio
