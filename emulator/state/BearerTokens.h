#pragma once
// The bearer tokens the API accepts: the static --token API key (never expires, in memory) and
// extra tokens such as OAuth access tokens (valid until their expiry, persisted in the tokens
// table). Checked on every API request, so the check never waits for a write: the static token
// sits behind a shared_mutex (checks share it), persisted tokens are read on a pooled reader.

#include <cstdint>
#include <shared_mutex>
#include <string>

#include "common/Result.h"
#include "emulator/state/StateDb.h"

namespace fastio::emu {

class BearerTokens {
 public:
  explicit BearerTokens(StateDb& db) : db_(db) {}

  void setStatic(const std::string& token);
  // Valid until expiresUs (microseconds since the epoch); replaces an earlier expiry.
  Status add(const std::string& token, std::int64_t expiresUs);
  Status revoke(const std::string& token);
  bool isValid(const std::string& token) const;

 private:
  StateDb& db_;
  mutable std::shared_mutex staticMu_;
  std::string staticToken_;
};

}  // namespace fastio::emu
