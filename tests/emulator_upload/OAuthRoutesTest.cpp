// OAuth 2.0 + PKCE over real HTTP against an emulator started with --oauth-auto-approve.
#include "emulator/auth/Pkce.h"
#include "tests/emulator_upload/UploadHttpFixture.h"

namespace fastio::emu::testing {
namespace {

constexpr char kRedirect[] = "http://127.0.0.1:19836/callback";

class OAuthRoutesTest : public UploadHttpTest {
 protected:
  std::string verifier = "pkce-verifier-0123456789-abcdefghijklmnopqrstuvwxyz";

  // authorize (response_format=json) then read the code the user would paste.
  std::string obtainCode() {
    Reply started =
        get("/current/oauth/authorize/?client_id=fastiofs&response_type=code"
            "&code_challenge=" +
            s256Challenge(verifier) + "&code_challenge_method=S256&state=s123&redirect_uri=" +
            httplib::detail::encode_query_param(kRedirect) + "&response_format=json");
    EXPECT_EQ(started.status, 200) << started.body;
    std::string id = started.json.value("auth_request_id", "");
    EXPECT_FALSE(id.empty());
    Reply code = get("/current/oauth/authorize/code/?auth_request_id=" + id);
    EXPECT_EQ(code.status, 200) << code.body;
    EXPECT_EQ(code.json["state"], "s123");
    return code.json.value("code", "");
  }
  Reply exchange(const std::string& code, const std::string& codeVerifier) {
    return anonymousPost("/current/oauth/token/", {{"grant_type", "authorization_code"},
                                                   {"code", code},
                                                   {"code_verifier", codeVerifier},
                                                   {"client_id", "fastiofs"},
                                                   {"redirect_uri", kRedirect}});
  }
  Reply refresh(const std::string& refreshToken) {
    return anonymousPost("/current/oauth/token/", {{"grant_type", "refresh_token"},
                                                   {"refresh_token", refreshToken},
                                                   {"client_id", "fastiofs"}});
  }
  Reply anonymousPost(const std::string& path, const httplib::Params& form) {
    httplib::Client c("127.0.0.1", emulator->port());
    auto res = c.Post(path.c_str(), form);
    Reply r;
    if (!res) return r;
    r.status = res->status;
    r.body = res->body;
    r.json = nlohmann::json::parse(res->body, nullptr, false);
    return r;
  }
  int statusWithToken(const std::string& bearer) {
    httplib::Client c("127.0.0.1", emulator->port());
    auto res = c.Get("/current/user/auth/check/", {{"Authorization", "Bearer " + bearer}});
    return res ? res->status : 0;
  }
};

TEST_F(OAuthRoutesTest, PkceLoginIssuesAWorkingToken) {
  Reply tokens = exchange(obtainCode(), verifier);
  ASSERT_EQ(tokens.status, 200) << tokens.body;
  EXPECT_FALSE(tokens.json.contains("result"));  // plain OAuth JSON, no envelope
  EXPECT_EQ(tokens.json["token_type"], "Bearer");
  EXPECT_EQ(tokens.json["expires_in"], 3600);
  EXPECT_TRUE(tokens.json["scope"].is_string());
  std::string access = tokens.json["access_token"];
  EXPECT_EQ(statusWithToken(access), 200);
  EXPECT_EQ(statusWithToken("not-a-token"), 401);
}

TEST_F(OAuthRoutesTest, WrongVerifierIsInvalidGrant) {
  Reply tokens = exchange(obtainCode(), std::string(50, 'w'));
  EXPECT_EQ(tokens.status, 400) << tokens.body;
  EXPECT_EQ(tokens.json["error"], "invalid_grant");
}

TEST_F(OAuthRoutesTest, ACodeWorksOnceAndItsReplayRevokesTheTokens) {
  std::string code = obtainCode();
  Reply first = exchange(code, verifier);
  ASSERT_EQ(first.status, 200) << first.body;
  Reply again = exchange(code, verifier);
  EXPECT_EQ(again.status, 400);
  EXPECT_EQ(again.json["error"], "invalid_grant");
  EXPECT_EQ(statusWithToken(first.json["access_token"]), 401);
}

TEST_F(OAuthRoutesTest, RefreshRotatesAndTheNewTokenWorks) {
  Reply tokens = exchange(obtainCode(), verifier);
  ASSERT_EQ(tokens.status, 200);
  std::string oldRefresh = tokens.json["refresh_token"];
  Reply refreshed = refresh(oldRefresh);
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  EXPECT_NE(refreshed.json["refresh_token"], oldRefresh);
  EXPECT_EQ(statusWithToken(refreshed.json["access_token"]), 200);
  Reply reused = refresh(oldRefresh);
  EXPECT_EQ(reused.status, 400);
  EXPECT_EQ(reused.json["error"], "invalid_grant");
}

TEST_F(OAuthRoutesTest, TokensSurviveARestart) {
  Reply tokens = exchange(obtainCode(), verifier);
  ASSERT_EQ(tokens.status, 200);
  crashAndRestart();
  EXPECT_EQ(statusWithToken(tokens.json["access_token"]), 200);
  EXPECT_EQ(refresh(tokens.json["refresh_token"]).status, 200);
}

TEST_F(OAuthRoutesTest, BadRequestsAreOAuthErrors) {
  EXPECT_EQ(anonymousPost("/current/oauth/token/", {{"grant_type", "password"}}).json["error"],
            "unsupported_grant_type");
  EXPECT_EQ(anonymousPost("/current/oauth/token/", {}).json["error"], "invalid_request");
  EXPECT_EQ(exchange("no-such-code", verifier).json["error"], "invalid_grant");
  Reply plain =
      get("/current/oauth/authorize/?client_id=x&response_type=code&code_challenge=" + verifier +
          "&code_challenge_method=plain&response_format=json");
  EXPECT_EQ(plain.status, 406) << plain.body;
  EXPECT_EQ(get("/current/oauth/authorize/code/?auth_request_id=nope").status, 404);
}

TEST_F(OAuthRoutesTest, WithoutAutoApproveTheSignedInUserApproves) {
  fastio::testing::EmulatorOptions options;
  options.token = "consent-token";
  fastio::testing::EmulatorProcess manual(options);
  httplib::Client anonymous("127.0.0.1", manual.port());
  auto started = anonymous.Get(("/current/oauth/authorize/?client_id=fastiofs&response_type=code"
                                "&code_challenge=" +
                                s256Challenge(verifier) +
                                "&code_challenge_method=S256&state=m&response_format=json")
                                   .c_str());
  ASSERT_TRUE(started);
  ASSERT_EQ(started->status, 200) << started->body;
  auto startedJson = nlohmann::json::parse(started->body);
  EXPECT_EQ(startedJson["approved"], false);
  std::string id = startedJson["auth_request_id"];
  auto pending = anonymous.Get(("/current/oauth/authorize/code/?auth_request_id=" + id).c_str());
  ASSERT_TRUE(pending);
  EXPECT_EQ(pending->status, 406) << pending->body;
  EXPECT_NE(pending->body.find("authorization_pending"), std::string::npos);
  // The consent step needs a signed-in user.
  auto refused =
      anonymous.Post("/current/oauth/authorize/", httplib::Params{{"auth_request_id", id}});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401);
  auto approved =
      manual.client()->Post("/current/oauth/authorize/", httplib::Params{{"auth_request_id", id}});
  ASSERT_TRUE(approved);
  ASSERT_EQ(approved->status, 200) << approved->body;
  std::string code = nlohmann::json::parse(approved->body)["code"];
  auto tokens =
      anonymous.Post("/current/oauth/token/", httplib::Params{{"grant_type", "authorization_code"},
                                                              {"code", code},
                                                              {"code_verifier", verifier},
                                                              {"client_id", "fastiofs"}});
  ASSERT_TRUE(tokens);
  EXPECT_EQ(tokens->status, 200) << tokens->body;
}

TEST_F(OAuthRoutesTest, MetadataLivesAtTheHostRoot) {
  Reply meta = get("/.well-known/oauth-authorization-server/");
  ASSERT_EQ(meta.status, 200) << meta.body;
  EXPECT_EQ(meta.json["code_challenge_methods_supported"], nlohmann::json({"S256"}));
  std::string tokenEndpoint = meta.json["token_endpoint"];
  EXPECT_NE(tokenEndpoint.find("/current/oauth/token/"), std::string::npos);
}

TEST_F(OAuthRoutesTest, BrowserStyleAuthorizeRedirectsWithTheCode) {
  httplib::Client c("127.0.0.1", emulator->port());
  auto res = c.Get(("/current/oauth/authorize/?client_id=fastiofs&response_type=code"
                    "&code_challenge=" +
                    s256Challenge(verifier) + "&code_challenge_method=S256&state=zz&redirect_uri=" +
                    httplib::detail::encode_query_param(kRedirect))
                       .c_str());
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 302);
  std::string location = res->get_header_value("Location");
  EXPECT_EQ(location.rfind(kRedirect, 0), 0u) << location;
  auto at = location.find("code=");
  ASSERT_NE(at, std::string::npos);
  std::string code = location.substr(at + 5, location.find('&', at) - at - 5);
  EXPECT_EQ(exchange(code, verifier).status, 200);
}

}  // namespace
}  // namespace fastio::emu::testing
