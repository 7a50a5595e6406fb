#pragma once
// Byte encodings used on the wire and on disk: lower-case hex (digests, random ids),
// base64url without padding (RFC 4648 §5: PKCE challenges, tokens, listing cursors) and
// percent-encoding (RFC 3986 paths and queries, application/x-www-form-urlencoded bodies).

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fastio {

std::string hexLower(std::string_view bytes);

std::string base64UrlEncode(std::string_view bytes);
// nullopt for a character outside the base64url alphabet, padding, or an impossible length.
std::optional<std::string> base64UrlDecode(std::string_view text);

// RFC 3986 unreserved characters pass; every other byte becomes %XX (upper-case hex).
std::string percentEncode(std::string_view bytes);
// %XX becomes the byte and, as in a form, '+' a space; a '%' not followed by two hex digits
// stays as it is.
std::string percentDecode(std::string_view text);
// "a=1&b=x+y" -> {{"a","1"},{"b","x y"}}, in order; a field without '=' has an empty value and
// empty fields and fields without a name ("a=1&&=2") are skipped.
std::vector<std::pair<std::string, std::string>> parseFormFields(std::string_view text);

}  // namespace fastio
