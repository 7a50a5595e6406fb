#include <gtest/gtest.h>

#include "cache/MetadataCache.h"
#include "tests/support/TempDir.h"

namespace fastio::cache {
namespace {

using fastio::testing::TempDir;

CachedNode file(std::string id, std::string parent, std::string name, std::string version) {
  CachedNode n;
  n.id = std::move(id);
  n.parentId = std::move(parent);
  n.name = std::move(name);
  n.type = CachedNodeType::kFile;
  n.size = 1234;
  n.version = std::move(version);
  n.modifiedNs = 1700000000000000000;
  n.summaryLong = std::string(5000, 's');
  return n;
}

class MetadataCacheTest : public ::testing::Test {
 protected:
  void SetUp() override { reopen(); }
  void reopen() {
    cache_.reset();
    env_.reset();
    auto env = LmdbEnv::open(tmp_.path(), {});
    ASSERT_TRUE(env.ok()) << env.error().describe();
    env_ = std::move(*env);
    auto cache = MetadataCache::open(*env_, clock_);
    ASSERT_TRUE(cache.ok());
    cache_ = std::move(*cache);
  }
  TempDir tmp_;
  FakeClock clock_;
  std::unique_ptr<LmdbEnv> env_;
  std::unique_ptr<MetadataCache> cache_;
};

TEST_F(MetadataCacheTest, NodeRoundTripsAndVersionChangesAreReported) {
  auto first = cache_->putNode(file("f1", "root", "a.txt", "v1"));
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->existed);
  auto got = cache_->node("f1");
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ(**got, file("f1", "root", "a.txt", "v1"));

  auto same = cache_->putNode(file("f1", "root", "a.txt", "v1"));
  EXPECT_TRUE(same->existed);
  EXPECT_FALSE(same->versionChanged);
  auto changed = cache_->putNode(file("f1", "root", "a.txt", "v2"));
  EXPECT_TRUE(changed->versionChanged);
  EXPECT_EQ(changed->previousVersion, "v1");
}

TEST_F(MetadataCacheTest, ChildLookupFollowsRenamesAndMoves) {
  ASSERT_TRUE(cache_->putNode(file("f1", "root", "a.txt", "v1")).ok());
  ASSERT_TRUE(cache_->child("root", "a.txt")->has_value());
  ASSERT_TRUE(cache_->putNode(file("f1", "d1", "b.txt", "v1")).ok());
  EXPECT_FALSE(cache_->child("root", "a.txt")->has_value());
  auto moved = cache_->child("d1", "b.txt");
  ASSERT_TRUE(moved->has_value());
  EXPECT_EQ((*moved)->id, "f1");
  ASSERT_TRUE(cache_->removeNode("f1").ok());
  EXPECT_FALSE(cache_->child("d1", "b.txt")->has_value());
  EXPECT_FALSE(cache_->node("f1")->has_value());
}

TEST_F(MetadataCacheTest, ListingIsCompleteUntilItExpiresAndSurvivesRestart) {
  std::vector<CachedNode> kids{file("c", "d", "zeta", "1"), file("a", "d", "alpha", "1"),
                               file("b", "d", "beta", "1")};
  ASSERT_TRUE(cache_->putListing("d", kids, std::chrono::seconds(5)).ok());
  auto l = cache_->listing("d");
  ASSERT_TRUE(l.ok());
  EXPECT_TRUE(l->complete);
  EXPECT_TRUE(l->fresh);
  ASSERT_EQ(l->children.size(), 3u);
  EXPECT_EQ(l->children[0].name, "alpha");
  EXPECT_EQ(l->children[2].name, "zeta");

  reopen();
  l = cache_->listing("d");
  EXPECT_TRUE(l->fresh);
  EXPECT_EQ(l->children.size(), 3u);

  clock_.advance(std::chrono::seconds(6));
  l = cache_->listing("d");
  EXPECT_TRUE(l->complete);
  EXPECT_FALSE(l->fresh);
  EXPECT_EQ(l->children.size(), 3u);  // stale but still served when asked
}

TEST_F(MetadataCacheTest, PutListingReplacesChildrenAndPrefixesDoNotLeak) {
  ASSERT_TRUE(cache_->putListing("d", {file("a", "d", "x", "1")}, std::chrono::seconds(5)).ok());
  ASSERT_TRUE(cache_->putListing("dd", {file("b", "dd", "y", "1")}, std::chrono::seconds(5)).ok());
  ASSERT_TRUE(cache_->putListing("d", {file("c", "d", "z", "1")}, std::chrono::seconds(5)).ok());
  auto l = cache_->listing("d");
  ASSERT_EQ(l->children.size(), 1u);
  EXPECT_EQ(l->children[0].id, "c");
  EXPECT_EQ(cache_->listing("dd")->children.size(), 1u);
  // The node that left the folder is gone too, not leaked.
  EXPECT_FALSE(cache_->node("a")->has_value());
  EXPECT_TRUE(cache_->node("b")->has_value());
  ASSERT_TRUE(cache_->invalidateListing("d").ok());
  EXPECT_FALSE(cache_->listing("d")->complete);
}

TEST_F(MetadataCacheTest, ANodeThatMovedAwayKeepsItsRecordWhenItsOldFolderIsRelisted) {
  ASSERT_TRUE(cache_->putListing("d", {file("x", "d", "x", "1")}, std::chrono::seconds(5)).ok());
  ASSERT_TRUE(cache_->putNode(file("x", "e", "x", "1")).ok());
  ASSERT_TRUE(cache_->putListing("d", {}, std::chrono::seconds(5)).ok());
  auto moved = cache_->node("x");
  ASSERT_TRUE(moved->has_value());
  EXPECT_EQ((*moved)->parentId, "e");
  EXPECT_TRUE(cache_->child("e", "x")->has_value());
  EXPECT_TRUE(cache_->listing("d")->children.empty());
}

TEST_F(MetadataCacheTest, WorkspacesAreReplacedAsAWhole) {
  CachedWorkspace a{"1", "alpha", "Alpha", "o", true};
  CachedWorkspace b{"2", "beta", "Beta", "o", false};
  Status put = cache_->putWorkspaces({a, b});
  ASSERT_TRUE(put.ok()) << put.error().describe();
  ASSERT_TRUE(cache_->putWorkspaces({b}).ok());
  auto ws = cache_->workspaces();
  ASSERT_TRUE(ws.ok());
  ASSERT_EQ(ws->size(), 1u);
  EXPECT_EQ((*ws)[0], b);
}

TEST_F(MetadataCacheTest, AnswersExpireAndLongQueriesWork) {
  std::string longQuery(1000, 'q');
  ASSERT_TRUE(
      cache_->putAnswer(AnswerKind::kSearch, "ws", "cats", "{hits}", std::chrono::seconds(60))
          .ok());
  ASSERT_TRUE(
      cache_->putAnswer(AnswerKind::kSearch, "ws", longQuery, "{long}", std::chrono::seconds(10))
          .ok());
  ASSERT_TRUE(
      cache_->putAnswer(AnswerKind::kAsk, "ws", "why?", "because", std::chrono::seconds(60)).ok());
  auto a = cache_->answer(AnswerKind::kSearch, "ws", longQuery);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(a->has_value());
  EXPECT_EQ((*a)->payload, "{long}");
  EXPECT_FALSE(cache_->answer(AnswerKind::kSearch, "ws", longQuery + "x")->has_value());
  EXPECT_FALSE(cache_->answer(AnswerKind::kAsk, "ws", "cats")->has_value());
  EXPECT_EQ(cache_->freshAnswers(AnswerKind::kSearch, "ws")->size(), 2u);

  clock_.advance(std::chrono::seconds(30));
  auto fresh = cache_->freshAnswers(AnswerKind::kSearch, "ws");
  ASSERT_EQ(fresh->size(), 1u);
  EXPECT_EQ((*fresh)[0].query, "cats");
  auto stale = cache_->answer(AnswerKind::kSearch, "ws", longQuery);
  EXPECT_FALSE((*stale)->fresh);
  auto purged = cache_->purgeExpiredAnswers();
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 1u);
}

TEST_F(MetadataCacheTest, BadInputIsRefusedNotCrashed) {
  EXPECT_FALSE(cache_->putNode(file("", "root", "a", "v")).ok());
  EXPECT_FALSE(cache_->putNode(file(std::string(300, 'i'), "root", "a", "v")).ok());
  auto longName = cache_->putNode(file("x", "root", std::string(300, 'n'), "v"));
  ASSERT_FALSE(longName.ok());
  EXPECT_EQ(longName.error().code, ErrorCode::kNameTooLong);
  EXPECT_FALSE(cache_->node("")->has_value());
  EXPECT_FALSE(cache_->child("root", std::string(300, 'n'))->has_value());
  // Names with NUL, slashes and control bytes are stored verbatim (the fs decides showability).
  std::string odd("a\0b/\x01", 5);
  ASSERT_TRUE(cache_->putNode(file("odd", "root", odd, "v")).ok());
  EXPECT_EQ((*cache_->child("root", odd))->id, "odd");
}

TEST_F(MetadataCacheTest, CorruptRecordIsAnErrorNotACrash) {
  auto dbi = env_->openDatabase("md_nodes");
  auto txn = env_->beginWrite();
  ASSERT_TRUE(txn->put(*dbi, "bad", "\x01garbage").ok());
  ASSERT_TRUE(txn->commit().ok());
  auto n = cache_->node("bad");
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().code, ErrorCode::kIo);
  // putNode over a corrupt record replaces it.
  ASSERT_TRUE(cache_->putNode(file("bad", "root", "fixed", "v")).ok());
  EXPECT_TRUE(cache_->node("bad").ok());
}

TEST_F(MetadataCacheTest, StoredBytesGrowWithContent) {
  auto before = cache_->storedBytes();
  ASSERT_TRUE(before.ok());
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(
        cache_->putNode(file("n" + std::to_string(i), "root", std::to_string(i), "v")).ok());
  }
  EXPECT_GT(*cache_->storedBytes(), *before);
}

}  // namespace
}  // namespace fastio::cache
