#pragma once
// Hashes (OpenSSL) used on the wire: per-chunk upload hashes, the PKCE challenge, and md5 to
// compare content with a node's `hash`.

#include <string>
#include <string_view>

namespace fastio::http {

std::string sha256Raw(std::string_view data);
std::string sha256Hex(std::string_view data);
std::string md5Hex(std::string_view data);
std::string base64UrlNoPad(std::string_view bytes);
// `bytes` cryptographically random bytes, base64url without padding.
std::string randomUrlSafe(size_t bytes);

}  // namespace fastio::http
