#include "emulator/upload/HashAlgo.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>

namespace fastio::emu {

namespace {

const EVP_MD* evpFor(HashAlgo algo) {
  switch (algo) {
    case HashAlgo::kMd5:
      return EVP_md5();
    case HashAlgo::kSha1:
      return EVP_sha1();
    case HashAlgo::kSha256:
      return EVP_sha256();
    case HashAlgo::kSha384:
      return EVP_sha384();
  }
  return EVP_sha256();
}

std::string_view trimBlanks(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

struct StreamingHasher::Ctx {
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  ~Ctx() { EVP_MD_CTX_free(md); }
};

std::optional<HashAlgo> parseHashAlgo(std::string_view name) {
  std::string lower;
  for (char c : trimBlanks(name))
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (HashAlgo algo : supportedHashAlgos()) {
    if (lower == hashAlgoName(algo)) return algo;
  }
  return std::nullopt;
}

std::string_view hashAlgoName(HashAlgo algo) {
  switch (algo) {
    case HashAlgo::kMd5:
      return "md5";
    case HashAlgo::kSha1:
      return "sha1";
    case HashAlgo::kSha256:
      return "sha256";
    case HashAlgo::kSha384:
      return "sha384";
  }
  return "sha256";
}

const std::vector<HashAlgo>& supportedHashAlgos() {
  static const std::vector<HashAlgo> algos{HashAlgo::kMd5, HashAlgo::kSha1, HashAlgo::kSha256,
                                           HashAlgo::kSha384};
  return algos;
}

StreamingHasher::StreamingHasher(HashAlgo algo) : algo_(algo), ctx_(std::make_unique<Ctx>()) {
  EVP_DigestInit_ex(ctx_->md, evpFor(algo), nullptr);
}

StreamingHasher::~StreamingHasher() = default;

void StreamingHasher::update(const void* data, std::size_t len) {
  if (len > 0) EVP_DigestUpdate(ctx_->md, data, len);
}

std::string StreamingHasher::finishHex() {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx_->md, digest.data(), &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

Result<std::string> hashFileHex(const std::filesystem::path& path, HashAlgo algo) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return makeError(ErrorCode::kIo, "cannot open " + path.string() + ": " + std::strerror(errno));
  }
  StreamingHasher hasher(algo);
  std::vector<char> buf(1 << 20);
  while (true) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return makeError(ErrorCode::kIo, "cannot read " + path.string() + ": " + std::strerror(err));
    }
    if (n == 0) break;
    hasher.update(buf.data(), static_cast<std::size_t>(n));
  }
  ::close(fd);
  return hasher.finishHex();
}

bool hexDigestEquals(std::string_view expected, std::string_view actual) {
  expected = trimBlanks(expected);
  if (expected.size() != actual.size()) return false;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(expected[i])) !=
        std::tolower(static_cast<unsigned char>(actual[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace fastio::emu
