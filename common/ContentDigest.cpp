#include "common/ContentDigest.h"

#include <openssl/evp.h>

namespace fastio {

struct ContentDigest::Context {
  EVP_MD_CTX* ctx = nullptr;
  ~Context() { EVP_MD_CTX_free(ctx); }
};

std::optional<ContentDigest> ContentDigest::create(std::string_view algorithm) {
  const EVP_MD* md = nullptr;
  if (algorithm == "md5") {
    md = EVP_md5();
  } else if (algorithm == "sha1") {
    md = EVP_sha1();
  } else if (algorithm == "sha256") {
    md = EVP_sha256();
  } else if (algorithm == "sha384") {
    md = EVP_sha384();
  } else {
    return std::nullopt;
  }
  auto context = std::make_shared<Context>();
  context->ctx = EVP_MD_CTX_new();
  if (context->ctx == nullptr || EVP_DigestInit_ex(context->ctx, md, nullptr) != 1) {
    return std::nullopt;
  }
  return ContentDigest(std::move(context));
}

void ContentDigest::update(std::string_view bytes) {
  EVP_DigestUpdate(context_->ctx, bytes.data(), bytes.size());
}

std::string ContentDigest::hex() {
  unsigned char raw[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(context_->ctx, raw, &length);
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    out += kDigits[raw[i] >> 4];
    out += kDigits[raw[i] & 15];
  }
  return out;
}

}  // namespace fastio
