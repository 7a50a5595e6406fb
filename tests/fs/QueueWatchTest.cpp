// How `fastiofs sync` and `fastiofs unmount` read the upload queue (docs/SEMANTICS.md
// "Unmount and restart").
#include <gtest/gtest.h>

#include "fs/StatusRender.h"
#include "fs/cli/QueueWatch.h"

namespace fastio::cli {
namespace {

TEST(QueueWatch, ReadsTheQueueFromStatsJson) {
  fs::StatusSnapshot s;
  s.pid = 4242;
  s.uploadsQueued = 3;
  s.uploadsInFlight = 1;
  s.uploadBytesPending = 5 << 20;
  s.uploadBytesPerSecond = 1 << 20;
  s.uploadsParked = 1;
  s.uploadErrors = {"7: denied"};
  auto q = parseQueueState(fs::renderStatsJson(s));
  ASSERT_TRUE(q);
  EXPECT_EQ(q->pid, 4242);
  EXPECT_EQ(q->queued, 3u);
  EXPECT_EQ(q->inFlight, 1u);
  EXPECT_EQ(q->bytesPending, 5u << 20);
  EXPECT_EQ(q->failed, 1u);
  EXPECT_EQ(q->errors, std::vector<std::string>{"7: denied"});
  EXPECT_FALSE(q->idle());
  EXPECT_EQ(describeQueue(*q), "4 files, 5.0 MiB to upload, 1.0 MiB/s, 1 failed");
}

TEST(QueueWatch, AnIdleQueueAndGarbage) {
  auto q = parseQueueState(R"({"pid": 1, "uploads": {"queued": 0, "in_flight": 0}})");
  ASSERT_TRUE(q);
  EXPECT_TRUE(q->idle());
  EXPECT_FALSE(parseQueueState("not json"));
  EXPECT_FALSE(parseQueueState("[1, 2]"));
  auto odd = parseQueueState(R"({"pid": "x", "uploads": {"queued": -3, "errors": [1, "e"]}})");
  ASSERT_TRUE(odd) << "wrong types read as zero, never a crash";
  EXPECT_EQ(odd->queued, 0u);
  EXPECT_EQ(odd->errors, std::vector<std::string>{"e"});
}

}  // namespace
}  // namespace fastio::cli
