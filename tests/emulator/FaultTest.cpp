// Fault injection and rate limiting (PRODUCT.md §4).

#include <chrono>

#include "tests/emulator/CoreFixture.h"

namespace fastio::emu::testing {
namespace {

TEST_F(CoreTest, FaultSettingsRoundTripAndReset) {
  auto set = setFaults(R"({"error_rate":0.25,"latency_ms":5,"fail_chunk_order":2})");
  ASSERT_EQ(set.status, 200) << set.body;
  auto got = api().get("/_emulator/faults");
  EXPECT_EQ(got.json["faults"]["error_rate"], 0.25);
  EXPECT_EQ(got.json["faults"]["latency_ms"], 5);
  EXPECT_EQ(got.json["faults"]["fail_chunk_order"], 2);
  ASSERT_EQ(api().postJson("/_emulator/reset", "").status, 200);
  EXPECT_EQ(api().get("/_emulator/faults").json["faults"]["error_rate"], 0.0);
  EXPECT_EQ(setFaults(R"({"error_rate":2})").status, 406);
  EXPECT_EQ(setFaults(R"({"bogus":1})").status, 406);
  EXPECT_EQ(setFaults(R"({"ignore_range":"yes"})").status, 406);
  EXPECT_EQ(setFaults("not json").status, 406);
}

TEST_F(CoreTest, ErrorRateAnswers503ButNotTheControlRoutes) {
  ASSERT_EQ(setFaults(R"({"error_rate":1.0})").status, 200);
  auto r = api().get("/current/user/auth/check/");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.json["result"], false);
  EXPECT_EQ(api().get("/_emulator/faults").status, 200);
  ASSERT_EQ(api().postJson("/_emulator/reset", "").status, 200);
  EXPECT_EQ(api().get("/current/user/auth/check/").status, 200);
}

TEST_F(CoreTest, ResetRateClosesWithoutAResponse) {
  ASSERT_EQ(setFaults(R"({"reset_rate":1.0})").status, 200);
  auto r = api().get("/current/user/auth/check/");
  EXPECT_EQ(r.status, 0) << "expected no response, got " << r.status << " " << r.body;
  ASSERT_EQ(api().postJson("/_emulator/reset", "").status, 200);
  EXPECT_EQ(api().get("/current/user/auth/check/").status, 200);
}

TEST_F(CoreTest, LatencyDelaysApiRequests) {
  ASSERT_EQ(setFaults(R"({"latency_ms":300})").status, 200);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(api().get("/current/user/auth/check/").status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(300));
}

TEST_F(CoreTest, RateLimitAnswers429WithHeaders) {
  ASSERT_EQ(setFaults(R"({"rate_limit_per_sec":3})").status, 200);
  ApiReply limited;
  // Within one second at most 3 pass; a burst of 10 meets the limit (retry once if the burst
  // straddles a second boundary).
  for (int attempt = 0; attempt < 2 && limited.status != 429; ++attempt) {
    for (int i = 0; i < 10; ++i) {
      auto r = api().get("/current/user/auth/check/");
      if (r.status == 429) {
        limited = r;
        break;
      }
      EXPECT_EQ(r.status, 200);
    }
  }
  ASSERT_EQ(limited.status, 429);
  EXPECT_EQ(limited.header("x-ve-limit-max"), "3");
  EXPECT_EQ(limited.header("x-ve-limit-avail"), "0");
  EXPECT_FALSE(limited.header("x-ve-limit-expires").empty());
  EXPECT_FALSE(limited.header("Retry-After").empty());
  EXPECT_EQ(api().get("/_emulator/faults").status, 200) << "control routes are never limited";
}

}  // namespace
}  // namespace fastio::emu::testing
