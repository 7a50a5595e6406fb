#pragma once
// Where the bearer token comes from. HttpRemoteStore asks before each request and once more
// after a 401. A static provider serves an API key; the refreshing provider serves an OAuth
// token, refreshes it about 5 minutes before it expires (and after a 401) and saves the new set.

#include <memory>
#include <mutex>
#include <string>

#include "client/auth/OAuthClient.h"
#include "client/auth/TokenSet.h"
#include "common/Clock.h"
#include "common/Deadline.h"
#include "common/Result.h"

namespace fastio::auth {

class TokenProvider {
 public:
  virtual ~TokenProvider() = default;
  virtual Result<std::string> bearer(Deadline deadline) = 0;
  // After a 401 for `rejected`: a different token to try once, or the final error.
  virtual Result<std::string> refreshAfterRejection(const std::string& rejected,
                                                    Deadline deadline) = 0;
};

class StaticTokenProvider final : public TokenProvider {
 public:
  explicit StaticTokenProvider(std::string token) : token_(std::move(token)) {}
  Result<std::string> bearer(Deadline) override { return token_; }
  Result<std::string> refreshAfterRejection(const std::string&, Deadline) override;

 private:
  std::string token_;
};

class RefreshingTokenProvider final : public TokenProvider {
 public:
  // tokenFile empty: refreshed tokens are kept in memory only.
  RefreshingTokenProvider(TokenSet tokens, std::unique_ptr<OAuthClient> oauth,
                          std::string tokenFile, const Clock& clock = RealClock::instance());

  Result<std::string> bearer(Deadline deadline) override;
  Result<std::string> refreshAfterRejection(const std::string& rejected,
                                            Deadline deadline) override;

  static constexpr std::chrono::minutes kRefreshMargin{5};

 private:
  Result<std::string> refreshLocked(Deadline deadline);

  std::mutex mu_;  // held across the refresh call so concurrent callers refresh once
  TokenSet tokens_;
  std::unique_ptr<OAuthClient> oauth_;
  std::string tokenFile_;
  const Clock& clock_;
};

}  // namespace fastio::auth
