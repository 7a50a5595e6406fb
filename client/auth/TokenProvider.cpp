#include "client/auth/TokenProvider.h"

#include "client/auth/TokenFile.h"
#include "common/Log.h"

namespace fastio::auth {

Result<std::string> StaticTokenProvider::refreshAfterRejection(const std::string&, Deadline) {
  return makeError(
      ErrorCode::kUnauthenticated,
      "the server rejected the API token; check FASTIO_API_KEY or run `fastiofs login`");
}

RefreshingTokenProvider::RefreshingTokenProvider(TokenSet tokens,
                                                 std::unique_ptr<OAuthClient> oauth,
                                                 std::string tokenFile, const Clock& clock)
    : tokens_(std::move(tokens)),
      oauth_(std::move(oauth)),
      tokenFile_(std::move(tokenFile)),
      clock_(clock) {}

Result<std::string> RefreshingTokenProvider::bearer(Deadline deadline) {
  std::lock_guard lock(mu_);
  const bool expiring =
      tokens_.expiresAt && clock_.wallNow() + kRefreshMargin >= *tokens_.expiresAt;
  if (expiring && !tokens_.refreshToken.empty()) {
    Result<std::string> fresh = refreshLocked(deadline);
    if (fresh.ok()) return fresh;
    // Still valid for a few minutes: use it, the next call tries the refresh again.
    if (clock_.wallNow() < *tokens_.expiresAt) {
      FASTIO_LOG_WARN("token refresh failed, using the current token: {}",
                      fresh.error().describe());
      return tokens_.accessToken;
    }
    return fresh.error();
  }
  return tokens_.accessToken;
}

Result<std::string> RefreshingTokenProvider::refreshAfterRejection(const std::string& rejected,
                                                                   Deadline deadline) {
  std::lock_guard lock(mu_);
  if (tokens_.accessToken != rejected) return tokens_.accessToken;  // already refreshed
  if (tokens_.refreshToken.empty()) {
    return makeError(
        ErrorCode::kUnauthenticated,
        "the server rejected the token and there is no refresh token; run `fastiofs login`");
  }
  return refreshLocked(deadline);
}

Result<std::string> RefreshingTokenProvider::refreshLocked(Deadline deadline) {
  Result<TokenSet> fresh = oauth_->refresh(tokens_.refreshToken, deadline);
  if (!fresh.ok()) {
    Error e = fresh.error();
    e.message = "token refresh failed (" + e.message + "); run `fastiofs login`";
    if (e.code == ErrorCode::kInvalid) e.code = ErrorCode::kUnauthenticated;
    return e;
  }
  fresh->clientId = tokens_.clientId.empty() ? fresh->clientId : tokens_.clientId;
  if (fresh->apiUrl.empty()) fresh->apiUrl = tokens_.apiUrl;
  tokens_ = std::move(fresh).value();
  if (!tokenFile_.empty()) {
    Status saved = saveTokenFile(tokenFile_, tokens_);
    if (!saved.ok())
      FASTIO_LOG_WARN("could not save the refreshed token: {}", saved.error().describe());
  }
  FASTIO_LOG_INFO("access token refreshed");
  return tokens_.accessToken;
}

}  // namespace fastio::auth
