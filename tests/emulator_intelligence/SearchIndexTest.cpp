#include <gtest/gtest.h>

#include "emulator/intelligence/SearchIndex.h"
#include "tests/support/TempDir.h"

namespace fastio::emu::intelligence {
namespace {

using fastio::testing::TempDir;

constexpr const char* kWs = "1000000000000000001";

class SearchIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = SearchIndex::open(dir_.path() / "search.db");
    ASSERT_TRUE(opened.ok()) << opened.error().describe();
    index_ = std::move(opened).value();
  }

  void addFile(const std::string& id, const std::string& name, const std::vector<TextPage>& pages,
               const std::string& parent = "root", const std::string& ws = kWs) {
    ASSERT_TRUE(index_->upsertNode({ws, id, parent, name, "file", "text/plain", "v" + id}).ok());
    ASSERT_TRUE(index_->setContent(id, "v" + id, pages).ok());
  }

  void addFolder(const std::string& id, const std::string& name,
                 const std::string& parent = "root") {
    ASSERT_TRUE(index_->upsertNode({kWs, id, parent, name, "folder", "", ""}).ok());
  }

  SearchResults search(const std::string& text, SearchIn in = SearchIn::kBoth,
                       NameMatch mode = NameMatch::kAuto, bool caseSensitive = false) {
    SearchQuery q;
    q.workspaceId = kWs;
    q.text = text;
    q.searchIn = in;
    q.nameMatch = mode;
    q.caseSensitive = caseSensitive;
    auto r = index_->search(q);
    EXPECT_TRUE(r.ok()) << r.error().describe();
    return r.ok() ? std::move(r).value() : SearchResults{};
  }

  TempDir dir_;
  std::unique_ptr<SearchIndex> index_;
};

TEST_F(SearchIndexTest, AFileAboutTheQueryOutranksOneThatMentionsItOnce) {
  addFile("fa", "finance.txt",
          {{1,
            "Quarterly revenue rose. Revenue from services and revenue from licences both "
            "grew; quarterly revenue targets were met."}});
  addFile("fb", "picnic.txt",
          {{1,
            "We planned the team picnic, the games, the food and the music. Someone asked "
            "about revenue once, then we went back to sandwiches, drinks and weather."}});
  const auto r = search("quarterly revenue");
  ASSERT_EQ(r.hits.size(), 2u);
  EXPECT_EQ(r.hits[0].node.nodeId, "fa");
  EXPECT_EQ(r.hits[1].node.nodeId, "fb");
  EXPECT_DOUBLE_EQ(r.hits[0].relevance, 1.0);
  EXPECT_LT(r.hits[1].relevance, 1.0);
  EXPECT_GT(r.hits[1].relevance, 0.0);
  EXPECT_TRUE(r.hits[0].contentMatch);
  EXPECT_FALSE(r.hits[0].nameMatch);
  EXPECT_GT(r.hits[0].rawScore, r.hits[1].rawScore);
}

TEST_F(SearchIndexTest, SnippetsContainTheTermsAndRespectTheirSize) {
  std::string filler;
  for (int i = 0; i < 60; ++i) filler += "lorem ipsum dolor sit amet ";
  addFile("f1", "long.txt",
          {{1, filler + "the onboarding checklist lists laptops and badges. " + filler}});
  SearchQuery q;
  q.workspaceId = kWs;
  q.text = "onboarding checklist";
  for (const auto size : {SnippetSize::kTerse, SnippetSize::kStandard}) {
    q.snippet = size;
    auto r = index_->search(q);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->hits.size(), 1u);
    const std::string& s = r->hits[0].snippet;
    EXPECT_NE(s.find("onboarding checklist"), std::string::npos) << s;
    EXPECT_LE(s.size(), snippetBytes(size)) << s;
    EXPECT_EQ(s.find('\x01'), std::string::npos);
    EXPECT_EQ(s.rfind("\xE2\x80\xA6", 0), 0u) << "cut at the start is marked: " << s;
  }
  q.snippet = SnippetSize::kFull;
  auto full = index_->search(q);
  ASSERT_TRUE(full.ok());
  EXPECT_GT(full->hits[0].snippet.size(), 600u);
  EXPECT_LE(full->hits[0].snippet.size(), SearchIndex::kPassageBytes);
}

TEST_F(SearchIndexTest, BestPassageGivesThePage) {
  addFile("f1", "handbook.txt",
          {{1, "Welcome to the company."},
           {2, "Holidays and leave."},
           {7,
            "Expense policy: "
            "receipts are needed "
            "for every expense."}});
  const auto r = search("expense receipts");
  ASSERT_EQ(r.hits.size(), 1u);
  EXPECT_EQ(r.hits[0].page, 7);
}

TEST_F(SearchIndexTest, OneEntryPerFile) {
  std::vector<TextPage> pages;
  for (int p = 1; p <= 5; ++p)
    pages.push_back({p, "budget forecast for page " + std::to_string(p)});
  addFile("f1", "plan.txt", pages);
  EXPECT_EQ(search("budget").hits.size(), 1u);
}

TEST_F(SearchIndexTest, HostileQueriesAreSafe) {
  addFile("f1", "a.txt", {{1, "alpha beta gamma \"quoted\" NEAR AND OR NOT"}});
  const std::vector<std::string> hostile = {"\"",
                                            "\"\"\"",
                                            "alpha\"",
                                            "NEAR(alpha beta)",
                                            "alpha AND",
                                            "OR",
                                            "* ^ -",
                                            "body:alpha",
                                            "{body}: x",
                                            "alpha)",
                                            "'; DROP TABLE nodes; --",
                                            std::string("al\0pha", 6),
                                            "\xFF\xFE",
                                            "a*",
                                            "(((((",
                                            "NOT alpha",
                                            std::string(1000, '"')};
  for (const auto& q : hostile) {
    SearchQuery query;
    query.workspaceId = kWs;
    query.text = q;
    EXPECT_TRUE(index_->search(query).ok()) << "query: " << q;
    EXPECT_TRUE(index_->topPassages(kWs, q, 5, SnippetSize::kStandard, std::nullopt).ok());
  }
  // Operators are searched for as words, not obeyed.
  EXPECT_EQ(search("NOT alpha").hits.size(), 1u);
  EXPECT_EQ(search("NEAR").hits.size(), 1u);
  EXPECT_TRUE(index_->node("f1").ok());  // the table survived
}

TEST_F(SearchIndexTest, PorterStemmingMatchesWordForms) {
  addFile("f1", "a.txt", {{1, "The engineers were onboarded last week."}});
  EXPECT_EQ(search("onboarding engineer").hits.size(), 1u);
}

TEST_F(SearchIndexTest, FilenameModes) {
  addFolder("d1", "Reports");
  addFile("f1", "Q3-report.md", {{1, "x"}}, "d1");
  addFile("f2", "report.md", {{1, "y"}});
  addFile("f3", "summary.csv", {{1, "z"}});
  const auto ids = [](const SearchResults& r) {
    std::vector<std::string> v;
    for (const auto& h : r.hits) v.push_back(h.node.nodeId);
    std::sort(v.begin(), v.end());
    return v;
  };
  EXPECT_EQ(ids(search("report.md", SearchIn::kFilename, NameMatch::kExact)),
            (std::vector<std::string>{"f2"}));
  EXPECT_EQ(ids(search("REPORT.md", SearchIn::kFilename, NameMatch::kExact, true)),
            (std::vector<std::string>{}));
  EXPECT_EQ(ids(search("rep", SearchIn::kFilename, NameMatch::kPrefix)),
            (std::vector<std::string>{"d1", "f2"}));
  EXPECT_EQ(ids(search("report", SearchIn::kFilename, NameMatch::kContains)),
            (std::vector<std::string>{"d1", "f1", "f2"}));
  EXPECT_EQ(ids(search("Report", SearchIn::kFilename, NameMatch::kContains, true)),
            (std::vector<std::string>{"d1"}));
  EXPECT_EQ(ids(search("*.md", SearchIn::kFilename, NameMatch::kGlob)),
            (std::vector<std::string>{"f1", "f2"}));
  EXPECT_EQ(ids(search("q?-*", SearchIn::kFilename, NameMatch::kGlob)),
            (std::vector<std::string>{"f1"}));
  EXPECT_EQ(ids(search("*.CSV", SearchIn::kFilename, NameMatch::kAuto)),
            (std::vector<std::string>{"f3"}));
  // An exact name outranks a partial one.
  const auto r = search("report.md", SearchIn::kFilename, NameMatch::kAuto);
  ASSERT_EQ(r.hits.size(), 2u);
  EXPECT_EQ(r.hits[0].node.nodeId, "f2");
  EXPECT_FALSE(r.hits[0].contentMatch);
  EXPECT_TRUE(r.hits[0].snippet.empty());
}

TEST(NameMatchScore, AutoModeReadsAllWildcardQueriesLiterally) {
  EXPECT_EQ(nameMatchScore("report.md", "**", NameMatch::kAuto, false), 0.0);
  EXPECT_EQ(nameMatchScore("ab", "??", NameMatch::kAuto, false), 0.0);
  EXPECT_GT(nameMatchScore("what??.txt", "??", NameMatch::kAuto, false), 0.0);
  EXPECT_GT(nameMatchScore("report.md", "*.md", NameMatch::kAuto, false), 0.0);
  EXPECT_GT(nameMatchScore("ab", "??", NameMatch::kGlob, false), 0.0);
}

TEST_F(SearchIndexTest, AutoModeMatchesAllWordsOfTheQueryInAName) {
  addFile("f1", "onboarding-checklist.md", {{1, "nothing relevant"}});
  const auto r = search("onboarding checklist", SearchIn::kFilename);
  ASSERT_EQ(r.hits.size(), 1u);
  EXPECT_TRUE(r.hits[0].nameMatch);
}

TEST_F(SearchIndexTest, SearchInSelectsTheLegs) {
  addFile("f1", "budget.txt", {{1, "nothing here"}});
  addFile("f2", "notes.txt", {{1, "the budget is tight"}});
  EXPECT_EQ(search("budget", SearchIn::kFilename).hits.size(), 1u);
  EXPECT_EQ(search("budget", SearchIn::kContent).hits.size(), 1u);
  EXPECT_EQ(search("budget", SearchIn::kBoth).hits.size(), 2u);
}

TEST_F(SearchIndexTest, ContentOfAPendingVersionDoesNotMatch) {
  addFile("f1", "a.txt", {{1, "zebra crossing"}});
  EXPECT_EQ(search("zebra", SearchIn::kContent).hits.size(), 1u);
  ASSERT_TRUE(index_->upsertNode({kWs, "f1", "root", "a.txt", "file", "", "v-new"}).ok());
  EXPECT_FALSE(*index_->contentReady("f1"));
  EXPECT_EQ(search("zebra", SearchIn::kContent).hits.size(), 0u);
  ASSERT_TRUE(index_->setContent("f1", "v-new", {{1, "giraffe"}}).ok());
  EXPECT_EQ(search("zebra", SearchIn::kContent).hits.size(), 0u);
  EXPECT_EQ(search("giraffe", SearchIn::kContent).hits.size(), 1u);
}

TEST_F(SearchIndexTest, RenameMoveAndRemove) {
  addFile("f1", "old-name.txt", {{1, "kangaroo"}});
  ASSERT_TRUE(index_->upsertNode({kWs, "f1", "d9", "new-name.txt", "file", "", ""}).ok());
  EXPECT_EQ(search("old-name", SearchIn::kFilename).hits.size(), 0u);
  const auto renamed = search("new-name", SearchIn::kFilename);
  ASSERT_EQ(renamed.hits.size(), 1u);
  EXPECT_EQ(renamed.hits[0].node.parentId, "d9");
  EXPECT_EQ(search("kangaroo").hits.size(), 1u) << "a rename keeps the indexed content";
  ASSERT_TRUE(index_->removeNode("f1").ok());
  EXPECT_EQ(search("kangaroo").hits.size(), 0u);
  EXPECT_EQ(search("new-name").hits.size(), 0u);
}

TEST_F(SearchIndexTest, WorkspacesAreSeparate) {
  addFile("f1", "a.txt", {{1, "platypus"}});
  addFile("f2", "b.txt", {{1, "platypus"}}, "root", "2000000000000000002");
  const auto r = search("platypus");
  ASSERT_EQ(r.hits.size(), 1u);
  EXPECT_EQ(r.hits[0].node.nodeId, "f1");
  ASSERT_TRUE(index_->removeWorkspace(kWs).ok());
  EXPECT_EQ(search("platypus").hits.size(), 0u);
}

TEST_F(SearchIndexTest, LimitOffsetAndTotal) {
  for (int i = 0; i < 7; ++i)
    addFile("f" + std::to_string(i), "n" + std::to_string(i) + ".txt",
            {{1, "wombat " + std::string(static_cast<size_t>(i), 'x')}});
  SearchQuery q;
  q.workspaceId = kWs;
  q.text = "wombat";
  q.limit = 3;
  q.offset = 5;
  auto r = index_->search(q);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->total, 7u);
  EXPECT_EQ(r->hits.size(), 2u);
}

TEST_F(SearchIndexTest, PersistsAcrossReopen) {
  addFile("f1", "a.txt", {{1, "persistence test"}});
  index_.reset();
  auto reopened = SearchIndex::open(dir_.path() / "search.db");
  ASSERT_TRUE(reopened.ok());
  index_ = std::move(reopened).value();
  EXPECT_EQ(search("persistence").hits.size(), 1u);
}

TEST_F(SearchIndexTest, ContentScopeAndFolders) {
  addFolder("d1", "docs");
  addFolder("d2", "deep", "d1");
  addFile("f1", "a.txt", {{1, "llama"}}, "d1");
  addFile("f2", "b.txt", {{1, "llama"}}, "d2");
  addFile("f3", "c.txt", {{1, "llama"}});
  auto shallow = index_->filesUnder(kWs, {"d1"}, 1);
  ASSERT_TRUE(shallow.ok());
  EXPECT_EQ(*shallow, (std::unordered_set<std::string>{"f1"}));
  auto deep = index_->filesUnder(kWs, {"d1"}, 10);
  ASSERT_TRUE(deep.ok());
  EXPECT_EQ(*deep, (std::unordered_set<std::string>{"f1", "f2"}));
  SearchQuery q;
  q.workspaceId = kWs;
  q.text = "llama";
  q.contentScope = *deep;
  auto r = index_->search(q);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->hits.size(), 2u);
  auto passages = index_->topPassages(kWs, "llama", 10, SnippetSize::kStandard, *shallow);
  ASSERT_TRUE(passages.ok());
  ASSERT_EQ(passages->size(), 1u);
  EXPECT_EQ((*passages)[0].node.nodeId, "f1");
  EXPECT_EQ((*passages)[0].snippet, "llama");
}

TEST_F(SearchIndexTest, ContentListsPassagesInOrderOrByQuery) {
  addFile("f1", "a.txt", {{1, "alpha intro"}, {2, "beta middle"}, {3, "gamma end beta"}});
  auto all = index_->content("f1", "");
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->indexed);
  EXPECT_EQ(all->indexedVersionId, "vf1");
  EXPECT_EQ(all->pageCount, 3);
  ASSERT_EQ(all->passages.size(), 3u);
  EXPECT_EQ(all->passages[1].position, 1u);
  EXPECT_EQ(all->passages[1].page, 2);
  EXPECT_EQ(all->passages[1].text, "beta middle");
  EXPECT_FALSE(all->passages[0].score.has_value());
  auto beta = index_->content("f1", "beta \"NEAR(");
  ASSERT_TRUE(beta.ok());
  ASSERT_EQ(beta->passages.size(), 2u);
  EXPECT_EQ(beta->totalPassages, 3u);
  EXPECT_TRUE(beta->passages[0].score.has_value());
  auto unknown = index_->content("nope", "");
  ASSERT_TRUE(unknown.ok());
  EXPECT_FALSE(unknown->indexed);
}

TEST(SnippetSelection, PicksTheDensestWindow) {
  std::string text;
  for (int i = 0; i < 50; ++i) text += "filler ";
  text += "\x01key\x02 and \x01key\x02 again ";
  for (int i = 0; i < 50; ++i) text += "more ";
  const std::string s = selectSnippet(text, 100);
  EXPECT_NE(s.find("key and key"), std::string::npos) << s;
  EXPECT_LE(s.size(), 100u);
}

TEST(SnippetSelection, ShortPassageIsReturnedWhole) {
  EXPECT_EQ(selectSnippet("a \x01"
                          "b\x02 c",
                          200),
            "a b c");
}

TEST(GlobMatch, Basics) {
  EXPECT_TRUE(globMatch("*.txt", "a.txt"));
  EXPECT_TRUE(globMatch("a?c", "abc"));
  EXPECT_TRUE(globMatch("a?c",
                        "a\xC3\xA9"
                        "c"));
  EXPECT_FALSE(globMatch("a?c", "abbc"));
  EXPECT_TRUE(globMatch("*b*", "abc"));
  EXPECT_FALSE(globMatch("*.txt", "a.txt.bak"));
  EXPECT_TRUE(globMatch("**", ""));
}

TEST(PassageSplitting, BoundedAndComplete) {
  std::string text;
  for (int i = 0; i < 200; ++i) text += "Sentence number " + std::to_string(i) + ". ";
  const auto passages = splitPassages(text, 300);
  ASSERT_GT(passages.size(), 1u);
  std::string rejoined;
  for (const auto& p : passages) {
    EXPECT_LE(p.size(), 300u);
    rejoined += p + " ";
  }
  EXPECT_NE(rejoined.find("Sentence number 199."), std::string::npos);
  EXPECT_EQ(passages.front().rfind("Sentence number 0.", 0), 0u);
}

}  // namespace
}  // namespace fastio::emu::intelligence
