#include <gtest/gtest.h>

#include <thread>

#include "common/Deadline.h"

namespace fastio {
namespace {

TEST(DeadlineTest, ExpiresWithTheFakeClock) {
  FakeClock clock;
  Deadline d = Deadline::after(Seconds(10), clock);
  EXPECT_FALSE(d.expired());
  EXPECT_EQ(d.remainingMillis(), 10000);
  clock.advance(Seconds(4));
  EXPECT_EQ(d.remainingMillis(), 6000);
  clock.advance(Seconds(6));
  EXPECT_TRUE(d.expired());
  EXPECT_EQ(d.remainingMillis(), 0);
}

TEST(DeadlineTest, NeverDoesNotExpire) {
  Deadline d = Deadline::never();
  EXPECT_FALSE(d.expired());
  EXPECT_EQ(d.remainingMillis(), -1);
  EXPECT_LE(d.capped(Seconds(1)).remainingMillis(), 1000);
}

TEST(DeadlineTest, CappedTakesTheEarlier) {
  FakeClock clock;
  Deadline d = Deadline::after(Seconds(10), clock);
  EXPECT_EQ(d.capped(Seconds(3)).remainingMillis(), 3000);
  EXPECT_EQ(d.capped(Seconds(30)).remainingMillis(), 10000);
}

TEST(FakeClockTest, SleepersWakeWhenTimePasses) {
  FakeClock clock;
  std::atomic<bool> woke{false};
  std::thread sleeper([&] {
    clock.sleepFor(Seconds(5));
    woke = true;
  });
  while (clock.sleepers() == 0) std::this_thread::yield();
  clock.advance(Seconds(2));
  std::this_thread::sleep_for(Millis(20));
  EXPECT_FALSE(woke.load());
  clock.advance(Seconds(3));
  sleeper.join();
  EXPECT_TRUE(woke.load());
}

}  // namespace
}  // namespace fastio
