#include "emulator/auth/Pkce.h"

#include <openssl/crypto.h>

#include "common/ContentDigest.h"
#include "common/Encoding.h"

namespace fastio::emu {

bool isValidCodeVerifier(std::string_view verifier) {
  if (verifier.size() < 43 || verifier.size() > 128) return false;
  for (char c : verifier) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.' || c == '_' || c == '~';
    if (!ok) return false;
  }
  return true;
}

std::string s256Challenge(std::string_view verifier) {
  return base64UrlEncode(digestRaw(HashAlgorithm::kSha256, verifier));
}

bool verifyS256(std::string_view verifier, std::string_view challenge) {
  std::string computed = s256Challenge(verifier);
  return computed.size() == challenge.size() &&
         CRYPTO_memcmp(computed.data(), challenge.data(), computed.size()) == 0;
}

}  // namespace fastio::emu
