#pragma once
// OpaqueIds (fastio-api.md §1.6): <prefix><26 base32 chars (time + random)><2 check chars>,
// unhyphenated lower case on output; the display form inserts '-' every 5 characters. Input is
// accepted in either form, any case.

#include <optional>
#include <string>
#include <string_view>

namespace fastio::emu {

// A new id, e.g. newOpaqueId('f') for a file, 'd' folder, 'v' version, 'u' upload session.
std::string newOpaqueId(char prefix);

// Lower-cases and removes hyphens; nullopt if the result is not a plausible OpaqueId
// (characters outside [0-9a-z], or length outside 20..40). Does not check the checksum,
// so ids minted elsewhere still resolve to a clean "not found".
std::optional<std::string> normalizeOpaqueId(std::string_view id);

// The hyphenated display form of a normalised id.
std::string displayOpaqueId(std::string_view normalized);

}  // namespace fastio::emu
