#include "fs/cli/LoginCommand.h"

#include <iostream>
#include <string>

#include "client/auth/OAuthClient.h"
#include "client/auth/TokenFile.h"
#include "client/auth/TokenProvider.h"
#include "client/http/ClientFactory.h"

namespace fastio::cli {
namespace {

int runLogin(const GlobalOptions& g) {
  Result<std::string> apiUrl = http::resolveApiUrl(g.apiUrl);
  if (!apiUrl.ok()) return fail(apiUrl.error().describe());
  const std::string tokenFile = g.tokenFile.empty() ? auth::defaultTokenFilePath() : g.tokenFile;

  http::CurlTransport transport;
  auth::OAuthClient oauth(transport, *apiUrl);
  const Deadline deadline = Deadline::after(std::chrono::minutes(1));
  Result<auth::AuthorizationStart> start = oauth.startAuthorization(deadline);
  if (!start.ok()) return fail("login could not start: " + start.error().describe());

  std::string code = start->approvedCode;
  if (code.empty()) {
    std::cerr << "Open this address in a browser, approve the access, and paste the code it "
                 "shows:\n\n  "
              << start->browserUrl << "\n\nCode: " << std::flush;
    if (!std::getline(std::cin, code)) return fail("no code was entered");
    while (!code.empty() && (code.back() == '\r' || code.back() == ' ')) code.pop_back();
    while (!code.empty() && code.front() == ' ') code.erase(0, 1);
    if (code.empty()) return fail("no code was entered");
  }
  Result<auth::TokenSet> tokens =
      oauth.exchangeCode(*start, code, Deadline::after(std::chrono::minutes(1)));
  if (!tokens.ok()) return fail("login failed: " + tokens.error().describe());
  Status saved = auth::saveTokenFile(tokenFile, *tokens);
  if (!saved.ok()) return fail(saved.error().describe());

  // Confirm the token works, with the same rules every command uses.
  auth::StaticTokenProvider provider(tokens->accessToken);
  http::HttpRemoteStoreOptions options;
  options.apiUrl = *apiUrl;
  http::HttpRemoteStore store(transport, provider, options);
  Result<UserInfo> me = store.currentUser(Deadline::after(std::chrono::seconds(30)));
  std::cout << "Logged in";
  if (me.ok() && !me->email.empty()) std::cout << " as " << me->email;
  std::cout << "; token saved to " << tokenFile << std::endl;
  if (!me.ok()) std::cerr << "fastiofs: warning: " << me.error().describe() << std::endl;
  return 0;
}

}  // namespace

void registerLoginCommand(CommandSet& commands) {
  GlobalOptions& g = commands.global();
  commands.add("login", "sign in with OAuth (PKCE) and store the token (mode 0600)",
               [&g] { return runLogin(g); });
}

}  // namespace fastio::cli
