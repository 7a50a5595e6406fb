#include "common/ContentDigest.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <new>

#include "common/Encoding.h"
#include "common/FdIo.h"

namespace fastio {
namespace {

const EVP_MD* evpDigest(HashAlgorithm algorithm) {
  switch (algorithm) {
    case HashAlgorithm::kMd5:
      return EVP_md5();
    case HashAlgorithm::kSha1:
      return EVP_sha1();
    case HashAlgorithm::kSha256:
      return EVP_sha256();
    case HashAlgorithm::kSha384:
      return EVP_sha384();
  }
  return EVP_sha256();
}

std::string_view trimBlanks(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool equalIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<HashAlgorithm> parseHashAlgorithm(std::string_view name) {
  name = trimBlanks(name);
  for (HashAlgorithm algorithm : supportedHashAlgorithms()) {
    if (equalIgnoringCase(name, hashAlgorithmName(algorithm))) return algorithm;
  }
  return std::nullopt;
}

std::string_view hashAlgorithmName(HashAlgorithm algorithm) {
  switch (algorithm) {
    case HashAlgorithm::kMd5:
      return "md5";
    case HashAlgorithm::kSha1:
      return "sha1";
    case HashAlgorithm::kSha256:
      return "sha256";
    case HashAlgorithm::kSha384:
      return "sha384";
  }
  return "sha256";
}

const std::vector<HashAlgorithm>& supportedHashAlgorithms() {
  static const std::vector<HashAlgorithm> kAll{HashAlgorithm::kMd5, HashAlgorithm::kSha1,
                                               HashAlgorithm::kSha256, HashAlgorithm::kSha384};
  return kAll;
}

struct ContentDigest::Context {
  EVP_MD_CTX* ctx = nullptr;
  ~Context() { EVP_MD_CTX_free(ctx); }
};

ContentDigest::ContentDigest(HashAlgorithm algorithm)
    : algorithm_(algorithm), context_(std::make_shared<Context>()) {
  context_->ctx = EVP_MD_CTX_new();
  if (context_->ctx == nullptr ||
      EVP_DigestInit_ex(context_->ctx, evpDigest(algorithm), nullptr) != 1) {
    throw std::bad_alloc();  // OpenSSL fails here only when it cannot allocate
  }
}

std::optional<ContentDigest> ContentDigest::create(std::string_view algorithm) {
  const std::optional<HashAlgorithm> known = parseHashAlgorithm(algorithm);
  if (!known) return std::nullopt;
  return ContentDigest(*known);
}

void ContentDigest::update(std::string_view bytes) {
  if (!bytes.empty()) EVP_DigestUpdate(context_->ctx, bytes.data(), bytes.size());
}

std::string ContentDigest::raw() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(context_->ctx, digest, &length);
  return std::string(reinterpret_cast<const char*>(digest), length);
}

std::string ContentDigest::hex() {
  return hexLower(raw());
}

std::string digestRaw(HashAlgorithm algorithm, std::string_view bytes) {
  ContentDigest digest(algorithm);
  digest.update(bytes);
  return digest.raw();
}

std::string digestHex(HashAlgorithm algorithm, std::string_view bytes) {
  return hexLower(digestRaw(algorithm, bytes));
}

Result<std::string> fileDigestHex(const std::filesystem::path& path, HashAlgorithm algorithm) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return makeError(ErrorCode::kIo, "cannot open " + path.string() + ": " + std::strerror(errno));
  }
  ContentDigest digest(algorithm);
  std::string buffer(1 << 20, '\0');
  for (;;) {
    const ssize_t n = fdio::readOnce(fd, buffer.data(), buffer.size());
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return makeError(ErrorCode::kIo, "cannot read " + path.string() + ": " + std::strerror(err));
    }
    if (n == 0) break;
    digest.update(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
  }
  ::close(fd);
  return digest.hex();
}

bool hexDigestsMatch(std::string_view claimed, std::string_view computed) {
  return equalIgnoringCase(trimBlanks(claimed), computed);
}

}  // namespace fastio
