#pragma once
// OAuth 2.0 authorization-code flow with PKCE (S256), as the headless CLI does it
// (fastio-api.md §2.3): start → the user approves in a browser and pastes a code → exchange.
// Also the refresh grant. Token endpoints answer plain OAuth JSON, not the envelope.

#include <string>

#include "client/auth/TokenSet.h"
#include "client/wire/HttpTransport.h"
#include "common/Clock.h"
#include "common/Deadline.h"
#include "common/Result.h"

namespace fastio::auth {

inline constexpr const char* kDefaultClientId = "fastiofs";
inline constexpr const char* kRedirectUri = "http://localhost:19836/callback";

struct PkcePair {
  std::string verifier;   // 43 chars from 32 random bytes
  std::string challenge;  // base64url(sha256(verifier))
};
PkcePair makePkcePair();
std::string pkceChallengeFor(const std::string& verifier);

struct AuthorizationStart {
  std::string authRequestId;
  std::string state;
  PkcePair pkce;
  std::string browserUrl;    // where the user approves and gets a code to paste back
  std::string approvedCode;  // set when the server approved at once (emulator auto-approve)
};

class OAuthClient {
 public:
  OAuthClient(http::HttpTransport& transport, std::string apiUrl,
              std::string clientId = kDefaultClientId, const Clock& clock = RealClock::instance());

  Result<AuthorizationStart> startAuthorization(Deadline deadline);
  Result<TokenSet> exchangeCode(const AuthorizationStart& start, const std::string& code,
                                Deadline deadline);
  Result<TokenSet> refresh(const std::string& refreshToken, Deadline deadline);

  // The approval page for an authorization request: go.fast.io for the real API, the API's own
  // origin otherwise (the emulator serves it).
  std::string browserUrlFor(const std::string& authRequestId) const;

 private:
  Result<TokenSet> tokenRequest(const std::string& form, Deadline deadline);

  http::HttpTransport& transport_;
  std::string apiUrl_;
  std::string clientId_;
  const Clock& clock_;
};

}  // namespace fastio::auth
