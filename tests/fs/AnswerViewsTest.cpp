// .search and .ask answers: memory stays bounded, and answers are kept in the metadata backup
// for a mount that starts while the server is away (docs/SEMANTICS.md ".search", ".ask").
#include <gtest/gtest.h>

#include "client/testing/FaultInjectingRemoteStore.h"
#include "fs/HeldAnswers.h"
#include "tests/fs/FsTestSupport.h"
#include "tests/fs/MemoryMetadataBackup.h"

namespace fastio::fs {
namespace {

using namespace testsupport;
using testing::InMemoryRemoteStore;

struct Dated {
  SteadyTime at{};
};

TEST(HeldAnswers, DropsExpiredAnswersAndThenTheOldestBeyondTheCap) {
  FakeClock clock;
  HeldAnswers<Dated> held(clock, std::chrono::seconds(60), 3);
  auto dated = [&] { return std::make_shared<const Dated>(Dated{clock.now()}); };
  held.put("ws", "a", dated());
  clock.advance(std::chrono::seconds(1));
  held.put("ws", "b", dated());
  clock.advance(std::chrono::seconds(1));
  held.put("other", "c", dated());
  clock.advance(std::chrono::seconds(1));
  held.put("ws", "d", dated());
  EXPECT_EQ(held.size(), 3u);
  EXPECT_EQ(held.find("ws", "a"), nullptr) << "the oldest went first";
  EXPECT_EQ(held.freshTexts("ws"), (std::vector<std::string>{"b", "d"}));

  clock.advance(std::chrono::seconds(59));  // b and c expired, d not yet
  EXPECT_NE(held.find("ws", "b"), nullptr) << "an expired answer stays until the next is stored";
  held.put("ws", "e", dated());
  EXPECT_EQ(held.size(), 2u);
  EXPECT_EQ(held.freshTexts("ws"), (std::vector<std::string>{"d", "e"}));
  EXPECT_TRUE(held.freshTexts("other").empty());
}

class AnswerViewsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    wsId = remote.addWorkspace("team-docs");
    remote.seedFile(wsId, "docs/report.txt", "quarterly revenue grew twelve percent");
  }
  std::unique_ptr<FileSystem> makeFs(RemoteStore& store) {
    auto fs = std::make_unique<FileSystem>(store, cache, &backup, testOptions(), clock);
    EXPECT_TRUE(fs->start(&invalidator).ok());
    return fs;
  }
  Result<std::string> readPath(FileSystem& fs, const std::string& path) {
    auto e = walk(fs, path);
    if (!e.ok()) return e.error();
    return readAll(fs, e->attr.ino);
  }

  FakeClock clock;
  InMemoryRemoteStore remote{clock};
  MemoryContentCache cache{16ull << 20};
  MemoryMetadataBackup backup;
  RecordingInvalidator invalidator;
  std::string wsId;
};

TEST_F(AnswerViewsTest, AThousandDistinctSearchesKeepABoundedNumberOfAnswers) {
  auto fs = makeFs(remote);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(walk(*fs, "team-docs/.search/revenue " + std::to_string(i)).ok()) << i;
  }
  auto listed = fs->readDirectory(walk(*fs, "team-docs/.search")->attr.ino);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ((*listed)->entries.size(), kMaxHeldAnswers) << "the newest answers are the ones kept";
  EXPECT_EQ(remote.callCount("search"), 1000u);
}

TEST_F(AnswerViewsTest, ASearchAnswerIsKeptInTheBackupAndShownOffline) {
  std::string online;
  {
    auto fs = makeFs(remote);
    auto text = readPath(*fs, "team-docs/.search/quarterly revenue/results.txt");
    ASSERT_TRUE(text.ok()) << text.error().describe();
    online = *text;
    fs->stop();
  }
  EXPECT_EQ(backup.answerCount(AnswerKind::kSearch), 1u);

  // A new mount over a server that answers nothing: the answer comes from the backup.
  testing::FaultInjectingRemoteStore down(remote);
  down.setErrorRate(1.0, ErrorCode::kUnavailable);
  auto fs = makeFs(down);
  auto text = readPath(*fs, "team-docs/.search/quarterly revenue/results.txt");
  ASSERT_TRUE(text.ok()) << text.error().describe();
  EXPECT_EQ(*text, online);
  auto query = walk(*fs, "team-docs/.search/quarterly revenue");
  auto dir = fs->readDirectory(query->attr.ino);
  ASSERT_TRUE(dir.ok());
  bool linked = false;
  for (const auto& e : (*dir)->entries) linked |= e.name == "01 report.txt";
  EXPECT_TRUE(linked) << "the hit's symlink is shown again";
  EXPECT_FALSE(walk(*fs, "team-docs/.search/never asked").ok());
}

TEST_F(AnswerViewsTest, AnAskAnswerIsKeptInTheBackupAndShownOffline) {
  std::string online;
  {
    auto fs = makeFs(remote);
    auto text = readPath(*fs, "team-docs/.ask/how did revenue change");
    ASSERT_TRUE(text.ok()) << text.error().describe();
    online = *text;
    fs->stop();
  }
  EXPECT_EQ(backup.answerCount(AnswerKind::kAsk), 1u);
  testing::FaultInjectingRemoteStore down(remote);
  down.setErrorRate(1.0, ErrorCode::kUnavailable);
  auto fs = makeFs(down);
  auto text = readPath(*fs, "team-docs/.ask/how did revenue change");
  ASSERT_TRUE(text.ok()) << text.error().describe();
  EXPECT_EQ(*text, online);
}

}  // namespace
}  // namespace fastio::fs
