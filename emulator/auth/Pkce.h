#pragma once
// PKCE (RFC 7636) with S256 only, as Fast.io requires.

#include <string>
#include <string_view>

namespace fastio::emu {

// 43-128 characters of [A-Za-z0-9-._~] (RFC 7636 §4.1).
bool isValidCodeVerifier(std::string_view verifier);
// base64url(SHA-256(verifier)).
std::string s256Challenge(std::string_view verifier);
// Constant-time comparison of s256Challenge(verifier) with the stored challenge.
bool verifyS256(std::string_view verifier, std::string_view challenge);

}  // namespace fastio::emu
