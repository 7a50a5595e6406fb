#pragma once
// The token file: JSON {"access_token", "refresh_token", "expires_at", "api_url", "client_id"}
// or a bare token on one line. It must be a regular file owned by the user and not readable by
// group or others; it is written atomically with mode 0600 in a 0700 directory.

#include <string>

#include "client/auth/TokenSet.h"
#include "common/Result.h"

namespace fastio::auth {

// $XDG_CONFIG_HOME/fastiofs/token.json, else $HOME/.config/fastiofs/token.json.
std::string defaultTokenFilePath();

Result<TokenSet> loadTokenFile(const std::string& path);
Status saveTokenFile(const std::string& path, const TokenSet& tokens);

}  // namespace fastio::auth
