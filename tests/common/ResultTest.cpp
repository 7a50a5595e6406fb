#include <gtest/gtest.h>

#include <memory>

#include "common/Result.h"

namespace fastio {
namespace {

Result<int> parsePositive(int v) {
  if (v <= 0) return makeError(ErrorCode::kInvalid, "not positive");
  return v;
}

Status chain(int v) {
  FASTIO_TRY(parsePositive(v));
  return okStatus();
}

TEST(ResultTest, CarriesValueOrError) {
  auto good = parsePositive(3);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 3);
  auto bad = parsePositive(-1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalid);
  EXPECT_EQ(bad.valueOr(7), 7);
}

TEST(ResultTest, TryPropagatesTheError) {
  EXPECT_TRUE(chain(1).ok());
  Status s = chain(0);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "not positive");
}

TEST(ResultTest, HoldsMoveOnlyValues) {
  Result<std::unique_ptr<int>> r(std::make_unique<int>(5));
  ASSERT_TRUE(r.ok());
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 5);
}

TEST(ErrorTest, DescribeNamesTheClassAndStatus) {
  Error e{ErrorCode::kNotFound, "node f1 not found", 404, 133123};
  EXPECT_EQ(e.describe(), "not_found: node f1 not found (HTTP 404)");
  EXPECT_FALSE(e.isRetryable());
  EXPECT_TRUE((Error{ErrorCode::kUnavailable, "", 503, 0}.isRetryable()));
  EXPECT_TRUE((Error{ErrorCode::kRateLimited, "", 429, 0}.isRetryable()));
}

TEST(ErrorTest, EveryCodeHasAName) {
  for (int c = 0; c <= static_cast<int>(ErrorCode::kInternal); ++c) {
    EXPECT_NE(errorCodeName(static_cast<ErrorCode>(c)), "unknown") << c;
  }
}

}  // namespace
}  // namespace fastio
