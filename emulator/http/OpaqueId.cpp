#include "emulator/http/OpaqueId.h"

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <random>

namespace fastio::emu {

namespace {

constexpr std::string_view kAlphabet = "0123456789abcdefghjkmnpqrstvwxyz";  // Crockford base32

std::string checkChars(std::string_view body) {
  std::uint32_t sum = 0;
  for (char c : body) sum = (sum * 31 + static_cast<unsigned char>(c)) % 1024;
  return {kAlphabet[sum / 32], kAlphabet[sum % 32]};
}

}  // namespace

std::string newOpaqueId(char prefix) {
  static std::mutex mu;
  static std::mt19937_64 rng{std::random_device{}()};
  std::array<std::uint8_t, 16> bytes{};
  auto secs = static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                             std::chrono::system_clock::now().time_since_epoch())
                                             .count());
  for (int i = 0; i < 4; ++i) bytes[i] = static_cast<std::uint8_t>(secs >> (24 - 8 * i));
  {
    std::lock_guard lock(mu);
    std::uint64_t a = rng();
    std::uint64_t b = rng();
    for (int i = 0; i < 8; ++i) bytes[4 + i] = static_cast<std::uint8_t>(a >> (8 * i));
    for (int i = 0; i < 4; ++i) bytes[12 + i] = static_cast<std::uint8_t>(b >> (8 * i));
  }
  // 128 bits -> 26 base32 characters (the top 2 bits of the first character are zero).
  std::string body;
  body.reserve(26);
  int bitPos = -2;  // virtual leading zero bits so that 130 bits split evenly
  for (int i = 0; i < 26; ++i) {
    int value = 0;
    for (int b = 0; b < 5; ++b, ++bitPos) {
      int bit = 0;
      if (bitPos >= 0) bit = (bytes[bitPos / 8] >> (7 - bitPos % 8)) & 1;
      value = (value << 1) | bit;
    }
    body.push_back(kAlphabet[value]);
  }
  std::string id(1, prefix);
  id += body;
  id += checkChars(id);
  return id;
}

std::optional<std::string> normalizeOpaqueId(std::string_view id) {
  std::string out;
  out.reserve(id.size());
  for (char c : id) {
    if (c == '-') continue;
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    bool digit = c >= '0' && c <= '9';
    bool lower = c >= 'a' && c <= 'z';
    if (!digit && !lower) return std::nullopt;
    out.push_back(c);
  }
  if (out.size() < 20 || out.size() > 40) return std::nullopt;
  return out;
}

std::string displayOpaqueId(std::string_view normalized) {
  std::string out;
  for (std::size_t i = 0; i < normalized.size(); ++i) {
    if (i > 0 && i % 5 == 0) out.push_back('-');
    out.push_back(normalized[i]);
  }
  return out;
}

}  // namespace fastio::emu
