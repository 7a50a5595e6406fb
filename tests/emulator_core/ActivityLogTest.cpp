#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "emulator/state/ActivityLog.h"

namespace fastio::emu {
namespace {

using std::chrono::milliseconds;

TEST(ActivityLogTest, MarkersRoundTripAndIncrease) {
  ActivityLog log;
  std::string a = log.now();
  std::string b = log.now();
  EXPECT_LT(ActivityLog::parseMarker(a), ActivityLog::parseMarker(b));
  EXPECT_EQ(ActivityLog::formatMarker(ActivityLog::parseMarker(a)), a);
  EXPECT_EQ(ActivityLog::parseMarker("2026-11-26T12:00:00Z"),
            ActivityLog::parseMarker("2026-11-26 12:00:00 UTC"));
  EXPECT_EQ(ActivityLog::parseMarker("2026-11-26T12:00:00.5Z") -
                ActivityLog::parseMarker("2026-11-26T12:00:00Z"),
            500000);
  for (const char* bad : {"", "yesterday", "2026-13-01T00:00:00Z", "2026-11-26T12:00:00+05:00"}) {
    EXPECT_EQ(ActivityLog::parseMarker(bad), -1) << bad;
  }
}

TEST(ActivityLogTest, ReturnsNewerKeysOnceDeduplicated) {
  ActivityLog log;
  std::string start = log.now();
  log.publish("ws", {"storage:a", "storage:root", "storage"});
  log.publish("ws", {"storage:a", "storage"});
  log.publish("other", {"storage:x"});
  auto r = log.poll("ws", start, milliseconds(0));
  EXPECT_EQ(r.keys, (std::vector<std::string>{"storage:a", "storage:root", "storage"}));
  auto again = log.poll("ws", r.lastActivity, milliseconds(0));
  EXPECT_TRUE(again.keys.empty());
  EXPECT_EQ(again.lastActivity, r.lastActivity);
}

TEST(ActivityLogTest, WaiterWakesOnPublish) {
  ActivityLog log;
  std::string start = log.now();
  auto waiter = std::async(std::launch::async,
                           [&] { return log.poll("ws", start, std::chrono::seconds(30)); });
  std::this_thread::sleep_for(milliseconds(50));
  log.publish("ws", {"storage:n"});
  ASSERT_EQ(waiter.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_EQ(waiter.get().keys, std::vector<std::string>{"storage:n"});
}

TEST(ActivityLogTest, ShutdownReleasesWaiters) {
  ActivityLog log;
  auto waiter =
      std::async(std::launch::async, [&] { return log.poll("ws", "", std::chrono::seconds(30)); });
  std::this_thread::sleep_for(milliseconds(50));
  log.shutdown();
  ASSERT_EQ(waiter.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_TRUE(waiter.get().keys.empty());
}

TEST(ActivityLogTest, PollFromBeforeTheRetainedWindowSaysRelistEverything) {
  ActivityLog log;
  std::string start = log.now();
  std::vector<std::string> keys;
  for (std::size_t i = 0; i < ActivityLog::kMaxEventsPerEntity + 10; ++i) {
    keys.push_back("storage:" + std::to_string(i));
  }
  log.publish("ws", keys);
  auto r = log.poll("ws", start, milliseconds(0));
  ASSERT_FALSE(r.keys.empty());
  EXPECT_EQ(r.keys.front(), "storage");
}

}  // namespace
}  // namespace fastio::emu
