#include "client/http/ClientFactory.h"

#include <cstdlib>

#include "client/auth/TokenFile.h"

namespace fastio::http {

Result<std::string> resolveApiUrl(const std::string& flag) {
  std::string apiUrl = flag;
  if (apiUrl.empty()) {
    const char* env = std::getenv("FASTIO_BASE_URL");
    apiUrl = (env != nullptr && *env != '\0') ? env : kDefaultApiUrl;
  }
  while (!apiUrl.empty() && apiUrl.back() == '/') apiUrl.pop_back();
  const bool http = apiUrl.rfind("http://", 0) == 0 && apiUrl.size() > 7;
  const bool https = apiUrl.rfind("https://", 0) == 0 && apiUrl.size() > 8;
  if (!http && !https) {
    return makeError(ErrorCode::kInvalid,
                     "API URL must start with http:// or https:// (got \"" + apiUrl + "\")");
  }
  return apiUrl;
}

Result<std::unique_ptr<auth::TokenProvider>> resolveTokenProvider(HttpTransport& transport,
                                                                  const std::string& apiUrl,
                                                                  const std::string& tokenFile) {
  if (const char* key = std::getenv("FASTIO_API_KEY"); key != nullptr && *key != '\0') {
    return std::unique_ptr<auth::TokenProvider>(std::make_unique<auth::StaticTokenProvider>(key));
  }
  const std::string path = tokenFile.empty() ? auth::defaultTokenFilePath() : tokenFile;
  Result<auth::TokenSet> tokens = auth::loadTokenFile(path);
  if (!tokens.ok()) {
    if (tokens.error().code == ErrorCode::kNotFound) {
      return makeError(ErrorCode::kUnauthenticated,
                       "no credentials: set FASTIO_API_KEY, pass --token-file FILE, or run "
                       "`fastiofs login` (looked for " +
                           path + ")");
    }
    return tokens.error();
  }
  if (tokens->refreshToken.empty()) {
    return std::unique_ptr<auth::TokenProvider>(
        std::make_unique<auth::StaticTokenProvider>(tokens->accessToken));
  }
  const std::string clientId = tokens->clientId.empty() ? auth::kDefaultClientId : tokens->clientId;
  auto oauth = std::make_unique<auth::OAuthClient>(transport, apiUrl, clientId);
  return std::unique_ptr<auth::TokenProvider>(std::make_unique<auth::RefreshingTokenProvider>(
      std::move(tokens).value(), std::move(oauth), path));
}

Result<std::unique_ptr<Client>> connectClient(ClientConfig config) {
  FASTIO_TRY_ASSIGN(std::string apiUrl, resolveApiUrl(config.apiUrl));
  auto transport = std::make_unique<CurlTransport>(config.transportOptions);
  FASTIO_TRY_ASSIGN(std::unique_ptr<auth::TokenProvider> tokens,
                    resolveTokenProvider(*transport, apiUrl, config.tokenFile));
  config.storeOptions.apiUrl = apiUrl;
  auto store = std::make_unique<HttpRemoteStore>(*transport, *tokens, config.storeOptions);
  return std::make_unique<Client>(std::move(transport), std::move(tokens), std::move(store));
}

}  // namespace fastio::http
