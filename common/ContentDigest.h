#pragma once
// A streaming content hash (OpenSSL EVP) by the service's algorithm names: md5, sha1, sha256,
// sha384 (fastio-api.md §6.1). Used to tell whether a node's content is ours.

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace fastio {

class ContentDigest {
 public:
  // nullopt for an algorithm name it does not know.
  static std::optional<ContentDigest> create(std::string_view algorithm);
  void update(std::string_view bytes);
  // Lower-case hex; finishes the digest (call once).
  std::string hex();

 private:
  struct Context;
  explicit ContentDigest(std::shared_ptr<Context> context) : context_(std::move(context)) {}
  std::shared_ptr<Context> context_;
};

}  // namespace fastio
