#pragma once
// Time as State records it: microseconds since the Unix epoch (UTC), and the text of node
// timestamps.

#include <cstdint>
#include <string>

namespace fastio::emu {

std::int64_t nowMicros();
// "2026-11-26T12:00:00Z": the format of node created/modified (seconds, UTC).
std::string formatIsoSeconds(std::int64_t micros);

}  // namespace fastio::emu
