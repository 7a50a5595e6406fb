#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/Encoding.h"
#include "common/RandomToken.h"

namespace fastio {
namespace {

TEST(Encoding, HexIsLowerCaseTwoDigitsPerByte) {
  EXPECT_EQ(hexLower(""), "");
  EXPECT_EQ(hexLower(std::string("\x00\x0f\xab\xff", 4)), "000fabff");
}

TEST(Encoding, Base64UrlHasNoPaddingAndTheUrlAlphabet) {
  EXPECT_EQ(base64UrlEncode(""), "");
  EXPECT_EQ(base64UrlEncode("f"), "Zg");
  EXPECT_EQ(base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(base64UrlEncode("foob"), "Zm9vYg");
  EXPECT_EQ(base64UrlEncode("\xfb\xff"), "-_8");
}

TEST(Encoding, Base64UrlDecodesWhatItEncodesAndRefusesAnythingElse) {
  const std::vector<std::string> samples = {
      "", "f", "fo", "foo", "foob", std::string("\xfb\xff\x00\x01 binary", 11)};
  for (const std::string& bytes : samples) {
    EXPECT_EQ(base64UrlDecode(base64UrlEncode(bytes)), bytes);
  }
  EXPECT_FALSE(base64UrlDecode("Zm9v+g"));  // the standard alphabet
  EXPECT_FALSE(base64UrlDecode("Zg=="));    // padding
  EXPECT_FALSE(base64UrlDecode("Zm9vY"));   // a length no encoding has
  EXPECT_FALSE(base64UrlDecode("Zm 9"));    // a character outside the alphabet
}

TEST(RandomToken, IsUrlSafeOfTheRightLengthAndFresh) {
  const auto a = randomUrlToken(32);
  const auto b = randomUrlToken(32);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->size(), 43u);
  EXPECT_NE(*a, *b);
  EXPECT_EQ(base64UrlDecode(*a)->size(), 32u);
}

}  // namespace
}  // namespace fastio
