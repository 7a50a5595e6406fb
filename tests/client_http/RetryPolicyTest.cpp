// Retry decisions: which failures are retried, how long the waits are (backoff with full
// jitter, 429 reset headers in every documented format), and the budgets that bound them.

#include <gtest/gtest.h>

#include "client/http/RetryPolicy.h"
#include "client/wire/Timestamps.h"
#include "tests/client_http/ScriptedTransport.h"

namespace fastio::http {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::InstantClock;

Error unavailable() {
  return makeError(ErrorCode::kUnavailable, "503");
}

HttpResponse withHeader(const std::string& name, const std::string& value) {
  HttpResponse r;
  r.status = 429;
  r.headers[name] = value;
  return r;
}

TEST(Backoff, FullJitterStaysWithinTheExponentialCeiling) {
  RetryBudget budget;
  budget.initialBackoff = milliseconds(100);
  budget.maxBackoff = seconds(2);
  std::mt19937_64 rng(42);
  for (int retry = 0; retry < 10; ++retry) {
    const Duration ceiling =
        std::min<Duration>(budget.maxBackoff, milliseconds(100) * (1 << retry));
    Duration largest{0};
    for (int i = 0; i < 2000; ++i) {
      const Duration d = jitteredBackoff(retry, budget, rng);
      ASSERT_GE(d, Duration::zero());
      ASSERT_LE(d, ceiling);
      largest = std::max(largest, d);
    }
    EXPECT_GT(largest, ceiling / 2) << "jitter should spread over the whole range";
  }
}

TEST(AdvertisedWait, RetryAfterSeconds) {
  const WallTime now = std::chrono::system_clock::time_point{} + seconds(1767225600);
  EXPECT_EQ(advertisedWait(withHeader("retry-after", "7"), now), Duration(seconds(7)));
}

TEST(AdvertisedWait, LimitExpiresAsEpochSeconds) {
  const WallTime now = std::chrono::system_clock::time_point{} + seconds(1767225600);
  EXPECT_EQ(advertisedWait(withHeader("x-ve-limit-expires", "1767225612"), now),
            Duration(seconds(12)));
}

TEST(AdvertisedWait, LimitExpiresAsUtcDateString) {
  const WallTime now = std::chrono::system_clock::time_point{} + seconds(1767225600);
  EXPECT_EQ(advertisedWait(withHeader("x-ve-limit-expires", "2026-01-01 00:00:30 UTC"), now),
            Duration(seconds(30)));
}

TEST(AdvertisedWait, LegacyHeaderAndPastResetAndGarbage) {
  const WallTime now = std::chrono::system_clock::time_point{} + seconds(1767225600);
  EXPECT_EQ(advertisedWait(withHeader("x-rate-limit-expiry", "1767225601"), now),
            Duration(seconds(1)));
  EXPECT_EQ(advertisedWait(withHeader("x-ve-limit-expires", "1767225500"), now), Duration::zero());
  EXPECT_FALSE(advertisedWait(withHeader("x-ve-limit-expires", "soon"), now).has_value());
  EXPECT_FALSE(advertisedWait(HttpResponse{}, now).has_value());
}

TEST(RetryState, RetriesTransientFailuresUpToTheAttemptBudget) {
  InstantClock clock;
  RetryBudget budget;
  budget.maxAttempts = 4;
  RetryState state(budget, clock, Deadline::after(seconds(600), clock), Replay::kSafe);
  EXPECT_TRUE(state.nextDelay(unavailable(), nullptr).has_value());
  EXPECT_TRUE(state.nextDelay(unavailable(), nullptr).has_value());
  EXPECT_TRUE(state.nextDelay(unavailable(), nullptr).has_value());
  EXPECT_FALSE(state.nextDelay(unavailable(), nullptr).has_value());
  EXPECT_EQ(state.attempts(), 4);
}

TEST(RetryState, NeverRetriesPermanentClasses) {
  InstantClock clock;
  for (ErrorCode code : {ErrorCode::kInvalid, ErrorCode::kNotFound, ErrorCode::kConflict,
                         ErrorCode::kDenied, ErrorCode::kQuota, ErrorCode::kProtocol,
                         ErrorCode::kDeadline, ErrorCode::kCancelled, ErrorCode::kTooLarge}) {
    RetryState state(RetryBudget{}, clock, Deadline::after(seconds(600), clock), Replay::kSafe);
    EXPECT_FALSE(state.nextDelay(makeError(code, "x"), nullptr).has_value()) << errorCodeName(code);
  }
}

TEST(RetryState, SideEffectCallsAreReplayedOnlyWhenNotActedOn) {
  InstantClock clock;
  RetryState state(RetryBudget{}, clock, Deadline::after(seconds(600), clock), Replay::kNotIfSent);
  EXPECT_FALSE(state.nextDelay(unavailable(), nullptr).has_value()) << "5xx may have been acted on";
  Error notSent = unavailable();
  notSent.remoteCode = kRequestNotSent;
  EXPECT_TRUE(state.nextDelay(notSent, nullptr).has_value());
  EXPECT_TRUE(state.nextDelay(makeError(ErrorCode::kRateLimited, "429"), nullptr).has_value());
}

TEST(RetryState, RateLimitWaitsForTheAdvertisedReset) {
  InstantClock clock;
  RetryState state(RetryBudget{}, clock, Deadline::after(seconds(600), clock), Replay::kSafe);
  HttpResponse r = withHeader(
      "x-ve-limit-expires",
      std::to_string(
          std::chrono::duration_cast<seconds>(clock.wallNow().time_since_epoch()).count() + 5));
  auto d = state.nextDelay(makeError(ErrorCode::kRateLimited, "429"), &r);
  ASSERT_TRUE(d.has_value());
  EXPECT_GE(*d, seconds(5));
  EXPECT_LE(*d, seconds(5) + RetryBudget{}.initialBackoff);
}

TEST(RetryState, RateLimitWithoutHeadersWaitsAtLeastASecond) {
  InstantClock clock;
  RetryState state(RetryBudget{}, clock, Deadline::after(seconds(600), clock), Replay::kSafe);
  HttpResponse r;
  r.status = 429;
  auto d = state.nextDelay(makeError(ErrorCode::kRateLimited, "429"), &r);
  ASSERT_TRUE(d.has_value());
  EXPECT_GE(*d, seconds(1));
}

TEST(RetryState, GivesUpWhenTheWaitWouldPassTheDeadline) {
  InstantClock clock;
  RetryState state(RetryBudget{}, clock, Deadline::after(seconds(3), clock), Replay::kSafe);
  HttpResponse r = withHeader("retry-after", "10");
  EXPECT_FALSE(state.nextDelay(makeError(ErrorCode::kRateLimited, "429"), &r).has_value());
}

TEST(RetryState, GivesUpWhenTheResetIsBeyondTheRateLimitBudget) {
  InstantClock clock;
  RetryBudget budget;
  budget.maxRateLimitWait = seconds(30);
  RetryState state(budget, clock, Deadline::after(seconds(3600), clock), Replay::kSafe);
  HttpResponse r = withHeader("retry-after", "120");
  EXPECT_FALSE(state.nextDelay(makeError(ErrorCode::kRateLimited, "429"), &r).has_value());
}

TEST(RetryState, TotalTimeBudgetBoundsTheRetries) {
  InstantClock clock;
  RetryBudget budget;
  budget.maxAttempts = 1000;
  budget.maxTotal = seconds(10);
  budget.initialBackoff = seconds(1);
  budget.maxBackoff = seconds(4);
  RetryState state(budget, clock, Deadline::after(seconds(3600), clock), Replay::kSafe);
  int retries = 0;
  while (auto d = state.nextDelay(unavailable(), nullptr)) {
    clock.sleepFor(*d);
    ++retries;
    ASSERT_LT(retries, 1000);
  }
  EXPECT_LE(clock.slept(), seconds(10));
}

TEST(Timestamps, Formats) {
  auto secs = [](const char* s) {
    auto t = parseTimestamp(s);
    return t ? std::chrono::duration_cast<seconds>(t->time_since_epoch()).count() : -1;
  };
  EXPECT_EQ(secs("2026-01-01T00:00:00Z"), 1767225600);
  EXPECT_EQ(secs("2026-01-01 00:00:00 UTC"), 1767225600);
  EXPECT_EQ(secs("2026-01-01 00:00:00"), 1767225600);
  EXPECT_EQ(secs("2026-01-01T02:00:00+02:00"), 1767225600);
  EXPECT_EQ(secs("2025-12-31T19:00:00-0500"), 1767225600);
  EXPECT_EQ(secs("1767225600"), 1767225600);
  EXPECT_EQ(secs("1767225600000"), 1767225600);
  EXPECT_EQ(secs("2026-02-30 00:00:00"), -1);
  EXPECT_EQ(secs("yesterday"), -1);
  EXPECT_EQ(secs("2026-01-01T00:00:00 Mars"), -1);
  EXPECT_EQ(secs(""), -1);
}

}  // namespace
}  // namespace fastio::http
