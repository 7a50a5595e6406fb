#pragma once
// Byte counts for people: "1023 B", "1.5 KiB", "12.0 MiB" (binary units, one decimal).

#include <cstdint>
#include <string>

namespace fastio::fs {

std::string humanBytes(uint64_t bytes);

}  // namespace fastio::fs
