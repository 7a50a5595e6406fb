#include <gtest/gtest.h>

#include "common/Utf8.h"

namespace fastio::utf8 {
namespace {

TEST(Utf8, DecodesEveryLengthAndRefusesMalformedInput) {
  const auto decoded = decode("a\xC3\xA9\xE6\x97\xA5\xF0\x9F\x98\x80");
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, (std::u32string{U'a', U'\u00E9', U'\u65E5', U'\U0001F600'}));
  EXPECT_EQ(decode("")->size(), 0u);
  EXPECT_FALSE(decode("\x80"));              // a stray continuation byte
  EXPECT_FALSE(decode("\xE0\x80\xAF"));      // overlong
  EXPECT_FALSE(decode("\xF4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(decode("\xED\xBF\xBF"));      // a surrogate
  EXPECT_FALSE(decode("\xF0\x9F\x98"));      // truncated at the end
  EXPECT_FALSE(decode("\xC3 "));             // not a continuation byte
}

TEST(Utf8, ValidTextIsLeftAloneAndEveryBadByteBecomesOneReplacement) {
  EXPECT_TRUE(isValid("h\xC3\xA9llo \xF0\x9F\x98\x80"));
  EXPECT_FALSE(repair("h\xC3\xA9llo \xF0\x9F\x98\x80").has_value()) << "valid text is not copied";
  EXPECT_EQ(repair("a\xFF\xFE b\xC3"), "a\xEF\xBF\xBD\xEF\xBF\xBD b\xEF\xBF\xBD");
  EXPECT_EQ(repair("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");                  // overlong '/'
  EXPECT_EQ(repair("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_TRUE(repair("\xF4\x90\x80\x80").has_value());                        // past U+10FFFF
  EXPECT_EQ(sequenceLength("\xE2\x82\xAC", 0), 3u);
  EXPECT_EQ(sequenceLength("\xE2\x82", 0), 0u);
}

TEST(Utf8, PrefixAndBoundariesNeverSplitACharacter) {
  const std::string s =
      "ab\xE2\x82\xAC"
      "c";  // "ab€c"
  EXPECT_EQ(prefix(s, 4), "ab");
  EXPECT_EQ(prefix(s, 5), "ab\xE2\x82\xAC");
  EXPECT_EQ(prefix(s, 2), "ab");
  EXPECT_EQ(prefix(s, 100), s);
  EXPECT_EQ(prefix(s, 0), "");
  EXPECT_EQ(boundaryAtOrAfter(s, 3), 5u);
  EXPECT_EQ(boundaryAtOrAfter(s, 2), 2u);
  EXPECT_EQ(boundaryAtOrAfter(s, 99), s.size());
  EXPECT_EQ(length(s), 4u);
  EXPECT_EQ(length(""), 0u);
}

}  // namespace
}  // namespace fastio::utf8
