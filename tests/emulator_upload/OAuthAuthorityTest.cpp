// The OAuth authority without HTTP: PKCE, code lifetime and reuse, refresh rotation, persistence.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "common/Clock.h"
#include "common/Encoding.h"
#include "emulator/auth/OAuthAuthority.h"
#include "emulator/auth/Pkce.h"
#include "tests/support/TempDir.h"

namespace fastio::emu {
namespace {

namespace fs = std::filesystem;

class FakeRegistry : public AccessTokenRegistry {
 public:
  Status registerToken(const std::string& token, std::int64_t expiresUs) override {
    valid[token] = expiresUs;
    return okStatus();
  }
  Status revokeToken(const std::string& token) override {
    valid.erase(token);
    return okStatus();
  }
  std::map<std::string, std::int64_t> valid;
};

template <typename T>
const T& ok(const OAuthResult<T>& r) {
  if (const auto* err = std::get_if<OAuthError>(&r)) {
    ADD_FAILURE() << err->error << ": " << err->description;
    static T empty{};
    return empty;
  }
  return std::get<T>(r);
}

template <typename T>
std::string errorOf(const OAuthResult<T>& r) {
  const auto* err = std::get_if<OAuthError>(&r);
  return err ? err->error : "no error";
}

class OAuthAuthorityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config.autoApprove = true;
    config.stateFile = dir.path() / "oauth.json";
    authority = std::make_unique<OAuthAuthority>(clock, registry, config);
  }

  AuthorizeParams params() {
    return AuthorizeParams{"fastiofs", "code",  s256Challenge(verifier),
                           "S256",     "st4te", "http://127.0.0.1:19836/callback",
                           ""};
  }
  std::string code() {
    std::string id = ok(authority->authorize(params()));
    return ok(authority->codeFor(id)).code;
  }

  const std::string verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
  FakeClock clock;
  FakeRegistry registry;
  OAuthConfig config;
  fastio::testing::TempDir dir{"oauth-test"};
  std::unique_ptr<OAuthAuthority> authority;
};

TEST(PkceTest, MatchesTheRfc7636Example) {
  EXPECT_EQ(s256Challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  EXPECT_TRUE(verifyS256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
                         "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
  EXPECT_FALSE(isValidCodeVerifier("short"));
  EXPECT_FALSE(isValidCodeVerifier(std::string(43, '+')));
  EXPECT_EQ(base64UrlEncode("ab"), "YWI");
}

TEST_F(OAuthAuthorityTest, HappyPathIssuesRegisteredTokens) {
  std::string id = ok(authority->authorize(params()));
  AuthorizationCode c = ok(authority->codeFor(id));
  EXPECT_EQ(c.state, "st4te");
  TokenGrant t =
      ok(authority->exchangeCode(c.code, verifier, "fastiofs", "http://127.0.0.1:19836/callback"));
  EXPECT_EQ(t.expiresIn, 3600);
  EXPECT_EQ(t.scope, "user");
  EXPECT_TRUE(registry.valid.count(t.accessToken));
  EXPECT_NE(t.accessToken, t.refreshToken);
}

TEST_F(OAuthAuthorityTest, WrongVerifierIsInvalidGrant) {
  std::string other = std::string(43, 'a');
  EXPECT_EQ(errorOf(authority->exchangeCode(code(), other, "fastiofs",
                                            "http://127.0.0.1:19836/callback")),
            "invalid_grant");
}

TEST_F(OAuthAuthorityTest, ReusedCodeFailsAndRevokesWhatItIssued) {
  std::string c = code();
  TokenGrant t =
      ok(authority->exchangeCode(c, verifier, "fastiofs", "http://127.0.0.1:19836/callback"));
  EXPECT_EQ(
      errorOf(authority->exchangeCode(c, verifier, "fastiofs", "http://127.0.0.1:19836/callback")),
      "invalid_grant");
  EXPECT_FALSE(registry.valid.count(t.accessToken));
  EXPECT_EQ(errorOf(authority->refresh(t.refreshToken, "fastiofs")), "invalid_grant");
}

TEST_F(OAuthAuthorityTest, CodesExpireAfterFiveMinutes) {
  std::string c = code();
  clock.advance(std::chrono::seconds(301));
  EXPECT_EQ(
      errorOf(authority->exchangeCode(c, verifier, "fastiofs", "http://127.0.0.1:19836/callback")),
      "invalid_grant");
}

TEST_F(OAuthAuthorityTest, RefreshRotatesTheToken) {
  TokenGrant t =
      ok(authority->exchangeCode(code(), verifier, "fastiofs", "http://127.0.0.1:19836/callback"));
  TokenGrant t2 = ok(authority->refresh(t.refreshToken, "fastiofs"));
  EXPECT_NE(t2.accessToken, t.accessToken);
  EXPECT_NE(t2.refreshToken, t.refreshToken);
  EXPECT_TRUE(registry.valid.count(t2.accessToken));
  EXPECT_EQ(errorOf(authority->refresh(t.refreshToken, "fastiofs")), "invalid_grant");
  EXPECT_EQ(errorOf(authority->refresh(t2.refreshToken, "someone-else")), "invalid_grant");
}

TEST_F(OAuthAuthorityTest, RefreshTokensSurviveARestartAsHashesOnly) {
  TokenGrant t =
      ok(authority->exchangeCode(code(), verifier, "fastiofs", "http://127.0.0.1:19836/callback"));
  std::ifstream in(config.stateFile);
  std::string onDisk((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(onDisk.find(t.refreshToken), std::string::npos);
  EXPECT_EQ(fs::status(config.stateFile).permissions() & fs::perms::group_read, fs::perms::none);
  auto restarted = std::make_unique<OAuthAuthority>(clock, registry, config);
  ASSERT_TRUE(restarted->load().ok());
  ok(restarted->refresh(t.refreshToken, "fastiofs"));
}

TEST_F(OAuthAuthorityTest, RequestsAreValidated) {
  AuthorizeParams p = params();
  p.codeChallengeMethod = "plain";
  EXPECT_EQ(errorOf(authority->authorize(p)), "invalid_request");
  p = params();
  p.responseType = "token";
  EXPECT_EQ(errorOf(authority->authorize(p)), "unsupported_response_type");
  p = params();
  p.clientId.clear();
  EXPECT_EQ(errorOf(authority->authorize(p)), "invalid_request");
  p = params();
  p.codeChallenge = "abc";
  EXPECT_EQ(errorOf(authority->authorize(p)), "invalid_request");
  EXPECT_EQ(errorOf(authority->codeFor("nope")), "invalid_request");
}

TEST_F(OAuthAuthorityTest, WithoutAutoApproveTheCodeWaitsForConsent) {
  config.autoApprove = false;
  authority = std::make_unique<OAuthAuthority>(clock, registry, config);
  std::string id = ok(authority->authorize(params()));
  EXPECT_EQ(errorOf(authority->codeFor(id)), "authorization_pending");
  AuthorizationCode approved = ok(authority->approve(id));
  EXPECT_EQ(ok(authority->codeFor(id)).code, approved.code);
}

TEST_F(OAuthAuthorityTest, RedirectUriMustMatch) {
  EXPECT_EQ(errorOf(authority->exchangeCode(code(), verifier, "fastiofs", "http://evil/")),
            "invalid_grant");
}

}  // namespace
}  // namespace fastio::emu
