#pragma once
// UTF-8 in one place: strict validation (no overlong forms, surrogates or code points past
// U+10FFFF), repair with U+FFFD, and cutting text without splitting a character.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace fastio::utf8 {

inline constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD

// The length of the valid sequence that starts at text[at], or 0 when none does.
std::size_t sequenceLength(std::string_view text, std::size_t at);
bool isValid(std::string_view text);
// The code points, or nullopt when the text is not valid UTF-8.
std::optional<std::u32string> decode(std::string_view text);
// Every invalid byte replaced with U+FFFD; nullopt when the text is valid already (no copy).
std::optional<std::string> repair(std::string_view text);

// The longest prefix of at most maxBytes that ends on a character boundary.
std::string_view prefix(std::string_view text, std::size_t maxBytes);
// The first character boundary at or after `at` (text.size() at the most).
std::size_t boundaryAtOrAfter(std::string_view text, std::size_t at);
// Characters, counted as the bytes that do not continue a sequence.
std::size_t length(std::string_view text);

}  // namespace fastio::utf8
