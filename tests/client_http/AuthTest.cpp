// Token file rules (refuse group/other access, 0600 atomic writes, both formats) and PKCE.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "client/auth/OAuthClient.h"
#include "client/auth/TokenFile.h"
#include "tests/support/TempDir.h"

namespace fastio::auth {
namespace {

class TokenFileTest : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& text, mode_t mode) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    ::chmod(path.c_str(), mode);
    return path;
  }
  fastio::testing::TempDir tmp_{"fastio-token-test"};
  std::string dir_ = tmp_.path().string();
};

TEST_F(TokenFileTest, RefusesAFileReadableByOthersAndSaysHowToFixIt) {
  const std::string path = write("t", "abc\n", 0644);
  Result<TokenSet> t = loadTokenFile(path);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, ErrorCode::kDenied);
  EXPECT_NE(t.error().message.find("group or others"), std::string::npos);
  EXPECT_NE(t.error().message.find("chmod 600"), std::string::npos);
  EXPECT_EQ(t.error().message.find("abc"), std::string::npos) << "never echo the token";
  EXPECT_FALSE(loadTokenFile(write("g", "abc", 0640)).ok());
  EXPECT_FALSE(loadTokenFile(write("w", "abc", 0620)).ok());
}

TEST_F(TokenFileTest, ReadsABareTokenOrJson) {
  Result<TokenSet> bare = loadTokenFile(write("bare", "  key-123 \n", 0600));
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->accessToken, "key-123");
  EXPECT_TRUE(bare->refreshToken.empty());
  Result<TokenSet> json = loadTokenFile(write(
      "json", R"({"access_token":"A","refresh_token":"R","expires_at":1767225600,"client_id":"c"})",
      0400));
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(json->refreshToken, "R");
  ASSERT_TRUE(json->expiresAt.has_value());
  EXPECT_EQ(
      std::chrono::duration_cast<std::chrono::seconds>(json->expiresAt->time_since_epoch()).count(),
      1767225600);
}

TEST_F(TokenFileTest, EmptyMissingAndMalformedFilesAreClearErrors) {
  EXPECT_EQ(loadTokenFile(dir_ + "/none").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(loadTokenFile(write("empty", "\n", 0600)).error().code, ErrorCode::kInvalid);
  EXPECT_EQ(loadTokenFile(write("bad", "{\"access_token\":", 0600)).error().code,
            ErrorCode::kProtocol);
  EXPECT_EQ(loadTokenFile(write("none", "{\"x\":1}", 0600)).error().code, ErrorCode::kInvalid);
  EXPECT_FALSE(loadTokenFile(dir_).ok()) << "a directory is not a token file";
}

TEST_F(TokenFileTest, SaveWritesMode0600InA0700DirectoryAndRoundTrips) {
  ::umask(022);
  const std::string path = dir_ + "/sub/dir/token.json";
  TokenSet t;
  t.accessToken = "A";
  t.refreshToken = "R";
  t.expiresAt = WallTime{} + std::chrono::seconds(1767225600);
  t.apiUrl = "http://127.0.0.1:1/current";
  ASSERT_TRUE(saveTokenFile(path, t).ok());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((dir_ + "/sub/dir").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  Result<TokenSet> back = loadTokenFile(path);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->accessToken, "A");
  EXPECT_EQ(back->refreshToken, "R");
  EXPECT_EQ(back->apiUrl, t.apiUrl);
  // Overwriting replaces atomically and leaves no temporary files behind.
  t.accessToken = "B";
  ASSERT_TRUE(saveTokenFile(path, t).ok());
  EXPECT_EQ(loadTokenFile(path)->accessToken, "B");
  int files = 0;
  for (auto& e : std::filesystem::directory_iterator(dir_ + "/sub/dir")) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 1);
}

TEST(Pkce, ChallengeIsBase64UrlOfSha256OfTheVerifier) {
  // Expected value computed independently (Python hashlib + base64.urlsafe_b64encode).
  EXPECT_EQ(pkceChallengeFor("dBjftJeZ4CVP-mB92K27uhbUJU2p1r-wW1gFWFOEjXk"),
            "ds6m7b3BphPhC5KVSTwj-8sjyMhumHpOHDawE-oZNgQ");
}

TEST(Pkce, VerifierIs43UrlSafeCharactersAndFresh) {
  PkcePair a = makePkcePair();
  PkcePair b = makePkcePair();
  EXPECT_EQ(a.verifier.size(), 43u);
  EXPECT_NE(a.verifier, b.verifier);
  for (char c : a.verifier) {
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') << c;
  }
  EXPECT_EQ(a.challenge, pkceChallengeFor(a.verifier));
}

}  // namespace
}  // namespace fastio::auth
