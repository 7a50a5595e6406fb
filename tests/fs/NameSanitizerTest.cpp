// Hostile server names (docs/SEMANTICS.md "Names").
#include <gtest/gtest.h>

#include "fs/NameSanitizer.h"
#include "fs/VirtualNames.h"

namespace fastio::fs {
namespace {

Node nodeNamed(std::string id, std::string name, int createdSeconds = 0) {
  Node n;
  n.id = std::move(id);
  n.name = std::move(name);
  n.type = NodeType::kFile;
  n.created = WallTime{} + std::chrono::seconds(createdSeconds);
  return n;
}

TEST(SafeName, OrdinaryNamesPassUnchanged) {
  EXPECT_EQ(safeName("report.pdf"), "report.pdf");
  EXPECT_EQ(safeName("ünïcødé 文件.txt"), "ünïcødé 文件.txt");
  EXPECT_EQ(safeName(".hidden"), ".hidden");
  EXPECT_EQ(safeName("..."), "...");
}

TEST(SafeName, EmptyDotAndDotDotCannotBeShown) {
  EXPECT_FALSE(safeName(""));
  EXPECT_FALSE(safeName("."));
  EXPECT_FALSE(safeName(".."));
}

TEST(SafeName, SlashBecomesDivisionSlashSoItCannotEscapeTheFolder) {
  auto n = safeName("../../etc/passwd");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->find('/'), std::string::npos);
  EXPECT_EQ(*n,
            "..\xE2\x88\x95..\xE2\x88\x95"
            "etc\xE2\x88\x95passwd");
}

TEST(SafeName, NulAndControlCharactersAreReplaced) {
  auto n =
      safeName(std::string("a\0b\n\x7f"
                           "c",
                           6));
  ASSERT_TRUE(n);
  EXPECT_EQ(n->find('\0'), std::string::npos);
  EXPECT_EQ(n->find('\n'), std::string::npos);
  EXPECT_EQ(*n,
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD\xEF\xBF\xBD"
            "c");
}

TEST(SafeName, OverLongNamesAreShortenedKeepingTheExtensionAndStayDistinct) {
  const std::string a = std::string(300, 'a') + ".txt";
  const std::string b = std::string(299, 'a') + "b.txt";
  auto na = safeName(a);
  auto nb = safeName(b);
  ASSERT_TRUE(na && nb);
  EXPECT_LE(na->size(), kMaxNameBytes);
  EXPECT_LE(nb->size(), kMaxNameBytes);
  EXPECT_EQ(na->substr(na->size() - 4), ".txt");
  EXPECT_NE(*na, *nb);
}

TEST(SafeName, ShorteningNeverCutsAMultiByteCharacter) {
  std::string raw;
  for (int i = 0; i < 200; ++i) raw += "\xE6\x96\x87";  // 600 bytes of one CJK character
  auto n = safeName(raw);
  ASSERT_TRUE(n);
  EXPECT_LE(n->size(), kMaxNameBytes);
  const size_t tilde = n->find('~');
  ASSERT_NE(tilde, std::string::npos);
  EXPECT_EQ(tilde % 3, 0u) << "prefix must be whole 3-byte characters";
}

TEST(AssignDisplayNames, DuplicatesGetDistinctStableNamesAndTheCleanOneWins) {
  std::vector<Node> kids = {nodeNamed("id2", "a.txt", 5), nodeNamed("id1", "a.txt", 9),
                            nodeNamed("id3", "a/b", 1),
                            nodeNamed("id4",
                                      "a\xE2\x88\x95"
                                      "b",
                                      2)};
  auto names = assignDisplayNames(kids, noReservedNames());
  ASSERT_EQ(names.size(), 4u);
  std::map<size_t, std::string> byIndex;
  for (auto& e : names) byIndex[e.index] = e.name;
  EXPECT_EQ(byIndex[0], "a.txt") << "older of two clean duplicates keeps the name";
  EXPECT_EQ(byIndex[1], disambiguatedName("a.txt", "id1"));
  EXPECT_EQ(byIndex[3],
            "a\xE2\x88\x95"
            "b")
      << "the clean name beats the sanitized one";
  EXPECT_EQ(byIndex[2], disambiguatedName("a\xE2\x88\x95"
                                          "b",
                                          "id3"));
  std::set<std::string> unique;
  for (auto& e : names) unique.insert(e.name);
  EXPECT_EQ(unique.size(), names.size());

  // Same input in another order → same names.
  std::vector<Node> reversed(kids.rbegin(), kids.rend());
  auto again = assignDisplayNames(reversed, noReservedNames());
  std::set<std::string> unique2;
  for (auto& e : again) unique2.insert(e.name);
  EXPECT_EQ(unique, unique2);
}

TEST(AssignDisplayNames, UnshowableAndReservedNamesAreSkipped) {
  std::vector<Node> kids = {nodeNamed("x1", ".."), nodeNamed("x2", ""), nodeNamed("x3", ".search"),
                            nodeNamed("x4", "ok")};
  auto names = assignDisplayNames(kids, reservedAtWorkspaceRoot());
  ASSERT_EQ(names.size(), 1u);
  EXPECT_EQ(names[0].name, "ok");
  EXPECT_EQ(names[0].index, 3u);
  // The same ".search" is an ordinary name deeper down.
  auto deeper = assignDisplayNames(kids, noReservedNames());
  EXPECT_EQ(deeper.size(), 2u);
}

TEST(DisambiguatedName, FitsIn255BytesEvenForLongNames) {
  const std::string longName = std::string(255, 'z');
  const std::string d = disambiguatedName(longName, "someid");
  EXPECT_LE(d.size(), kMaxNameBytes);
  EXPECT_NE(d, longName);
}

}  // namespace
}  // namespace fastio::fs
