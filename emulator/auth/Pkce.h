#pragma once
// PKCE (RFC 7636) with S256 only, as Fast.io requires, and the random strings the OAuth
// authority hands out.

#include <cstddef>
#include <string>
#include <string_view>

#include "common/Result.h"

namespace fastio::emu {

// base64url without padding (RFC 4648 §5).
std::string base64UrlEncode(std::string_view bytes);
// 43-128 characters of [A-Za-z0-9-._~] (RFC 7636 §4.1).
bool isValidCodeVerifier(std::string_view verifier);
// base64url(SHA-256(verifier)).
std::string s256Challenge(std::string_view verifier);
// Constant-time comparison of s256Challenge(verifier) with the stored challenge.
bool verifyS256(std::string_view verifier, std::string_view challenge);
// `bytes` bytes from the OpenSSL CSPRNG, base64url-encoded (an error if the CSPRNG fails).
Result<std::string> randomUrlToken(std::size_t bytes = 32);
// Hex SHA-256, used to keep refresh tokens on disk without the tokens themselves.
std::string sha256Hex(std::string_view text);

}  // namespace fastio::emu
