#pragma once
// Text helpers shared by the extractor, the index, the summariser and the agent. Everything that
// leaves the emulator as JSON must be valid UTF-8, so text is sanitised once at extraction.

#include <string>
#include <string_view>
#include <vector>

namespace fastio::emu::intelligence {

// Replaces invalid UTF-8 with U+FFFD and drops control characters other than \t \n \f; \r\n and
// lone \r become \n.
std::string sanitizeUtf8(std::string_view in);

// Runs of whitespace (including \f and \n) become one space; leading/trailing space removed.
std::string collapseWhitespace(std::string_view in);

// ASCII-only lower case (bytes >= 0x80 are kept as they are).
std::string asciiLower(std::string_view s);

// Words of s as the index sees them: runs of ASCII letters/digits or non-ASCII bytes, lower-cased.
std::vector<std::string> splitWords(std::string_view s);

bool isStopword(std::string_view lowerWord);

// The words of a user query worth searching for: stopwords removed, duplicates removed, at most
// maxTerms kept. If every word is a stopword the stopwords are kept instead.
std::vector<std::string> queryTerms(std::string_view query, size_t maxTerms = 32);

// An FTS5 MATCH expression that ORs the terms, each quoted, so no user input can be read as FTS5
// syntax. Empty when there is nothing to search for.
std::string ftsOrExpression(const std::vector<std::string>& terms);

}  // namespace fastio::emu::intelligence
