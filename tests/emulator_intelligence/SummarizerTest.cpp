#include <gtest/gtest.h>

#include "emulator/intelligence/Summarizer.h"
#include "emulator/intelligence/TextUtil.h"

namespace fastio::emu::intelligence {
namespace {

TEST(Summarizer, TitleFromTheFirstHeading) {
  const auto s = Summarizer::summarize("\n# Onboarding checklist\n\nDay one: laptop.", "a.md");
  EXPECT_EQ(s.title, "Onboarding checklist");
}

TEST(Summarizer, TitleFallsBackToTheFileName) {
  std::string longLine(300, 'x');
  const auto s = Summarizer::summarize(longLine, "quarterly-report.txt");
  EXPECT_EQ(s.title, "quarterly-report");
  EXPECT_EQ(Summarizer::summarize("", "photo.jpg").title, "photo");
}

TEST(Summarizer, ShortAndLongComeFromTheTextAndAreBounded) {
  std::string text = "# Revenue report\n\n";
  text += "Quarterly revenue grew twelve percent, driven by subscription revenue. ";
  text += "The weather was pleasant. ";
  for (int i = 0; i < 100; ++i) {
    text += "Revenue from region " + std::to_string(i) + " grew again this quarter. ";
  }
  const auto s = Summarizer::summarize(text, "r.md");
  EXPECT_FALSE(s.shortText.empty());
  EXPECT_LE(s.shortText.size(), Summarizer::kShortBytes);
  EXPECT_LE(s.longText.size(), Summarizer::kLongBytes);
  EXPECT_GE(s.longText.size(), s.shortText.size());
  EXPECT_NE(asciiLower(s.shortText).find("revenue"), std::string::npos) << s.shortText;
  EXPECT_EQ(s.shortText.find("weather"), std::string::npos) << s.shortText;
}

TEST(Summarizer, EmptyTextInventsNothing) {
  const auto s = Summarizer::summarize("  \n\n ", "empty.txt");
  EXPECT_TRUE(s.shortText.empty());
  EXPECT_TRUE(s.longText.empty());
}

TEST(Summarizer, HugeSingleSentenceIsCut) {
  const std::string text(100000, 'a');
  const auto s = Summarizer::summarize(text, "a.txt");
  EXPECT_LE(s.shortText.size(), Summarizer::kShortBytes);
  EXPECT_LE(s.longText.size(), Summarizer::kLongBytes);
}

}  // namespace
}  // namespace fastio::emu::intelligence
