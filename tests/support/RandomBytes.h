#pragma once
// n bytes from a seeded generator: the content the write tests put in files, reproducible from
// their seed.

#include <cstdint>
#include <random>
#include <string>

namespace fastio::testing {

inline std::string randomBytes(std::mt19937_64& rng, size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n;) {
    uint64_t r = rng();
    for (int b = 0; b < 8 && i < n; ++b, ++i) {
      s[i] = static_cast<char>(r & 0xFF);
      r >>= 8;
    }
  }
  return s;
}

}  // namespace fastio::testing
