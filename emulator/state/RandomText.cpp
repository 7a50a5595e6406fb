#include "emulator/state/RandomText.h"

#include <mutex>
#include <random>

#include "common/Encoding.h"

namespace fastio::emu {

namespace {

std::mutex gRngMu;

std::mt19937_64& rngLocked() {
  static std::mt19937_64 rng{std::random_device{}()};
  return rng;
}

}  // namespace

std::string randomHex(int bytes) {
  std::lock_guard lock(gRngMu);
  auto& rng = rngLocked();
  std::string raw;
  for (int i = 0; i < bytes; ++i) raw.push_back(static_cast<char>(rng() & 0xFF));
  return hexLower(raw);
}

std::string randomDigits(int count) {
  std::lock_guard lock(gRngMu);
  auto& rng = rngLocked();
  std::uniform_int_distribution<int> digit(0, 9);
  std::string out;
  out.push_back(static_cast<char>('1' + digit(rng) % 9));
  while (static_cast<int>(out.size()) < count) out.push_back(static_cast<char>('0' + digit(rng)));
  return out;
}

}  // namespace fastio::emu
