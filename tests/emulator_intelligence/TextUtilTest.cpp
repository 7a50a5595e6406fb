#include <gtest/gtest.h>

#include "emulator/intelligence/TextUtil.h"

namespace fastio::emu::intelligence {
namespace {

TEST(TextUtil, SanitizeReplacesInvalidUtf8AndDropsControls) {
  EXPECT_EQ(sanitizeUtf8("ok \xC3\xA9"), "ok \xC3\xA9");
  EXPECT_EQ(sanitizeUtf8("a\xFF"
                         "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(sanitizeUtf8(std::string("x\0y\x07z", 5)), "xyz");
  EXPECT_EQ(sanitizeUtf8("l1\r\nl2\rl3\f"), "l1\nl2\nl3\f");
  EXPECT_EQ(sanitizeUtf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(sanitizeUtf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");                  // overlong '/'
  EXPECT_EQ(sanitizeUtf8("\xE2\x82"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // truncated sequence
}

TEST(TextUtil, CollapseWhitespace) {
  EXPECT_EQ(collapseWhitespace("  a \n\n b\t\fc  "), "a b c");
  EXPECT_EQ(collapseWhitespace(" \n "), "");
}

TEST(TextUtil, QueryTermsDropStopwordsUnlessNothingIsLeft) {
  EXPECT_EQ(queryTerms("What is the Quarterly revenue?"),
            (std::vector<std::string>{"quarterly", "revenue"}));
  EXPECT_EQ(queryTerms("the the of"), (std::vector<std::string>{"the", "of"}));
  EXPECT_TRUE(queryTerms("?!  ...").empty());
}

TEST(TextUtil, FtsExpressionQuotesEveryTerm) {
  EXPECT_EQ(ftsOrExpression({"alpha", "beta"}), "\"alpha\" OR \"beta\"");
  EXPECT_EQ(ftsOrExpression({}), "");
}

TEST(TextUtil, SplitWordsKeepsNonAscii) {
  EXPECT_EQ(splitWords("Caf\xC3\xA9-au_lait NEAR(x)"),
            (std::vector<std::string>{"caf\xC3\xA9", "au", "lait", "near", "x"}));
}

}  // namespace
}  // namespace fastio::emu::intelligence
