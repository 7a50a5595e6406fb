#pragma once
// CRC-32C (Castagnoli), the checksum of the journal's write-ahead frames. It detects every
// burst error up to 32 bits and is what ext4, iSCSI and LevelDB's log use for the same job.

#include <cstdint>
#include <string_view>

namespace fastio::cache {

// Continues a running checksum: crc32c(b, crc32c(a)) == crc32c(a + b).
uint32_t crc32c(std::string_view data, uint32_t crc = 0);

}  // namespace fastio::cache
