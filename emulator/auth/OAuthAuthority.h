#pragma once
// The emulator's OAuth 2.0 authorization server (fastio-api.md §2.3), enough for a headless
// PKCE login: authorization requests (10 min), single-use codes (5 min), access tokens
// (3600 s, handed to an AccessTokenRegistry that the bearer check consults) and refresh tokens
// (30 days, rotated on every use, kept on disk only as SHA-256 hashes). No HTTP in here.
//
// Requests are approved as the emulator's single user, either at once (auto-approve) or by an
// authenticated approve() call (the consent step). Thread-safe.

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <variant>

#include "common/Clock.h"
#include "common/Result.h"

namespace fastio::emu {

// What the bearer check accepts besides the static token (backed by State::tokens()).
class AccessTokenRegistry {
 public:
  virtual ~AccessTokenRegistry() = default;
  virtual Status registerToken(const std::string& token, std::int64_t expiresUs) = 0;
  virtual Status revokeToken(const std::string& token) = 0;
};

// An RFC 6749 §5.2 error: {"error": error, "error_description": description} with httpStatus.
struct OAuthError {
  std::string error;  // invalid_request, invalid_grant, unsupported_grant_type, ...
  std::string description;
  int httpStatus = 400;
};

template <typename T>
using OAuthResult = std::variant<T, OAuthError>;

struct AuthorizeParams {
  std::string clientId;
  std::string responseType;
  std::string codeChallenge;
  std::string codeChallengeMethod;
  std::string state;
  std::string redirectUri;
  std::string scope;
};

struct AuthorizationCode {
  std::string code;
  std::string state;
  std::string redirectUri;
};

struct TokenGrant {
  std::string accessToken;
  std::string refreshToken;
  int expiresIn = 0;
  std::string scope;
};

struct OAuthConfig {
  bool autoApprove = false;
  int requestTtlSec = 600;
  int codeTtlSec = 300;
  int accessTtlSec = 3600;
  int refreshTtlSec = 30 * 24 * 3600;
  std::filesystem::path stateFile;  // refresh-token hashes; empty = memory only
};

class OAuthAuthority {
 public:
  OAuthAuthority(Clock& clock, AccessTokenRegistry& tokens, OAuthConfig config);

  // Loads persisted refresh tokens (a missing file is fine; a corrupt one is an error).
  Status load();

  // GET /oauth/authorize/: validates and returns the auth_request_id.
  OAuthResult<std::string> authorize(const AuthorizeParams& params);
  // The consent step: the signed-in user approves the request.
  OAuthResult<AuthorizationCode> approve(const std::string& authRequestId);
  // The code the user would paste (authorization_pending until approved).
  OAuthResult<AuthorizationCode> codeFor(const std::string& authRequestId);

  // POST /oauth/token/ grant_type=authorization_code. A reused code fails and revokes the
  // tokens it had issued (RFC 6749 §4.1.2).
  OAuthResult<TokenGrant> exchangeCode(const std::string& code, const std::string& verifier,
                                       const std::string& clientId, const std::string& redirectUri);
  // grant_type=refresh_token: the presented token is spent, a new pair is returned.
  OAuthResult<TokenGrant> refresh(const std::string& refreshToken, const std::string& clientId);
  // RFC 7009: revoking an unknown token is not an error.
  void revoke(const std::string& token);

  bool autoApprove() const { return config_.autoApprove; }

 private:
  struct Request {
    AuthorizeParams params;
    std::int64_t expires = 0;
    std::optional<std::string> code;
  };
  struct CodeGrant {
    std::string requestId;
    std::string clientId;
    std::string challenge;
    std::string redirectUri;
    std::string scope;
    std::int64_t expires = 0;
    bool used = false;
    std::string issuedAccess;  // for revocation on reuse
    std::string issuedRefreshHash;
  };
  struct RefreshRecord {
    std::string clientId;
    std::string scope;
    std::int64_t expires = 0;
  };

  std::int64_t now() const;
  void pruneLocked();
  OAuthResult<AuthorizationCode> issueCodeLocked(const std::string& requestId, Request& request);
  OAuthResult<TokenGrant> mintLocked(const std::string& clientId, const std::string& scope,
                                     std::string* refreshHashOut);
  Status saveLocked();

  Clock& clock_;
  AccessTokenRegistry& tokens_;
  OAuthConfig config_;
  std::mutex mu_;
  std::map<std::string, Request> requests_;
  std::map<std::string, CodeGrant> codes_;
  std::map<std::string, RefreshRecord> refreshByHash_;
};

}  // namespace fastio::emu
