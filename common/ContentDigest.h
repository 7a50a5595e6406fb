#pragma once
// Content hashes (OpenSSL EVP) by the service's algorithm names: md5, sha1, sha256, sha384
// (fastio-api.md §6.1), streaming or in one call. Used for upload hashes, to tell whether a
// node's content is ours, and for PKCE.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/Result.h"

namespace fastio {

enum class HashAlgorithm { kMd5, kSha1, kSha256, kSha384 };

// Case-insensitive, surrounding blanks ignored; nullopt for a name the service does not accept.
std::optional<HashAlgorithm> parseHashAlgorithm(std::string_view name);
std::string_view hashAlgorithmName(HashAlgorithm algorithm);
const std::vector<HashAlgorithm>& supportedHashAlgorithms();

class ContentDigest {
 public:
  explicit ContentDigest(HashAlgorithm algorithm);
  // nullopt for an algorithm name it does not know.
  static std::optional<ContentDigest> create(std::string_view algorithm);

  void update(std::string_view bytes);
  // Finish the digest (call one of them, once): lower-case hex, or the raw bytes.
  std::string hex();
  std::string raw();
  HashAlgorithm algorithm() const { return algorithm_; }

 private:
  struct Context;
  HashAlgorithm algorithm_;
  std::shared_ptr<Context> context_;
};

std::string digestHex(HashAlgorithm algorithm, std::string_view bytes);
std::string digestRaw(HashAlgorithm algorithm, std::string_view bytes);
// The hex digest of a whole file, read in 1 MiB pieces.
Result<std::string> fileDigestHex(const std::filesystem::path& path, HashAlgorithm algorithm);

// Whether a hex digest someone sent matches ours, ignoring case and surrounding blanks.
bool hexDigestsMatch(std::string_view claimed, std::string_view computed);

}  // namespace fastio
