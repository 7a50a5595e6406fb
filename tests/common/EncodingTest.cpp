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

TEST(Encoding, PercentEncodingKeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(percentEncode("a-Z_0.9~"), "a-Z_0.9~");
  EXPECT_EQ(percentEncode("a b/c?d=e&f"), "a%20b%2Fc%3Fd%3De%26f");
  EXPECT_EQ(percentEncode("\xc3\xa9"), "%C3%A9");
  EXPECT_EQ(percentEncode(std::string("\x00", 1)), "%00");
}

TEST(Encoding, PercentDecodingUndoesEncodingAndReadsPlusAsSpace) {
  const std::string odd = std::string("x y/\xff\x00%+", 7);
  EXPECT_EQ(percentDecode(percentEncode(odd)), odd);
  EXPECT_EQ(percentDecode("a+b%2bc%2Fd"), "a b+c/d");
  EXPECT_EQ(percentDecode("100%"), "100%");    // no digits after '%': kept
  EXPECT_EQ(percentDecode("%zz%4"), "%zz%4");  // not hex, or one digit: kept
}

TEST(Encoding, FormFieldsAreSplitAndDecodedInOrder) {
  using Fields = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(parseFormFields("a=1&b=x+y&c=%26%3D"), (Fields{{"a", "1"}, {"b", "x y"}, {"c", "&="}}));
  EXPECT_EQ(parseFormFields("flag&&=lost&k=v=w&a=2&a=3"),
            (Fields{{"flag", ""}, {"k", "v=w"}, {"a", "2"}, {"a", "3"}}));
  EXPECT_TRUE(parseFormFields("").empty());
}

}  // namespace
}  // namespace fastio
