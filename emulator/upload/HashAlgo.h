#pragma once
// The hash algorithms an upload may declare (GET /upload/algos/), and a streaming hasher so
// chunk bytes are hashed as they arrive instead of being held in memory.

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/Result.h"

namespace fastio::emu {

enum class HashAlgo { kMd5, kSha1, kSha256, kSha384 };

// Case-insensitive; nullopt for anything not in supportedHashAlgos().
std::optional<HashAlgo> parseHashAlgo(std::string_view name);
std::string_view hashAlgoName(HashAlgo algo);
const std::vector<HashAlgo>& supportedHashAlgos();

class StreamingHasher {
 public:
  explicit StreamingHasher(HashAlgo algo);
  ~StreamingHasher();
  StreamingHasher(const StreamingHasher&) = delete;
  StreamingHasher& operator=(const StreamingHasher&) = delete;

  void update(const void* data, std::size_t len);
  // Lower-case hex digest; the hasher cannot be updated afterwards.
  std::string finishHex();
  HashAlgo algo() const { return algo_; }

 private:
  struct Ctx;
  HashAlgo algo_;
  std::unique_ptr<Ctx> ctx_;
};

// Hex digest of a whole file, read in blocks.
Result<std::string> hashFileHex(const std::filesystem::path& path, HashAlgo algo);

// Compares a client-supplied hex digest with ours, ignoring case and surrounding blanks.
bool hexDigestEquals(std::string_view expected, std::string_view actual);

}  // namespace fastio::emu
