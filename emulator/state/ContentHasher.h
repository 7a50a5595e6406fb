#pragma once
// Streaming content hashes (md5, sha1, sha256, sha384) through OpenSSL EVP, hex output.

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "common/Result.h"

namespace fastio::emu {

class ContentHasher {
 public:
  // nullptr for an unknown algorithm name.
  static std::unique_ptr<ContentHasher> create(std::string_view algo);
  ~ContentHasher();
  ContentHasher(const ContentHasher&) = delete;
  ContentHasher& operator=(const ContentHasher&) = delete;

  void update(const void* data, std::size_t size);
  std::string hexDigest();  // finishes the hash; call once

  // The hash of a whole file, read in 1 MiB pieces.
  static Result<std::string> hashFile(const std::filesystem::path& path, std::string_view algo);

 private:
  struct Impl;
  explicit ContentHasher(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace fastio::emu
