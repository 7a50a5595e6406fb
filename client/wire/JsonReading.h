#pragma once
// Defensive JSON reading: parsing that never throws (invalid UTF-8 is replaced, nesting is
// bounded so a hostile body cannot exhaust the stack), and accessors that accept the loose types
// the service sends (ids as string or number, booleans as "true"/"yes"/1) and never throw.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/Result.h"

namespace fastio::http {

using Json = nlohmann::json;

inline constexpr int kMaxJsonDepth = 128;

// Parses a response body; `what` names the call in the error message.
Result<Json> parseJson(std::string_view body, std::string_view what);

// The member `key` of an object, or nullptr (also when j is not an object or the member is null).
const Json* member(const Json& j, std::string_view key);
// The first present member among keys.
const Json* firstMember(const Json& j, std::initializer_list<std::string_view> keys);
// A nested path: member(member(j, a), b)...
const Json* path(const Json& j, std::initializer_list<std::string_view> keys);

// Text of a string, number or bool; nullopt for objects, arrays and null.
std::optional<std::string> asText(const Json* j);
std::string textOr(const Json* j, std::string fallback = {});
// A non-negative integer from a number or a decimal string; nullopt when out of range or not one.
std::optional<uint64_t> asUint(const Json* j);
std::optional<double> asDouble(const Json* j);
// true, "true", "yes", "1", 1 → true; false, "false", "no", "0", 0 → false; else nullopt.
std::optional<bool> asBool(const Json* j);

// Object ids: lower case without the display hyphens, so either form of an OpaqueId matches.
std::string normaliseId(std::string_view id);

}  // namespace fastio::http
