#pragma once
// Timestamps as the service sends them: ISO 8601 ("2026-04-24T23:49:04.123Z", "+02:00"),
// "YYYY-MM-DD HH:MM:SS[ UTC]", or epoch seconds/milliseconds. Anything else is nullopt.

#include <optional>
#include <string_view>

#include "client/Types.h"

namespace fastio::http {

std::optional<WallTime> parseTimestamp(std::string_view text);
std::optional<WallTime> epochToWallTime(double secondsOrMillis);

}  // namespace fastio::http
