#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "emulator/intelligence/AgentService.h"
#include "tests/support/TempDir.h"

namespace fastio::emu::intelligence {
namespace {

using fastio::testing::TempDir;
using namespace std::chrono_literals;

constexpr const char* kWs = "1000000000000000001";

class AgentServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = SearchIndex::open(dir_.path() / "search.db");
    ASSERT_TRUE(opened.ok());
    index_ = std::move(opened).value();
    addFile("f1", "revenue.md", {{1, "Intro"}, {2, "Quarterly revenue grew 12% to 4.2 million."}});
    addFile("f2", "picnic.md", {{1, "The picnic is on Friday by the lake."}});
    openService();
  }

  void openService() {
    AgentOptions options;
    options.turnDelay = 20ms;
    auto service = AgentService::open(
        dir_.path() / "agent.db", *index_, options,
        [this](char prefix) { return std::string(1, prefix) + std::to_string(++ids_); },
        [this](const std::string&, const std::string&) {
          std::lock_guard lock(changesMu_);
          ++changes_;
          changed_.notify_all();
        });
    ASSERT_TRUE(service.ok()) << service.error().describe();
    agent_ = std::move(service).value();
  }

  void addFile(const std::string& id, const std::string& name, std::vector<TextPage> pages) {
    ASSERT_TRUE(index_->upsertNode({kWs, id, "root", name, "file", "", "v" + id}).ok());
    ASSERT_TRUE(index_->setContent(id, "v" + id, pages).ok());
  }

  AgentTurn waitTerminal(const std::string& thread, const std::string& turn) {
    for (int i = 0; i < 1500; ++i) {
      auto t = agent_->turn(kWs, thread, turn);
      EXPECT_TRUE(t.ok());
      if (t.ok() && t->terminal()) return *t;
      std::this_thread::sleep_for(10ms);
    }
    ADD_FAILURE() << "turn never finished";
    return {};
  }

  // Waits (up to 5 s) until `n` change notices were published; returns how many were.
  int waitForChanges(int n) {
    std::unique_lock lock(changesMu_);
    changed_.wait_for(lock, 5s, [&] { return changes_ >= n; });
    return changes_;
  }

  std::mutex changesMu_;
  std::condition_variable changed_;
  int changes_ = 0;
  std::atomic<int> ids_{0};
  // Declared after what its callbacks use: destroyed first, so its threads never reach freed
  // members.
  TempDir dir_;
  std::unique_ptr<SearchIndex> index_;
  std::unique_ptr<AgentService> agent_;
};

TEST_F(AgentServiceTest, ATurnCompletesWithCitations) {
  auto created = agent_->createThread(kWs, "What was the quarterly revenue?", "", "", std::nullopt);
  ASSERT_TRUE(created.ok()) << created.error().describe();
  EXPECT_EQ(created->turn.status, "pending");
  EXPECT_EQ(created->turn.seq, 1);
  EXPECT_EQ(created->thread.name, "What was the quarterly revenue?");
  const auto done = waitTerminal(created->thread.threadId, created->turn.turnId);
  EXPECT_EQ(done.status, "complete");
  ASSERT_EQ(done.citations.size(), 1u);
  EXPECT_EQ(done.citations[0].nodeId, "f1");
  EXPECT_EQ(done.citations[0].versionId, "vf1");
  ASSERT_EQ(done.citations[0].entries.size(), 1u);
  EXPECT_EQ(done.citations[0].entries[0].page, 2);
  EXPECT_NE(done.citations[0].entries[0].snippet.find("4.2 million"), std::string::npos);
  EXPECT_NE(done.answer.find("4.2 million"), std::string::npos);
  EXPECT_NE(done.answer.find("revenue.md"), std::string::npos);
  EXPECT_EQ(done.question, "What was the quarterly revenue?");
  // The change for "complete" is published after the turn reads as complete.
  EXPECT_GE(waitForChanges(3), 3) << "created, running, complete";
}

TEST_F(AgentServiceTest, WeakPassagesAreLeftOut) {
  addFile("f3", "garden.md",
          {{1,
            "Gardening notes: tomatoes, soil, compost, watering schedules, seedlings, pruning, "
            "mulch, greenhouse temperature, pests, harvest dates and seed catalogues. Someone "
            "asked whether the vegetable stall makes any revenue."}});
  AgentTurn turn;
  turn.workspaceId = kWs;
  turn.question = "quarterly revenue growth";
  auto answered = agent_->composeAnswer(turn, std::nullopt);
  ASSERT_TRUE(answered.ok());
  ASSERT_EQ(answered->citations.size(), 1u) << answered->answer;
  EXPECT_EQ(answered->citations[0].nodeId, "f1");
}

TEST_F(AgentServiceTest, NoHitsGivesAnHonestAnswer) {
  auto created = agent_->createThread(kWs, "Where is the submarine manual?", "", "", std::nullopt);
  ASSERT_TRUE(created.ok());
  const auto done = waitTerminal(created->thread.threadId, created->turn.turnId);
  EXPECT_EQ(done.status, "complete");
  EXPECT_TRUE(done.citations.empty());
  EXPECT_NE(done.answer.find("no relevant content"), std::string::npos);
}

TEST_F(AgentServiceTest, VagueQuestionNeedsInput) {
  EXPECT_TRUE(questionTooVague("help?"));
  EXPECT_TRUE(questionTooVague("what is it"));
  EXPECT_FALSE(questionTooVague("picnic day"));
  auto created = agent_->createThread(kWs, "Can you help me?", "", "", std::nullopt);
  ASSERT_TRUE(created.ok());
  const auto done = waitTerminal(created->thread.threadId, created->turn.turnId);
  EXPECT_EQ(done.status, "needs_input");
  EXPECT_FALSE(done.clarification.empty());
}

TEST_F(AgentServiceTest, ScopeLimitsTheFilesCited) {
  // A scope longer than a small-string buffer, persisted and read back by the worker.
  auto created = agent_->createThread(
      kWs, "revenue picnic", "n", "private",
      std::unordered_set<std::string>{"f2", "an-unknown-node-with-a-rather-long-identifier"});
  ASSERT_TRUE(created.ok());
  const auto done = waitTerminal(created->thread.threadId, created->turn.turnId);
  ASSERT_EQ(done.citations.size(), 1u);
  EXPECT_EQ(done.citations[0].nodeId, "f2");
}

TEST_F(AgentServiceTest, FollowUpTurnsListAndDelete) {
  auto created = agent_->createThread(kWs, "revenue", "Finance", "", std::nullopt);
  ASSERT_TRUE(created.ok());
  const std::string thread = created->thread.threadId;
  auto second = agent_->addTurn(kWs, thread, "picnic", std::nullopt);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->seq, 2);
  waitTerminal(thread, second->turnId);
  size_t total = 0;
  auto turns = agent_->turns(kWs, thread, 10, 0, total);
  ASSERT_TRUE(turns.ok());
  EXPECT_EQ(total, 2u);
  ASSERT_EQ(turns->size(), 2u);
  EXPECT_EQ((*turns)[0].question, "revenue");
  auto threads = agent_->threads(kWs, false, 10, 0, total);
  ASSERT_TRUE(threads.ok());
  ASSERT_EQ(threads->size(), 1u);
  EXPECT_EQ((*threads)[0].name, "Finance");
  EXPECT_EQ((*threads)[0].turnCount, 2);
  ASSERT_TRUE(agent_->deleteThread(kWs, thread).ok());
  EXPECT_TRUE(agent_->threads(kWs, false, 10, 0, total)->empty());
  EXPECT_EQ(agent_->threads(kWs, true, 10, 0, total)->size(), 1u);
  EXPECT_FALSE(agent_->addTurn(kWs, thread, "more revenue", std::nullopt).ok());
  EXPECT_FALSE(agent_->deleteThread(kWs, thread).ok());
}

TEST_F(AgentServiceTest, UnknownIdsAndOtherWorkspacesAreNotFound) {
  auto created = agent_->createThread(kWs, "revenue", "", "", std::nullopt);
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(agent_->thread("999", created->thread.threadId).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(agent_->turn(kWs, created->thread.threadId, "nope").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(agent_->turn(kWs, "other", created->turn.turnId).error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(agent_->cancel(kWs, "nope").ok());
}

TEST_F(AgentServiceTest, CancelStopsAnUnfinishedTurn) {
  agent_.reset();
  AgentOptions slow;
  slow.turnDelay = 10s;
  auto service = AgentService::open(
      dir_.path() / "agent.db", *index_, slow,
      [this](char prefix) { return std::string(1, prefix) + std::to_string(++ids_); }, nullptr);
  ASSERT_TRUE(service.ok());
  agent_ = std::move(service).value();
  auto created = agent_->createThread(kWs, "revenue", "", "", std::nullopt);
  ASSERT_TRUE(created.ok());
  auto cancelled = agent_->cancel(kWs, created->thread.threadId);
  ASSERT_TRUE(cancelled.ok());
  ASSERT_TRUE(cancelled->has_value());
  EXPECT_EQ((*cancelled)->status, "cancelled");
  auto again = agent_->cancel(kWs, created->thread.threadId);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->has_value()) << "nothing left to cancel";
}

TEST_F(AgentServiceTest, UnfinishedTurnsResumeAfterARestart) {
  agent_.reset();
  AgentOptions slow;
  slow.turnDelay = 10s;
  auto idFactory = [this](char prefix) { return std::string(1, prefix) + std::to_string(++ids_); };
  std::string thread, turn;
  {
    auto service = AgentService::open(dir_.path() / "agent.db", *index_, slow, idFactory, nullptr);
    ASSERT_TRUE(service.ok());
    auto created = (*service)->createThread(kWs, "revenue", "", "", std::nullopt);
    ASSERT_TRUE(created.ok());
    thread = created->thread.threadId;
    turn = created->turn.turnId;
  }
  openService();
  EXPECT_EQ(waitTerminal(thread, turn).status, "complete");
}

}  // namespace
}  // namespace fastio::emu::intelligence
