#include "emulator/state/ContentHasher.h"

#include <openssl/evp.h>

#include <cstdio>
#include <vector>

#include "emulator/ApiCodes.h"

namespace fastio::emu {

struct ContentHasher::Impl {
  EVP_MD_CTX* ctx = nullptr;
  ~Impl() { EVP_MD_CTX_free(ctx); }
};

ContentHasher::ContentHasher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ContentHasher::~ContentHasher() = default;

std::unique_ptr<ContentHasher> ContentHasher::create(std::string_view algo) {
  const EVP_MD* md = nullptr;
  if (algo == "md5") md = EVP_md5();
  if (algo == "sha1") md = EVP_sha1();
  if (algo == "sha256") md = EVP_sha256();
  if (algo == "sha384") md = EVP_sha384();
  if (md == nullptr) return nullptr;
  auto impl = std::make_unique<Impl>();
  impl->ctx = EVP_MD_CTX_new();
  if (impl->ctx == nullptr || EVP_DigestInit_ex(impl->ctx, md, nullptr) != 1) return nullptr;
  return std::unique_ptr<ContentHasher>(new ContentHasher(std::move(impl)));
}

void ContentHasher::update(const void* data, std::size_t size) {
  EVP_DigestUpdate(impl_->ctx, data, size);
}

std::string ContentHasher::hexDigest() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(impl_->ctx, digest, &len);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xF]);
  }
  return out;
}

Result<std::string> ContentHasher::hashFile(const std::filesystem::path& path,
                                            std::string_view algo) {
  auto hasher = create(algo);
  if (!hasher) return invalidInput("unknown hash algorithm");
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return internalError("cannot open " + path.string());
  std::vector<char> buf(1 << 20);
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) hasher->update(buf.data(), n);
  bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) return internalError("cannot read " + path.string());
  return hasher->hexDigest();
}

}  // namespace fastio::emu
