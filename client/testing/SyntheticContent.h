#pragma once
// Deterministic file bytes of any size, computed from (seed, offset) alone, so tests can use
// multi-GiB files without holding them in memory (InMemoryRemoteStore::seedSyntheticFile).

#include <cstddef>
#include <cstdint>
#include <string>

namespace fastio::testing {

void fillSyntheticBytes(uint32_t seed, uint64_t offset, char* out, std::size_t length);
// The bytes [offset, offset + length) of the synthetic file with this seed.
std::string syntheticBytes(uint32_t seed, uint64_t offset, std::size_t length);

}  // namespace fastio::testing
