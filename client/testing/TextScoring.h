#pragma once
// Keyword scoring for the in-memory store's search and ask: no semantics, just counted terms.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace fastio::testing {

// Lower-cased words of letters and digits (non-ASCII bytes count as letters), unique, in order.
std::vector<std::string> searchTerms(std::string_view text);
std::string toLowerAscii(std::string_view text);
// Non-overlapping occurrences of `termLower` in `haystackLower`, at most `cap`.
std::size_t countOccurrences(std::string_view haystackLower, std::string_view termLower,
                             std::size_t cap);
// Content that can be indexed as text: no NUL byte in its first 8 KiB.
bool looksLikeText(std::string_view content);
// Up to maxBytes of `text` around the first occurrence of any term (or its start), on whitespace
// boundaries where possible.
std::string snippetAround(std::string_view text, const std::vector<std::string>& termsLower,
                          std::size_t maxBytes);

}  // namespace fastio::testing
