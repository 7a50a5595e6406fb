#include "emulator/auth/OAuthAuthority.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/ContentDigest.h"
#include "common/FdIo.h"
#include "common/Log.h"
#include "common/RandomToken.h"
#include "emulator/auth/Pkce.h"

namespace fastio::emu {

namespace fs = std::filesystem;

namespace {

OAuthError invalidRequest(std::string text) {
  return OAuthError{"invalid_request", std::move(text), 400};
}
OAuthError invalidGrant(std::string text) {
  return OAuthError{"invalid_grant", std::move(text), 400};
}
OAuthError serverError(const Error& e) {
  return OAuthError{"server_error", e.message, 500};
}

bool looksLikeChallenge(const std::string& c) {
  // base64url of a SHA-256 digest: exactly 43 characters of the URL-safe alphabet.
  return c.size() == 43 && isValidCodeVerifier(c);
}

// Refresh tokens are kept, on disk too, by their hash only.
std::string refreshTokenHash(std::string_view token) {
  return digestHex(HashAlgorithm::kSha256, token);
}

}  // namespace

OAuthAuthority::OAuthAuthority(Clock& clock, AccessTokenRegistry& tokens, OAuthConfig config)
    : clock_(clock), tokens_(tokens), config_(std::move(config)) {}

std::int64_t OAuthAuthority::now() const {
  return std::chrono::duration_cast<std::chrono::seconds>(clock_.wallNow().time_since_epoch())
      .count();
}

Status OAuthAuthority::load() {
  if (config_.stateFile.empty() || !fs::exists(config_.stateFile)) return okStatus();
  std::ifstream in(config_.stateFile);
  nlohmann::json json = nlohmann::json::parse(in, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    return makeError(ErrorCode::kProtocol, config_.stateFile.string() + " is not valid JSON");
  }
  std::lock_guard lock(mu_);
  try {
    const nlohmann::json tokens = json.value("refresh_tokens", nlohmann::json::object());
    for (const auto& [hash, rec] : tokens.items()) {
      refreshByHash_[hash] =
          RefreshRecord{rec.at("client_id").get<std::string>(), rec.at("scope").get<std::string>(),
                        rec.at("expires").get<std::int64_t>()};
    }
  } catch (const std::exception& e) {
    return makeError(ErrorCode::kProtocol,
                     config_.stateFile.string() + " has a malformed entry: " + e.what());
  }
  pruneLocked();
  return okStatus();
}

Status OAuthAuthority::saveLocked() {
  if (config_.stateFile.empty()) return okStatus();
  nlohmann::json tokens = nlohmann::json::object();
  for (const auto& [hash, rec] : refreshByHash_) {
    tokens[hash] = {{"client_id", rec.clientId}, {"scope", rec.scope}, {"expires", rec.expires}};
  }
  std::string text = nlohmann::json{{"refresh_tokens", tokens}}.dump();
  std::error_code ec;
  fs::create_directories(config_.stateFile.parent_path(), ec);
  fs::path tmp = config_.stateFile;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return makeError(ErrorCode::kIo, "cannot write " + tmp.string());
  bool ok = fdio::writeAll(fd, text).ok() && ::fdatasync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), config_.stateFile.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return makeError(ErrorCode::kIo,
                     "cannot save " + config_.stateFile.string() + ": " + std::strerror(errno));
  }
  return okStatus();
}

void OAuthAuthority::pruneLocked() {
  std::int64_t t = now();
  std::erase_if(requests_, [t](const auto& kv) { return kv.second.expires <= t; });
  std::erase_if(codes_, [t](const auto& kv) { return kv.second.expires <= t; });
  std::erase_if(refreshByHash_, [t](const auto& kv) { return kv.second.expires <= t; });
}

OAuthResult<std::string> OAuthAuthority::authorize(const AuthorizeParams& p) {
  if (p.clientId.empty()) return invalidRequest("client_id is required");
  if (p.responseType != "code") {
    return OAuthError{"unsupported_response_type", "response_type must be code", 400};
  }
  if (p.codeChallenge.empty()) return invalidRequest("code_challenge is required (PKCE)");
  if (p.codeChallengeMethod != "S256") {
    return invalidRequest("code_challenge_method must be S256 (the only method supported)");
  }
  if (!looksLikeChallenge(p.codeChallenge)) {
    return invalidRequest("code_challenge must be the 43-character base64url SHA-256 digest");
  }
  if (!p.redirectUri.empty() && p.redirectUri.find("://") == std::string::npos) {
    return invalidRequest("redirect_uri must be an absolute URI");
  }
  auto id = randomUrlToken(18);
  if (!id.ok()) return serverError(id.error());
  std::lock_guard lock(mu_);
  pruneLocked();
  Request request{p, now() + config_.requestTtlSec, std::nullopt};
  if (request.params.scope.empty()) request.params.scope = "user";
  auto [it, inserted] = requests_.emplace(*id, std::move(request));
  if (config_.autoApprove) {
    auto code = issueCodeLocked(it->first, it->second);
    if (auto* err = std::get_if<OAuthError>(&code)) return *err;
  }
  return *id;
}

OAuthResult<AuthorizationCode> OAuthAuthority::issueCodeLocked(const std::string& requestId,
                                                               Request& request) {
  if (!request.code) {
    auto code = randomUrlToken(32);
    if (!code.ok()) return serverError(code.error());
    const AuthorizeParams& p = request.params;
    codes_[*code] = CodeGrant{requestId,     p.clientId, p.codeChallenge,
                              p.redirectUri, p.scope,    now() + config_.codeTtlSec,
                              false,         {},         {}};
    request.code = *code;
  }
  return AuthorizationCode{*request.code, request.params.state, request.params.redirectUri};
}

OAuthResult<AuthorizationCode> OAuthAuthority::approve(const std::string& authRequestId) {
  std::lock_guard lock(mu_);
  pruneLocked();
  auto it = requests_.find(authRequestId);
  if (it == requests_.end()) {
    return OAuthError{"invalid_request", "unknown or expired auth_request_id", 404};
  }
  return issueCodeLocked(it->first, it->second);
}

OAuthResult<AuthorizationCode> OAuthAuthority::codeFor(const std::string& authRequestId) {
  std::lock_guard lock(mu_);
  pruneLocked();
  auto it = requests_.find(authRequestId);
  if (it == requests_.end()) {
    return OAuthError{"invalid_request", "unknown or expired auth_request_id", 404};
  }
  if (!it->second.code) {
    return OAuthError{"authorization_pending", "the request has not been approved yet", 400};
  }
  return AuthorizationCode{*it->second.code, it->second.params.state,
                           it->second.params.redirectUri};
}

OAuthResult<TokenGrant> OAuthAuthority::mintLocked(const std::string& clientId,
                                                   const std::string& scope,
                                                   std::string* refreshHashOut) {
  auto access = randomUrlToken(32);
  auto refreshToken = randomUrlToken(32);
  if (!access.ok()) return serverError(access.error());
  if (!refreshToken.ok()) return serverError(refreshToken.error());
  std::int64_t t = now();
  Status registered = tokens_.registerToken(*access, (t + config_.accessTtlSec) * 1000000LL);
  if (!registered.ok()) return serverError(registered.error());
  std::string hash = refreshTokenHash(*refreshToken);
  refreshByHash_[hash] = RefreshRecord{clientId, scope, t + config_.refreshTtlSec};
  Status saved = saveLocked();
  if (!saved.ok()) {
    refreshByHash_.erase(hash);
    (void)tokens_.revokeToken(*access);
    return serverError(saved.error());
  }
  if (refreshHashOut) *refreshHashOut = hash;
  return TokenGrant{*access, *refreshToken, config_.accessTtlSec, scope};
}

OAuthResult<TokenGrant> OAuthAuthority::exchangeCode(const std::string& code,
                                                     const std::string& verifier,
                                                     const std::string& clientId,
                                                     const std::string& redirectUri) {
  if (code.empty()) return invalidRequest("code is required");
  if (verifier.empty()) return invalidRequest("code_verifier is required (PKCE)");
  if (!isValidCodeVerifier(verifier)) {
    return invalidRequest("code_verifier must be 43-128 characters of [A-Za-z0-9-._~]");
  }
  std::lock_guard lock(mu_);
  pruneLocked();
  auto it = codes_.find(code);
  if (it == codes_.end()) return invalidGrant("the authorization code is unknown or expired");
  CodeGrant& grant = it->second;
  if (grant.used) {
    // A replayed code: whoever holds it may be an attacker, so what it bought is revoked.
    if (!grant.issuedAccess.empty()) (void)tokens_.revokeToken(grant.issuedAccess);
    if (refreshByHash_.erase(grant.issuedRefreshHash) > 0) (void)saveLocked();
    FASTIO_LOG_WARN("oauth: an authorization code was presented twice; its tokens are revoked");
    return invalidGrant("the authorization code was already used");
  }
  if (!clientId.empty() && clientId != grant.clientId) {
    return invalidGrant("client_id does not match the authorization request");
  }
  if (!grant.redirectUri.empty() && redirectUri != grant.redirectUri) {
    return invalidGrant("redirect_uri does not match the authorization request");
  }
  if (!verifyS256(verifier, grant.challenge)) {
    return invalidGrant("code_verifier does not match the code_challenge");
  }
  std::string refreshHash;
  auto minted = mintLocked(grant.clientId, grant.scope, &refreshHash);
  if (auto* tokens = std::get_if<TokenGrant>(&minted)) {
    grant.used = true;
    grant.issuedAccess = tokens->accessToken;
    grant.issuedRefreshHash = refreshHash;
    requests_.erase(grant.requestId);
  }
  return minted;
}

OAuthResult<TokenGrant> OAuthAuthority::refresh(const std::string& refreshToken,
                                                const std::string& clientId) {
  if (refreshToken.empty()) return invalidRequest("refresh_token is required");
  std::lock_guard lock(mu_);
  pruneLocked();
  auto it = refreshByHash_.find(refreshTokenHash(refreshToken));
  if (it == refreshByHash_.end()) {
    return invalidGrant("the refresh token is unknown, expired, revoked or already used");
  }
  if (!clientId.empty() && clientId != it->second.clientId) {
    return invalidGrant("client_id does not match the refresh token");
  }
  RefreshRecord record = it->second;
  refreshByHash_.erase(it);  // rotation: every refresh token works once
  auto minted = mintLocked(record.clientId, record.scope, nullptr);
  if (std::holds_alternative<OAuthError>(minted)) {
    // Nothing was issued: keep the old one.
    refreshByHash_[refreshTokenHash(refreshToken)] = record;
  }
  return minted;
}

void OAuthAuthority::revoke(const std::string& token) {
  if (token.empty()) return;
  std::lock_guard lock(mu_);
  if (refreshByHash_.erase(refreshTokenHash(token)) > 0) {
    (void)saveLocked();
  } else {
    (void)tokens_.revokeToken(token);  // maybe an access token
  }
}

}  // namespace fastio::emu
