#include "client/auth/OAuthClient.h"

#include "client/wire/ErrorMapping.h"
#include "client/wire/JsonReading.h"
#include "client/wire/UrlEncoding.h"
#include "client/wire/WireDecoder.h"
#include "common/ContentDigest.h"
#include "common/Encoding.h"
#include "common/RandomToken.h"

namespace fastio::auth {

using http::FormFields;

PkcePair makePkcePair() {
  PkcePair p;
  p.verifier = randomUrlToken(32).valueOr("");
  p.challenge = pkceChallengeFor(p.verifier);
  return p;
}

std::string pkceChallengeFor(const std::string& verifier) {
  return base64UrlEncode(digestRaw(HashAlgorithm::kSha256, verifier));
}

OAuthClient::OAuthClient(http::HttpTransport& transport, std::string apiUrl, std::string clientId,
                         const Clock& clock)
    : transport_(transport),
      apiUrl_(std::move(apiUrl)),
      clientId_(std::move(clientId)),
      clock_(clock) {}

std::string OAuthClient::browserUrlFor(const std::string& authRequestId) const {
  // scheme://host[:port] of the API URL.
  const auto schemeEnd = apiUrl_.find("://");
  const auto hostEnd = apiUrl_.find('/', schemeEnd == std::string::npos ? 0 : schemeEnd + 3);
  const std::string origin = apiUrl_.substr(0, hostEnd);
  const std::string query =
      FormFields().add("auth_request_id", authRequestId).add("display_code", "true").encode();
  if (origin == "https://api.fast.io") return "https://go.fast.io/connect?" + query;
  return origin + "/connect?" + query;
}

Result<AuthorizationStart> OAuthClient::startAuthorization(Deadline deadline) {
  AuthorizationStart start;
  start.pkce = makePkcePair();
  start.state = randomUrlToken(16).valueOr("");
  if (start.pkce.verifier.empty() || start.state.empty()) {
    return makeError(ErrorCode::kInternal, "no secure random source for the PKCE verifier");
  }
  http::HttpRequest req;
  req.method = http::HttpMethod::kGet;
  req.url = http::joinUrl(apiUrl_, "/oauth/authorize/",
                          FormFields()
                              .add("client_id", clientId_)
                              .add("response_type", "code")
                              .add("code_challenge", start.pkce.challenge)
                              .add("code_challenge_method", "S256")
                              .add("state", start.state)
                              .add("redirect_uri", kRedirectUri)
                              .add("response_format", "json"));
  req.logName = "GET /oauth/authorize/";
  FASTIO_TRY_ASSIGN(http::HttpResponse resp, transport_.perform(req, deadline));
  FASTIO_TRY_ASSIGN(http::Json payload, http::decodeEnvelope(resp, req.logName));
  start.authRequestId = http::textOr(http::firstMember(payload, {"auth_request_id", "id"}));
  if (start.authRequestId.empty()) {
    return makeError(ErrorCode::kProtocol, "authorization answer without auth_request_id");
  }
  start.browserUrl = browserUrlFor(start.authRequestId);
  start.approvedCode = http::textOr(http::member(payload, "code"));
  if (start.approvedCode.empty() && http::asBool(http::member(payload, "approved")) == true) {
    // Approved at once (the emulator's auto-approve): fetch the code the page would show.
    http::HttpRequest codeReq;
    codeReq.url = http::joinUrl(apiUrl_, "/oauth/authorize/code/",
                                FormFields().add("auth_request_id", start.authRequestId));
    codeReq.logName = "GET /oauth/authorize/code/";
    FASTIO_TRY_ASSIGN(http::HttpResponse codeResp, transport_.perform(codeReq, deadline));
    FASTIO_TRY_ASSIGN(http::Json codePayload, http::decodeEnvelope(codeResp, codeReq.logName));
    start.approvedCode = http::textOr(http::member(codePayload, "code"));
  }
  return start;
}

Result<TokenSet> OAuthClient::tokenRequest(const std::string& form, Deadline deadline) {
  http::HttpRequest req;
  req.method = http::HttpMethod::kPost;
  req.url = http::joinUrl(apiUrl_, "/oauth/token/");
  req.body = form;
  req.contentType = "application/x-www-form-urlencoded";
  req.logName = "POST /oauth/token/";
  FASTIO_TRY_ASSIGN(http::HttpResponse resp, transport_.perform(req, deadline));
  if (!resp.success()) {
    // OAuth errors: {"error":"invalid_grant","error_description":"..."} or the envelope.
    Result<http::Json> body = http::parseJson(resp.body, req.logName);
    if (body.ok() && body->is_object()) {
      const http::Json* err = http::member(*body, "error");
      if (err != nullptr && err->is_string()) {
        Error e = makeError(
            resp.status == 400 || resp.status == 401 ? ErrorCode::kUnauthenticated
                                                     : http::classifyHttpStatus(resp.status),
            "token request refused: " +
                http::sanitiseServerText(err->get<std::string>() + " " +
                                         http::textOr(http::member(*body, "error_description"))));
        e.httpStatus = resp.status;
        return e;
      }
    }
    return http::errorFromResponse(resp, req.logName);
  }
  FASTIO_TRY_ASSIGN(http::Json parsed, http::parseJson(resp.body, req.logName));
  FASTIO_TRY_ASSIGN(http::Json payload, http::unwrapEnvelope(parsed, resp.status, req.logName));
  TokenSet tokens;
  tokens.accessToken = http::textOr(http::member(payload, "access_token"));
  if (tokens.accessToken.empty()) {
    return makeError(ErrorCode::kProtocol, "token answer without access_token");
  }
  tokens.refreshToken = http::textOr(http::member(payload, "refresh_token"));
  if (auto expiresIn = http::asUint(http::member(payload, "expires_in"))) {
    tokens.expiresAt = clock_.wallNow() + std::chrono::seconds(*expiresIn);
  }
  tokens.apiUrl = apiUrl_;
  tokens.clientId = clientId_;
  return tokens;
}

Result<TokenSet> OAuthClient::exchangeCode(const AuthorizationStart& start, const std::string& code,
                                           Deadline deadline) {
  return tokenRequest(FormFields()
                          .add("grant_type", "authorization_code")
                          .add("code", code)
                          .add("code_verifier", start.pkce.verifier)
                          .add("client_id", clientId_)
                          .add("redirect_uri", kRedirectUri)
                          .add("device_name", "fastiofs")
                          .encode(),
                      deadline);
}

Result<TokenSet> OAuthClient::refresh(const std::string& refreshToken, Deadline deadline) {
  Result<TokenSet> fresh = tokenRequest(FormFields()
                                            .add("grant_type", "refresh_token")
                                            .add("refresh_token", refreshToken)
                                            .add("client_id", clientId_)
                                            .encode(),
                                        deadline);
  // The server may not rotate refresh tokens: keep the one we had.
  if (fresh.ok() && fresh->refreshToken.empty()) fresh->refreshToken = refreshToken;
  return fresh;
}

}  // namespace fastio::auth
