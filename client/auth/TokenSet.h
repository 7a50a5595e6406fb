#pragma once
// Credentials as stored on disk: an API key (access token only) or an OAuth token set.

#include <optional>
#include <string>

#include "client/Types.h"

namespace fastio::auth {

struct TokenSet {
  std::string accessToken;
  std::string refreshToken;           // empty for API keys
  std::optional<WallTime> expiresAt;  // empty: does not expire (API key) or unknown
  std::string apiUrl;                 // the API the token was issued for (informational)
  std::string clientId;               // OAuth client id used for refreshes
};

}  // namespace fastio::auth
