#include "client/testing/SyntheticContent.h"

namespace fastio::testing {
namespace {

// splitmix64: a cheap, well-mixed function of the 8-byte word index.
uint64_t mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

}  // namespace

void fillSyntheticBytes(uint32_t seed, uint64_t offset, char* out, std::size_t length) {
  const uint64_t salt = static_cast<uint64_t>(seed) << 40;
  for (std::size_t i = 0; i < length;) {
    const uint64_t position = offset + i;
    const uint64_t word = mix(salt ^ (position >> 3));
    for (unsigned byte = static_cast<unsigned>(position & 7); byte < 8 && i < length; ++byte) {
      out[i++] = static_cast<char>((word >> (8 * byte)) & 0xFF);
    }
  }
}

std::string syntheticBytes(uint32_t seed, uint64_t offset, std::size_t length) {
  std::string out(length, '\0');
  fillSyntheticBytes(seed, offset, out.data(), length);
  return out;
}

}  // namespace fastio::testing
