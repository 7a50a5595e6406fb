// The activity long-poll.

#include <chrono>
#include <future>

#include "tests/emulator/CoreFixture.h"

namespace fastio::emu::testing {
namespace {

bool contains(const nlohmann::json& keys, const std::string& key) {
  for (const auto& k : keys) {
    if (k == key) return true;
  }
  return false;
}

TEST_F(CoreTest, LongPollIsWokenByAChangeWellUnderASecond) {
  std::string marker = api().get("/current/user/auth/check/").json["server_date"];
  auto started = std::chrono::steady_clock::now();
  auto poll = std::async(std::launch::async, [&] {
    return api().get("/current/activity/poll/" + wsId + "/?wait=30&lastactivity=" + marker);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  std::string folder = mkdir("root", "wake-up");
  auto changed = std::chrono::steady_clock::now();
  auto r = poll.get();
  auto woke = std::chrono::steady_clock::now();
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(contains(r.json["activity"], "storage:" + folder)) << r.body;
  EXPECT_TRUE(contains(r.json["activity"], "storage:root")) << r.body;
  EXPECT_LT(woke - changed, std::chrono::milliseconds(900));
  EXPECT_LT(woke - started, std::chrono::seconds(10));
  EXPECT_TRUE(r.json["lastactivity"].is_string());
}

TEST_F(CoreTest, PollReturnsMissedChangesAtOnceAndNothingTwice) {
  std::string marker = api().get("/current/user/auth/check/").json["server_date"];
  std::string id = upload("root", "a.txt", "a");
  auto first =
      api().get("/current/activity/poll/core-ws/?wait=30&updated=1&lastactivity=" + marker);
  ASSERT_EQ(first.status, 200);
  EXPECT_TRUE(contains(first.json["activity"], "storage:" + id));
  std::string next = first.json["lastactivity"];
  auto second = api().get("/current/activity/poll/" + wsId + "/?wait=0&lastactivity=" + next);
  ASSERT_EQ(second.status, 200);
  EXPECT_TRUE(second.json["activity"].empty()) << second.body;
}

TEST_F(CoreTest, PollValidation) {
  EXPECT_EQ(api().get("/current/activity/poll/" + wsId + "/?wait=abc").status, 406);
  EXPECT_EQ(api().get("/current/activity/poll/" + wsId + "/?wait=0&lastactivity=yesterday").status,
            406);
  EXPECT_EQ(api().get("/current/activity/poll/no-such-entity/?wait=0").status, 404);
  auto quick = api().get("/current/activity/poll/" + wsId + "/?wait=0");
  EXPECT_EQ(quick.status, 200);
}

}  // namespace
}  // namespace fastio::emu::testing
