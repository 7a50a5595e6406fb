// OAuth 2.0 + PKCE for a headless login (fastio-api.md §2.3); the engine is
// emulator/auth/OAuthAuthority. Routes:
//   GET  /.well-known/oauth-authorization-server/   RFC 8414 metadata (host root, no auth)
//   GET  /current/oauth/authorize/                  start: {auth_request_id} (no auth)
//   POST /current/oauth/authorize/                  consent by the signed-in user (Bearer)
//   GET  /current/oauth/authorize/code/             the code the user would paste (no auth)
//   POST /current/oauth/token/                      authorization_code / refresh_token grants
//   POST /current/oauth/revoke/                     RFC 7009 revocation
// /token/ and /revoke/ answer plain OAuth JSON (no envelope); errors are RFC 6749 §5.2 objects.

#include <memory>

#include "common/Encoding.h"
#include "common/Log.h"
#include "emulator/ApiCodes.h"
#include "emulator/EmulatorContext.h"
#include "emulator/auth/OAuthAuthority.h"
#include "emulator/http/ApiResponse.h"
#include "emulator/routes/RouteRegistry.h"

namespace fastio::emu {

namespace {

using httplib::Request;
using httplib::Response;

class StateTokenRegistry final : public AccessTokenRegistry {
 public:
  explicit StateTokenRegistry(State& state) : state_(state) {}
  Status registerToken(const std::string& token, std::int64_t expiresUs) override {
    return state_.tokens().add(token, expiresUs);
  }
  Status revokeToken(const std::string& token) override { return state_.tokens().revoke(token); }

 private:
  State& state_;
};

struct OAuthService {
  explicit OAuthService(EmulatorContext& ctx)
      : registry(ctx.state),
        authority(RealClock::instance(), registry,
                  OAuthConfig{.autoApprove = ctx.config.oauthAutoApprove,
                              .stateFile = ctx.config.dataDir / "oauth" / "refresh_tokens.json"}) {}
  StateTokenRegistry registry;
  OAuthAuthority authority;
};
using ServicePtr = std::shared_ptr<OAuthService>;

void sendOAuthJson(Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_header("Pragma", "no-cache");
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "application/json");
}

void sendOAuthError(Response& res, const OAuthError& e) {
  sendOAuthJson(res, e.httpStatus, {{"error", e.error}, {"error_description", e.description}});
}

// The API-envelope error for the authorize routes (they are ordinary API routes).
void sendEnvelopeError(Response& res, const OAuthError& e) {
  http::sendError(res, e.httpStatus == 400 ? 406 : e.httpStatus,
                  e.httpStatus == 404 ? code::kNotFound : code::kInvalidInput, e.description,
                  {{"error_code", e.error}});
}

nlohmann::json codeJson(const AuthorizationCode& c) {
  return {{"code", c.code}, {"state", c.state}, {"redirect_uri", c.redirectUri}};
}

std::string baseUrl(const Request& req) {
  std::string host = req.get_header_value("Host");
  if (host.empty()) host = "127.0.0.1";
  return "http://" + host;
}

nlohmann::json serverMetadata(const Request& req) {
  const std::string base = baseUrl(req);
  const std::string api = base + kApiPrefix;
  return {{"issuer", base},
          {"authorization_endpoint", api + "/oauth/authorize/"},
          {"token_endpoint", api + "/oauth/token/"},
          {"revocation_endpoint", api + "/oauth/revoke/"},
          {"response_types_supported", {"code"}},
          {"grant_types_supported", {"authorization_code", "refresh_token"}},
          {"code_challenge_methods_supported", {"S256"}},
          {"token_endpoint_auth_methods_supported", {"none"}},
          {"scopes_supported",
           {"user", "org", "workspace", "all_orgs", "all_workspaces", "all_shares",
            "all_sign_envelopes"}}};
}

nlohmann::json protectedResourceMetadata(const Request& req) {
  return {{"resource", baseUrl(req) + kApiPrefix},
          {"authorization_servers", {baseUrl(req)}},
          {"bearer_methods_supported", {"header"}}};
}

void handleAuthorize(const ServicePtr& svc, const Request& req, Response& res) {
  http::Form f(req);
  AuthorizeParams p{f.getOr("client_id", ""),      f.getOr("response_type", ""),
                    f.getOr("code_challenge", ""), f.getOr("code_challenge_method", ""),
                    f.getOr("state", ""),          f.getOr("redirect_uri", ""),
                    f.getOr("scope", "")};
  auto started = svc->authority.authorize(p);
  if (auto* err = std::get_if<OAuthError>(&started)) return sendEnvelopeError(res, *err);
  const std::string& id = std::get<std::string>(started);
  // A browser-style request (no response_format=json) of an approved flow goes straight back to
  // the client's redirect_uri, as the consent page would send it.
  if (f.getOr("response_format", "") != "json" && svc->authority.autoApprove() &&
      !p.redirectUri.empty()) {
    auto code = svc->authority.codeFor(id);
    if (auto* c = std::get_if<AuthorizationCode>(&code)) {
      std::string sep = p.redirectUri.find('?') == std::string::npos ? "?" : "&";
      res.set_redirect(p.redirectUri + sep + "code=" + percentEncode(c->code) +
                           "&state=" + percentEncode(c->state),
                       302);
      return;
    }
  }
  http::sendOk(res, {{"auth_request_id", id}, {"approved", svc->authority.autoApprove()}});
}

void handleToken(const ServicePtr& svc, const Request& req, Response& res) {
  http::Form f(req);
  std::string grant = f.getOr("grant_type", "");
  OAuthResult<TokenGrant> result = OAuthError{};
  if (grant == "authorization_code") {
    result = svc->authority.exchangeCode(f.getOr("code", ""), f.getOr("code_verifier", ""),
                                         f.getOr("client_id", ""), f.getOr("redirect_uri", ""));
  } else if (grant == "refresh_token") {
    result = svc->authority.refresh(f.getOr("refresh_token", ""), f.getOr("client_id", ""));
  } else if (grant.empty()) {
    result = OAuthError{"invalid_request", "grant_type is required", 400};
  } else {
    result = OAuthError{"unsupported_grant_type",
                        "grant_type must be authorization_code or refresh_token", 400};
  }
  if (auto* err = std::get_if<OAuthError>(&result)) return sendOAuthError(res, *err);
  const TokenGrant& t = std::get<TokenGrant>(result);
  sendOAuthJson(res, 200,
                {{"access_token", t.accessToken},
                 {"token_type", "Bearer"},
                 {"expires_in", t.expiresIn},
                 {"refresh_token", t.refreshToken},
                 {"scope", t.scope}});
}

bool startsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

void registerRoutes(EmulatorContext& ctx) {
  auto svc = std::make_shared<OAuthService>(ctx);
  if (Status loaded = svc->authority.load(); !loaded.ok()) {
    FASTIO_LOG_WARN("oauth: refresh tokens not restored: {}", loaded.error().describe());
  }
  const std::string oauth = std::string(kApiPrefix) + "/oauth/";
  // Everything under /oauth/ is reachable without a token except the consent step.
  ctx.auth.allowAnonymous([oauth](const Request& req) {
    if (!startsWith(req.path, oauth)) return false;
    return !(req.method == "POST" && req.path == oauth + "authorize/");
  });

  auto& server = ctx.server;
  for (const char* path :
       {"/.well-known/oauth-authorization-server/", "/.well-known/oauth-authorization-server"}) {
    server.Get(path, [](const Request& req, Response& res) {
      sendOAuthJson(res, 200, serverMetadata(req));
    });
  }
  for (const char* path :
       {"/.well-known/oauth-protected-resource/", "/.well-known/oauth-protected-resource"}) {
    server.Get(path, [](const Request& req, Response& res) {
      sendOAuthJson(res, 200, protectedResourceMetadata(req));
    });
  }
  server.Get(oauth + "authorize/",
             [svc](const Request& req, Response& res) { handleAuthorize(svc, req, res); });
  server.Post(oauth + "authorize/", [svc](const Request& req, Response& res) {
    auto approved = svc->authority.approve(http::Form(req).getOr("auth_request_id", ""));
    if (auto* err = std::get_if<OAuthError>(&approved)) return sendEnvelopeError(res, *err);
    http::sendOk(res, codeJson(std::get<AuthorizationCode>(approved)));
  });
  server.Get(oauth + "authorize/code/", [svc](const Request& req, Response& res) {
    auto code = svc->authority.codeFor(http::Form(req).getOr("auth_request_id", ""));
    if (auto* err = std::get_if<OAuthError>(&code)) return sendEnvelopeError(res, *err);
    http::sendOk(res, codeJson(std::get<AuthorizationCode>(code)));
  });
  server.Post(oauth + "token/",
              [svc](const Request& req, Response& res) { handleToken(svc, req, res); });
  server.Post(oauth + "revoke/", [svc](const Request& req, Response& res) {
    svc->authority.revoke(http::Form(req).getOr("token", ""));
    sendOAuthJson(res, 200, nlohmann::json::object());
  });
}

const RouteRegistrar registrar{"oauth", registerRoutes};

}  // namespace

}  // namespace fastio::emu
