#pragma once
// Builds the HTTP client the way every command and the mount do: API URL from the flag, else
// FASTIO_BASE_URL, else the public API; token from FASTIO_API_KEY, else the token file (flag or
// the default path), refreshed through OAuth when the file holds a refresh token.

#include <memory>
#include <string>

#include "client/auth/TokenProvider.h"
#include "client/http/CurlTransport.h"
#include "client/http/HttpRemoteStore.h"

namespace fastio::http {

inline constexpr const char* kDefaultApiUrl = "https://api.fast.io/current";

struct ClientConfig {
  std::string apiUrl;                   // empty: FASTIO_BASE_URL, else kDefaultApiUrl
  std::string tokenFile;                // empty: auth::defaultTokenFilePath()
  HttpRemoteStoreOptions storeOptions;  // apiUrl inside is overwritten
  CurlTransportOptions transportOptions;
};

// The API URL to use; refuses anything but http(s)://host/...
Result<std::string> resolveApiUrl(const std::string& flag);

// Owns the transport, the token provider and the store, in the order they must be destroyed.
class Client {
 public:
  Client(std::unique_ptr<CurlTransport> transport, std::unique_ptr<auth::TokenProvider> tokens,
         std::unique_ptr<HttpRemoteStore> store)
      : transport_(std::move(transport)), tokens_(std::move(tokens)), store_(std::move(store)) {}
  HttpRemoteStore& store() { return *store_; }
  CurlTransport& transport() { return *transport_; }

 private:
  std::unique_ptr<CurlTransport> transport_;
  std::unique_ptr<auth::TokenProvider> tokens_;
  std::unique_ptr<HttpRemoteStore> store_;
};

Result<std::unique_ptr<auth::TokenProvider>> resolveTokenProvider(HttpTransport& transport,
                                                                  const std::string& apiUrl,
                                                                  const std::string& tokenFile);

Result<std::unique_ptr<Client>> connectClient(ClientConfig config);

}  // namespace fastio::http
