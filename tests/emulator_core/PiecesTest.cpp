// Small pure pieces: ids, ranges, cursors, the fault injector.

#include <gtest/gtest.h>

#include <set>

#include "emulator/FaultInjector.h"
#include "emulator/http/OpaqueId.h"
#include "emulator/http/RangeHeader.h"
#include "emulator/state/ListCursor.h"

namespace fastio::emu {
namespace {

TEST(OpaqueIdTest, NewIdsAreUniqueAndNormalised) {
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) {
    std::string id = newOpaqueId('f');
    EXPECT_EQ(id.size(), 29u);
    EXPECT_EQ(id[0], 'f');
    EXPECT_EQ(normalizeOpaqueId(id), id);
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 1000u);
}

TEST(OpaqueIdTest, AcceptsHyphenatedAnyCaseAndRejectsJunk) {
  std::string id = newOpaqueId('d');
  std::string display = displayOpaqueId(id);
  EXPECT_EQ(display.size(), 29u + 5u);
  std::string upper = display;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(normalizeOpaqueId(upper), id);
  EXPECT_FALSE(normalizeOpaqueId("short"));
  EXPECT_FALSE(normalizeOpaqueId("f3jm5zqzfx/pxdr2dx8z5bvnb3rpjfm"));
  EXPECT_FALSE(normalizeOpaqueId(std::string(41, 'a')));
  EXPECT_FALSE(normalizeOpaqueId(std::string("f3jm5zqzfx\0pxdr2dx8z5bvnb3rpjfm", 31)));
}

TEST(RangeHeaderTest, SingleRanges) {
  using http::parseRange;
  using http::RangeKind;
  EXPECT_EQ(parseRange("", 10).kind, RangeKind::kNone);
  auto r = parseRange("bytes=2-5", 10);
  EXPECT_EQ(r.kind, RangeKind::kSingle);
  EXPECT_EQ(r.range.first, 2);
  EXPECT_EQ(r.range.length, 4);
  EXPECT_EQ(parseRange("bytes=7-", 10).range.length, 3);
  EXPECT_EQ(parseRange("bytes=-3", 10).range.first, 7);
  EXPECT_EQ(parseRange("bytes=-30", 10).range.length, 10);
  EXPECT_EQ(parseRange("bytes=5-100", 10).range.length, 5);
  EXPECT_EQ(parseRange("bytes=10-", 10).kind, RangeKind::kUnsatisfiable);
  EXPECT_EQ(parseRange("bytes=0-", 0).kind, RangeKind::kUnsatisfiable);
  EXPECT_EQ(parseRange("bytes=-0", 10).kind, RangeKind::kUnsatisfiable);
  for (const char* ignored : {"bytes=0-1,3-4", "bytes=5-2", "items=0-1", "bytes=a-b", "bytes=-",
                              "bytes=99999999999999999999-"}) {
    EXPECT_EQ(parseRange(ignored, 10).kind, RangeKind::kIgnored) << ignored;
  }
}

TEST(ListCursorTest, RoundTripsAndIsBoundToItsListing) {
  CursorKey key{{std::int64_t{3}, std::string("na\"me"), std::string("d123")}};
  std::string c = encodeListCursor(key, SortBy::kType, true, "folder-1");
  for (char ch : c)
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_');
  auto back = decodeListCursor(c, SortBy::kType, true, "folder-1");
  ASSERT_TRUE(back);
  EXPECT_EQ(std::get<std::string>(back->values[1]), "na\"me");
  EXPECT_FALSE(decodeListCursor(c, SortBy::kName, true, "folder-1"));
  EXPECT_FALSE(decodeListCursor(c, SortBy::kType, false, "folder-1"));
  EXPECT_FALSE(decodeListCursor(c, SortBy::kType, true, "folder-2"));
  EXPECT_FALSE(decodeListCursor("%%%", SortBy::kType, true, "folder-1"));
  EXPECT_FALSE(decodeListCursor("eyJzIjoxfQ", SortBy::kType, true, "folder-1"));
}

TEST(FaultInjectorTest, ValidatesAndAppliesSettings) {
  FaultInjector f;
  EXPECT_FALSE(f.update(nlohmann::json::parse(R"({"error_rate":-0.1})")).ok());
  EXPECT_FALSE(f.update(nlohmann::json::parse(R"({"latency_ms":"5"})")).ok());
  EXPECT_FALSE(f.update(nlohmann::json::parse(R"([1])")).ok());
  ASSERT_TRUE(f.update(nlohmann::json::parse(R"({"error_rate":1})")).ok());
  EXPECT_EQ(f.decide().action, FaultDecision::Action::kFail503);
  f.reset();
  EXPECT_EQ(f.decide().action, FaultDecision::Action::kProceed);
}

TEST(FaultInjectorTest, FailChunkOrderFiresOnce) {
  FaultInjector f;
  ASSERT_TRUE(f.update(nlohmann::json::parse(R"({"fail_chunk_order":2})")).ok());
  EXPECT_FALSE(f.takeFailChunkOrder(1));
  EXPECT_TRUE(f.takeFailChunkOrder(2));
  EXPECT_FALSE(f.takeFailChunkOrder(2));
  EXPECT_EQ(f.settings().failChunkOrder, 0);
}

TEST(FaultInjectorTest, RateLimitCountsWithinOneSecond) {
  FaultInjector f;
  ASSERT_TRUE(f.update(nlohmann::json::parse(R"({"rate_limit_per_sec":1000000})")).ok());
  EXPECT_EQ(f.rateLimitHeaders().max, 1000000);
  ASSERT_TRUE(f.update(nlohmann::json::parse(R"({"rate_limit_per_sec":2})")).ok());
  int limited = 0;
  for (int i = 0; i < 6; ++i) {
    if (f.decide().action == FaultDecision::Action::kRateLimited) ++limited;
  }
  // Six calls span at most two one-second windows: at least two are refused.
  EXPECT_GE(limited, 2);
  EXPECT_EQ(f.rateLimitHeaders().max, 2);
}

}  // namespace
}  // namespace fastio::emu
