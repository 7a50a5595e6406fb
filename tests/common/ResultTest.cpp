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

Result<int> doubled(int v) {
  FASTIO_TRY_ASSIGN(const int checked, parsePositive(v));
  return checked * 2;
}

Result<int> sumOfBoth(int a, int b) {
  // Two in one scope: each hides its own temporary.
  FASTIO_TRY_ASSIGN(auto first, parsePositive(a));
  FASTIO_TRY_ASSIGN(auto second, parsePositive(b));
  return first + second;
}

Result<std::unique_ptr<int>> boxed(int v) {
  if (v <= 0) return makeError(ErrorCode::kNotFound, "no box");
  return std::make_unique<int>(v);
}

Status unbox(int v, int& out) {
  FASTIO_TRY_ASSIGN(std::unique_ptr<int> box, boxed(v));
  out = *box;
  return okStatus();
}

TEST(ResultTest, TryAssignBindsTheValue) {
  auto good = doubled(4);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 8);
  auto sum = sumOfBoth(2, 3);
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(*sum, 5);
  int out = 0;
  ASSERT_TRUE(unbox(6, out).ok());
  EXPECT_EQ(out, 6);
}

TEST(ResultTest, TryAssignReturnsTheFirstError) {
  auto bad = doubled(-2);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "not positive");
  auto second = sumOfBoth(1, 0);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kInvalid);
  int out = 0;
  Status missing = unbox(0, out);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);  // a Result<T> error into a Status
  EXPECT_EQ(out, 0);
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
