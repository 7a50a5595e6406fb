#include <gtest/gtest.h>

#include <random>

#include "cache/ExtentMap.h"

namespace fastio::cache {
namespace {

// A byte model: for each file offset, which log offset holds it (or -1 for a hole).
using Model = std::vector<int64_t>;

Model render(const std::vector<DirtyExtent>& extents, size_t size) {
  Model m(size, -1);
  for (const auto& e : extents) {
    for (uint64_t i = 0; i < e.length && e.offset + i < size; ++i) {
      m[e.offset + i] = static_cast<int64_t>(e.logOffset + i);
    }
  }
  return m;
}

void expectWellFormed(const std::vector<DirtyExtent>& extents) {
  for (size_t i = 0; i < extents.size(); ++i) {
    EXPECT_GT(extents[i].length, 0u);
    if (i > 0) {
      EXPECT_LE(extents[i - 1].offset + extents[i - 1].length, extents[i].offset);
    }
  }
}

TEST(ExtentMapTest, SequentialAppendsMergeIntoOneExtent) {
  std::vector<DirtyExtent> extents;
  for (uint64_t i = 0; i < 100; ++i) overlayExtent(extents, {i * 10, 10, i * 10});
  ASSERT_EQ(extents.size(), 1u);
  EXPECT_EQ(extents[0], (DirtyExtent{0, 1000, 0}));
}

TEST(ExtentMapTest, OverwriteInTheMiddleSplitsAnExtent) {
  std::vector<DirtyExtent> extents;
  overlayExtent(extents, {0, 100, 0});
  overlayExtent(extents, {40, 10, 500});
  ASSERT_EQ(extents.size(), 3u);
  EXPECT_EQ(extents[0], (DirtyExtent{0, 40, 0}));
  EXPECT_EQ(extents[1], (DirtyExtent{40, 10, 500}));
  EXPECT_EQ(extents[2], (DirtyExtent{50, 50, 50}));
}

TEST(ExtentMapTest, RandomOverlaysMatchAByteModel) {
  std::mt19937_64 rng(42);
  for (int round = 0; round < 50; ++round) {
    std::vector<DirtyExtent> extents;
    Model model(4096, -1);
    uint64_t logPos = 0;
    for (int op = 0; op < 200; ++op) {
      if (rng() % 10 == 0) {
        uint64_t size = rng() % 4096;
        truncateExtents(extents, size);
        for (size_t i = size; i < model.size(); ++i) model[i] = -1;
      } else {
        uint64_t off = rng() % 4000;
        uint64_t len = 1 + rng() % std::min<uint64_t>(96, 4096 - off);
        overlayExtent(extents, {off, len, logPos});
        for (uint64_t i = 0; i < len; ++i) model[off + i] = static_cast<int64_t>(logPos + i);
        logPos += len;
      }
      expectWellFormed(extents);
      ASSERT_EQ(render(extents, model.size()), model) << "round " << round << " op " << op;
    }
  }
}

TEST(ExtentMapTest, PlanReadSplitsLogBaseAndZeros) {
  std::vector<DirtyExtent> extents{{10, 10, 1000}, {40, 5, 2000}};
  auto pieces = planRead(extents, 30, 0, 50);
  ASSERT_EQ(pieces.size(), 6u);
  using S = ReadPiece::Source;
  EXPECT_EQ(pieces[0].source, S::kBase);
  EXPECT_EQ(pieces[0].length, 10u);
  EXPECT_EQ(pieces[1].source, S::kLog);
  EXPECT_EQ(pieces[1].logOffset, 1000u);
  EXPECT_EQ(pieces[2].source, S::kBase);  // 20..30
  EXPECT_EQ(pieces[2].offset, 20u);
  EXPECT_EQ(pieces[2].length, 10u);
  EXPECT_EQ(pieces[3].source, S::kZero);  // 30..40: hidden by a truncate
  EXPECT_EQ(pieces[4].source, S::kLog);
  EXPECT_EQ(pieces[5].source, S::kZero);  // 45..50
  EXPECT_EQ(pieces[5].length, 5u);
}

TEST(ExtentMapTest, PlanReadInsideOneExtentStartsAtTheRightLogOffset) {
  std::vector<DirtyExtent> extents{{100, 100, 7000}};
  auto pieces = planRead(extents, 0, 150, 20);
  ASSERT_EQ(pieces.size(), 1u);
  EXPECT_EQ(pieces[0].logOffset, 7050u);
  EXPECT_EQ(pieces[0].length, 20u);
}

}  // namespace
}  // namespace fastio::cache
