#include <gtest/gtest.h>

#include "common/NameRules.h"

namespace fastio::names {
namespace {

// The error class of a name's problem, or "ok".
std::string verdict(const std::optional<NameProblem>& problem) {
  return problem ? std::string(errorCodeName(problem->code)) : "ok";
}

std::string repeat(std::string_view piece, std::size_t times) {
  std::string out;
  for (std::size_t i = 0; i < times; ++i) out += piece;
  return out;
}

TEST(NodeNameRules, OrdinaryNamesPass) {
  for (std::string_view name :
       {"report.pdf", ".hidden", "a", "with space inside", "caf\xC3\xA9.txt",
        "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E.txt", "emoji \xF0\x9F\x98\x80", "...x", "-dash"}) {
    EXPECT_EQ(verdict(nodeNameProblem(name)), "ok") << name;
  }
}

TEST(NodeNameRules, ForbiddenNamesAreInvalid) {
  for (std::string_view name :
       {std::string_view(""), std::string_view("."), std::string_view(".."),
        std::string_view("a/b"), std::string_view("a\\b"), std::string_view("nul\0x", 5),
        std::string_view("line\nbreak"), std::string_view("tab\tin"), std::string_view("del\x7F"),
        std::string_view("c1 \xC2\x85"), std::string_view("trailing "),
        std::string_view("trailing."), std::string_view("zero\xE2\x80\x8Bwidth"),
        std::string_view("bidi\xE2\x80\xAEoverride"), std::string_view("bom\xEF\xBB\xBF"),
        std::string_view("bad\xFFutf8"), std::string_view("overlong\xC0\xAF"),
        std::string_view("surrogate\xED\xA0\x80"), std::string_view("cut\xE6\x97")}) {
    const auto problem = nodeNameProblem(name);
    ASSERT_TRUE(problem.has_value()) << "accepted: " << name;
    EXPECT_EQ(problem->code, ErrorCode::kInvalid) << name;
    EXPECT_FALSE(problem->reason.empty());
  }
}

TEST(NodeNameRules, LengthIsCappedAt255BytesAndAt255Characters) {
  EXPECT_EQ(verdict(nodeNameProblem(std::string(255, 'x'))), "ok");
  EXPECT_EQ(verdict(nodeNameProblem(std::string(256, 'x'))), "name_too_long");
  // 85 three-byte characters = 255 bytes: fine; one more character is 258 bytes.
  const std::string kanji = "\xE6\x97\xA5";
  EXPECT_EQ(verdict(nodeNameProblem(repeat(kanji, 85))), "ok");
  EXPECT_EQ(verdict(nodeNameProblem(repeat(kanji, 86))), "name_too_long");
  // 200 characters but 400 bytes: within the service's character limit, over NAME_MAX.
  EXPECT_EQ(verdict(nodeNameProblem(repeat("\xC3\xA9", 200))), "name_too_long");
  // Length is judged before content: an over-long name with a slash is too long.
  EXPECT_EQ(verdict(nodeNameProblem(std::string(300, '/'))), "name_too_long");
}

TEST(WorkspaceNameRules, FolderNamesAreUnicodeLettersDigitsAndHyphens) {
  EXPECT_EQ(verdict(workspaceFolderNameProblem("team-2026")), "ok");
  EXPECT_EQ(verdict(workspaceFolderNameProblem("caf\xC3\xA9-\xE6\x97\xA5\xE6\x9C\xAC")), "ok");
  EXPECT_EQ(verdict(workspaceFolderNameProblem(std::string(80, 'a'))), "ok");
  EXPECT_EQ(verdict(workspaceFolderNameProblem("abc")), "invalid");
  EXPECT_EQ(verdict(workspaceFolderNameProblem(std::string(81, 'a'))), "name_too_long");
  EXPECT_EQ(verdict(workspaceFolderNameProblem("has space")), "invalid");
  EXPECT_EQ(verdict(workspaceFolderNameProblem("under_score")), "invalid");
  EXPECT_EQ(verdict(workspaceFolderNameProblem("dot.ted")), "invalid");
  EXPECT_EQ(verdict(workspaceFolderNameProblem("nbsp\xC2\xA0x")), "invalid");
  EXPECT_EQ(verdict(workspaceFolderNameProblem("bad\xFFname")), "invalid");
}

TEST(WorkspaceNameRules, DisplayNames) {
  EXPECT_EQ(verdict(workspaceNameProblem("My Workspace")), "ok");
  EXPECT_EQ(verdict(workspaceNameProblem("ab")), "ok");
  EXPECT_EQ(verdict(workspaceNameProblem("x")), "invalid");
  EXPECT_EQ(verdict(workspaceNameProblem("bell\x07")), "invalid");
  EXPECT_EQ(verdict(workspaceNameProblem(std::string(100, 'n'))), "ok");
  EXPECT_EQ(verdict(workspaceNameProblem(std::string(101, 'n'))), "name_too_long");
}

TEST(CharacterClasses, LettersOfEveryScriptButNotPunctuation) {
  EXPECT_TRUE(isLetterOrDigit(U'a'));
  EXPECT_TRUE(isLetterOrDigit(U'7'));
  EXPECT_TRUE(isLetterOrDigit(U'\u00E9'));  // é
  EXPECT_TRUE(isLetterOrDigit(U'\u65E5'));  // 日
  EXPECT_TRUE(isLetterOrDigit(U'\u0436'));  // ж
  EXPECT_FALSE(isLetterOrDigit(U'-'));
  EXPECT_FALSE(isLetterOrDigit(U'\u00A0'));  // no-break space
  EXPECT_FALSE(isLetterOrDigit(U'\u2014'));  // em dash
  EXPECT_TRUE(isControlCharacter(U'\u0085'));
  EXPECT_FALSE(isControlCharacter(U'\u00A0'));
  EXPECT_TRUE(isInvisibleFormatting(U'\u200D'));
  EXPECT_FALSE(isInvisibleFormatting(U'\u2010'));
}

TEST(NumberedNames, KeepTheExtensionOfFilesOnly) {
  EXPECT_EQ(numberedName("report.pdf", 2, false), "report (2).pdf");
  EXPECT_EQ(numberedName("archive.tar.gz", 3, false), "archive.tar (3).gz");
  EXPECT_EQ(numberedName(".bashrc", 2, false), ".bashrc (2)");
  EXPECT_EQ(numberedName("v1.0", 2, true), "v1.0 (2)");
  EXPECT_EQ(numberedName("photos", 12, true), "photos (12)");
}

}  // namespace
}  // namespace fastio::names
