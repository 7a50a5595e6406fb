#pragma once
// ISO 8601 timestamps as the service and the emulator write them: "2026-04-24T23:49:04Z",
// "2026-04-24T23:49:04.123456Z", "+02:00" / "-0500" offsets, and the "YYYY-MM-DD HH:MM:SS[ UTC]"
// form. Anything else is nullopt.

#include <chrono>
#include <optional>
#include <string_view>

namespace fastio {

std::optional<std::chrono::system_clock::time_point> parseIso8601(std::string_view text);

}  // namespace fastio
