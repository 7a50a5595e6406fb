#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>

#include "common/FaultPoints.h"

namespace fastio::faults {
namespace {

class FaultPointsTest : public ::testing::Test {
 protected:
  void TearDown() override { disarmAll(); }
  // Hits the point n times; returns which hits (1-based) failed.
  static std::vector<int> failingHits(std::string_view point, int n) {
    std::vector<int> failed;
    for (int i = 1; i <= n; ++i) {
      if (!hit(point).ok()) failed.push_back(i);
    }
    return failed;
  }
};

TEST_F(FaultPointsTest, AnUnarmedPointDoesNothing) {
  EXPECT_TRUE(hit("test.nothing").ok());
  EXPECT_EQ(hits("test.nothing"), 0u);
}

TEST_F(FaultPointsTest, FailReturnsAnIoErrorNamingThePointOnce) {
  ASSERT_TRUE(armFromText("test.a=fail").ok());
  Status s = hit("test.a");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kIo);
  EXPECT_NE(s.error().message.find("test.a"), std::string::npos);
  EXPECT_TRUE(hit("test.a").ok()) << "*1 is the default";
  EXPECT_EQ(hits("test.a"), 2u);
  EXPECT_TRUE(hit("test.other").ok());
}

TEST_F(FaultPointsTest, FromAndTimesSelectTheHitsThatAct) {
  ASSERT_TRUE(armFromText("test.a=fail@3*2").ok());
  EXPECT_EQ(failingHits("test.a", 6), (std::vector<int>{3, 4}));
  ASSERT_TRUE(armFromText("test.b=fail@2*0").ok());
  EXPECT_EQ(failingHits("test.b", 4), (std::vector<int>{2, 3, 4})) << "*0 = every hit";
  ASSERT_TRUE(armFromText("test.c=fail*3").ok());
  EXPECT_EQ(failingHits("test.c", 5), (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(hits("test.c"), 5u);
}

TEST_F(FaultPointsTest, ProbabilityZeroNeverActsAndHundredAlwaysDoes) {
  ASSERT_TRUE(armFromText("test.never=fail*0%0, test.always=fail*0%100").ok());
  EXPECT_TRUE(failingHits("test.never", 50).empty());
  EXPECT_EQ(failingHits("test.always", 5).size(), 5u);
}

TEST_F(FaultPointsTest, DelaySleepsAndSucceeds) {
  ASSERT_TRUE(armFromText("test.slow=delay:30ms;test.slow2=delay:5").ok());
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(hit("test.slow").ok());
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(30));
  EXPECT_EQ(hits("test.slow"), 1u);
  EXPECT_TRUE(hit("test.slow2").ok());
}

TEST_F(FaultPointsTest, ArmingAgainResetsTheCountAndDisarmStopsIt) {
  ASSERT_TRUE(armFromText("test.a=fail@2").ok());
  EXPECT_TRUE(hit("test.a").ok());
  ASSERT_TRUE(armFromText("test.a=fail@2").ok());
  EXPECT_EQ(hits("test.a"), 0u);
  EXPECT_TRUE(hit("test.a").ok());
  disarm("test.a");
  EXPECT_TRUE(hit("test.a").ok());
  EXPECT_EQ(hits("test.a"), 0u);
}

TEST_F(FaultPointsTest, BadEntriesAreRefusedWithTheEntryInTheMessage) {
  for (const char* bad : {"noequals", "=fail", "test.a=explode", "test.a=fail@0", "test.a=fail@x",
                          "test.a=fail@", "test.a=fail*y", "test.a=fail%101", "test.a=fail%",
                          "test.a=delay", "test.a=delay:soon", "test.a=fail*2@3"}) {
    Status s = armFromText(bad);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.error().code, ErrorCode::kInvalid) << bad;
    EXPECT_NE(s.error().message.find(bad), std::string::npos) << s.error().message;
  }
  // Separators and spaces around entries are fine; empty entries are skipped.
  EXPECT_TRUE(armFromText(" test.a=fail , ;test.b=delay:1ms; ").ok());
  EXPECT_FALSE(hit("test.a").ok());
}

TEST_F(FaultPointsTest, AbortKillsTheProcessLikeKillNine) {
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (!armFromText("test.die=abort@2").ok()) ::_exit(2);
    if (!hit("test.die").ok()) ::_exit(3);  // the first hit survives
    (void)hit("test.die");
    ::_exit(4);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << "exit code " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
}

}  // namespace
}  // namespace fastio::faults
