#pragma once
// Byte encodings used on the wire and on disk: lower-case hex (digests, random ids) and
// base64url without padding (RFC 4648 §5: PKCE challenges, tokens, listing cursors).

#include <optional>
#include <string>
#include <string_view>

namespace fastio {

std::string hexLower(std::string_view bytes);

std::string base64UrlEncode(std::string_view bytes);
// nullopt for a character outside the base64url alphabet, padding, or an impossible length.
std::optional<std::string> base64UrlDecode(std::string_view text);

}  // namespace fastio
