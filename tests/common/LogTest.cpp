#include <gtest/gtest.h>

#include "common/Log.h"

namespace fastio {
namespace {

TEST(RedactSecretsTest, HidesBearerTokensAndQueryTokens) {
  EXPECT_EQ(redactSecrets("Authorization: Bearer abc.def-123"), "Authorization: Bearer <redacted>");
  EXPECT_EQ(redactSecrets("GET /read/?token=s3cr3t&version_id=v1"),
            "GET /read/?token=<redacted>&version_id=v1");
  EXPECT_EQ(redactSecrets(R"({"access_token":"xyz","refresh_token":"r1"})"),
            R"({"access_token":"<redacted>","refresh_token":"<redacted>"})");
  EXPECT_EQ(redactSecrets("nothing secret here"), "nothing secret here");
}

}  // namespace
}  // namespace fastio
