// The RemoteStore contract, continued: what makes uploads safe to repeat and to race
// (overwrite in place by name, compare-and-swap, cancelled sessions). Part of the same suite as
// RemoteStoreContract.cpp, run against every backend.

#include <gmock/gmock.h>

#include <atomic>

#include "tests/client/RemoteStoreContract.h"
#include "tests/client/StoreTestUtil.h"

namespace fastio {
namespace {

using testutil::describe;
using testutil::findNamed;
using testutil::listAll;
using testutil::outcome;
using testutil::patternBytes;
using testutil::readAll;
using testutil::RecordingObserver;
using testutil::soon;
using testutil::stringSource;
using testutil::uploadString;

constexpr uint64_t kMiB = 1024 * 1024;
constexpr uint64_t kSingleCallMax = 4 * kMiB;

#define ASSERT_OK(expr) ASSERT_TRUE((expr).ok()) << describe(expr)

// A single call, and a chunked session (over 4 MiB) for every backend.
const std::vector<std::pair<std::string, uint64_t>> kBothPaths = {
    {"single call", 3000}, {"chunked", kSingleCallMax + 4096}};

Result<UploadResult> compareAndSwap(RemoteStore& store, const std::string& ws, const Node& file,
                                    const std::string& ifVersionId, const std::string& content,
                                    RecordingObserver* observer = nullptr) {
  UploadRequest request;
  request.workspaceId = ws;
  request.name = file.name;
  request.size = content.size();
  request.existingFileId = file.id;
  request.ifVersionId = ifVersionId;
  return store.upload(request, stringSource(content), observer, soon(Seconds(120)));
}

Result<Node> detailsOf(RemoteStore& store, const std::string& ws, const std::string& id) {
  Result<NodeDetailsBatch> batch = store.nodeDetails(ws, {id}, soon());
  if (!batch.ok()) return batch.error();
  if (batch->nodes.size() != 1) return makeError(ErrorCode::kNotFound, "node " + id + " missing");
  return batch->nodes.front();
}

// ------------------------------------------------------------------ overwrite in place

TEST_P(RemoteStoreContract, SameNameInTheSameFolderOverwritesInPlaceOnBothUploadPaths) {
  Result<Node> docs = store().createFolder(ws(), "root", "docs", soon());
  ASSERT_OK(docs);
  Result<UploadResult> first = uploadString(store(), ws(), docs->id, "same.bin", "first");
  ASSERT_OK(first);
  std::string lastVersion = first->node.version;
  uint32_t seed = 40;
  for (const auto& [path, size] : kBothPaths) {
    SCOPED_TRACE(path);
    const std::string content = patternBytes(size, ++seed);
    Result<UploadResult> again = uploadString(store(), ws(), docs->id, "same.bin", content);
    ASSERT_OK(again);
    EXPECT_EQ(again->node.id, first->node.id);
    EXPECT_EQ(again->node.parentId, docs->id);
    EXPECT_NE(again->node.version, lastVersion);
    lastVersion = again->node.version;
    Result<testutil::Listing> listing = listAll(store(), ws(), docs->id);
    ASSERT_OK(listing);
    ASSERT_EQ(listing->nodes.size(), 1u) << "a copy was made instead of a new version";
    EXPECT_EQ(listing->nodes.front().name, "same.bin");
    Result<std::string> back = readAll(store(), ws(), first->node.id);
    ASSERT_OK(back);
    EXPECT_TRUE(*back == content);
  }
  // The old content is kept as a version.
  Result<std::string> original = readAll(store(), ws(), first->node.id, first->node.version);
  ASSERT_OK(original);
  EXPECT_EQ(*original, "first");
  // The same name in another folder is another file.
  Result<UploadResult> elsewhere = uploadString(store(), ws(), "root", "same.bin", "root copy");
  ASSERT_OK(elsewhere);
  EXPECT_NE(elsewhere->node.id, first->node.id);
}

// ------------------------------------------------------------------ compare-and-swap

TEST_P(RemoteStoreContract, UploadCompareAndSwapWithTheCurrentVersionReplacesTheContent) {
  uint32_t seed = 50;
  for (const auto& [path, size] : kBothPaths) {
    SCOPED_TRACE(path);
    Result<UploadResult> base = uploadString(store(), ws(), "root", "cas-" + path, "base");
    ASSERT_OK(base);
    const std::string content = patternBytes(size, ++seed);
    Result<UploadResult> swapped =
        compareAndSwap(store(), ws(), base->node, base->node.version, content);
    ASSERT_OK(swapped);
    EXPECT_EQ(swapped->node.id, base->node.id);
    EXPECT_NE(swapped->node.version, base->node.version);
    EXPECT_FALSE(swapped->node.version.empty());
    EXPECT_EQ(swapped->node.size, size);
    Result<std::string> back = readAll(store(), ws(), base->node.id);
    ASSERT_OK(back);
    EXPECT_TRUE(*back == content);
  }
}

TEST_P(RemoteStoreContract, UploadCompareAndSwapWithAStaleVersionIsAConflictAndChangesNothing) {
  uint32_t seed = 60;
  for (const auto& [path, size] : kBothPaths) {
    SCOPED_TRACE(path);
    Result<UploadResult> base = uploadString(store(), ws(), "root", "stale-" + path, "one");
    ASSERT_OK(base);
    Result<UploadResult> moved = uploadString(store(), ws(), "root", "stale-" + path, "two");
    ASSERT_OK(moved);
    ASSERT_EQ(moved->node.id, base->node.id);

    RecordingObserver observer;
    Result<UploadResult> lost = compareAndSwap(store(), ws(), base->node, base->node.version,
                                               patternBytes(size, ++seed), &observer);
    EXPECT_EQ(outcome(lost), "conflict");
    Result<Node> after = detailsOf(store(), ws(), base->node.id);
    ASSERT_OK(after);
    EXPECT_EQ(after->version, moved->node.version);
    EXPECT_EQ(after->size, 3u);
    Result<std::string> content = readAll(store(), ws(), base->node.id);
    ASSERT_OK(content);
    EXPECT_EQ(*content, "two");
    // Whatever session the attempt opened is over.
    for (const std::string& session : observer.sessions) {
      UploadRequest resume;
      resume.workspaceId = ws();
      resume.name = base->node.name;
      resume.size = size;
      resume.resumeSessionId = session;
      resume.resumeChunkSize = observer.chunkSize;
      EXPECT_EQ(outcome(store().upload(resume, stringSource(std::string()), nullptr, soon())),
                "not_found");
    }
  }
}

TEST_P(RemoteStoreContract, AChunkedCompareAndSwapLosesToAChangeMadeWhileItUploads) {
  Result<UploadResult> base = uploadString(store(), ws(), "root", "raced.bin", "base");
  ASSERT_OK(base);
  const std::string ours = patternBytes(kSingleCallMax + 4096, 71);
  std::atomic<bool> changed{false};
  std::string otherVersion;
  UploadRequest request;
  request.workspaceId = ws();
  request.name = "raced.bin";
  request.size = ours.size();
  request.existingFileId = base->node.id;
  request.ifVersionId = base->node.version;
  // Another writer stores a new version after our session was accepted, before it completes.
  Result<UploadResult> lost = store().upload(
      request,
      [&](uint64_t offset, char* out, std::size_t length) -> Result<std::size_t> {
        if (!changed.exchange(true)) {
          Result<UploadResult> other = uploadString(store(), ws(), "root", "raced.bin", "theirs");
          if (!other.ok()) return other.error();
          otherVersion = other->node.version;
        }
        return stringSource(ours)(offset, out, length);
      },
      nullptr, soon(Seconds(120)));
  EXPECT_EQ(outcome(lost), "conflict");
  ASSERT_TRUE(changed.load());
  Result<Node> after = detailsOf(store(), ws(), base->node.id);
  ASSERT_OK(after);
  EXPECT_EQ(after->version, otherVersion);
  Result<std::string> content = readAll(store(), ws(), base->node.id);
  ASSERT_OK(content);
  EXPECT_EQ(*content, "theirs");
}

TEST_P(RemoteStoreContract, UploadCompareAndSwapNeedsAnExistingFile) {
  UploadRequest request;
  request.workspaceId = ws();
  request.name = "new.txt";
  request.size = 3;
  request.ifVersionId = "v0000000000000000000000000000";
  EXPECT_EQ(outcome(store().upload(request, stringSource("abc"), nullptr, soon())), "invalid");
  Result<testutil::Listing> listing = listAll(store(), ws(), "root");
  ASSERT_OK(listing);
  EXPECT_EQ(findNamed(listing->nodes, "new.txt"), nullptr);
}

// ------------------------------------------------------------------ cancelled sessions

TEST_P(RemoteStoreContract, ACancelledSessionCannotBeResumed) {
  const std::string content = patternBytes(kSingleCallMax + 4096, 81);
  UploadRequest request;
  request.workspaceId = ws();
  request.name = "cancelled.bin";
  request.size = content.size();
  RecordingObserver observer;
  ASSERT_EQ(outcome(testutil::uploadStoppedByDeadline(store(), request, content, 1, observer)),
            "deadline");
  ASSERT_EQ(observer.sessions.size(), 1u);
  const std::string session = observer.sessions.front();

  ASSERT_OK(store().cancelUpload(session, soon()));
  ASSERT_OK(store().cancelUpload(session, soon()));  // a session that is gone counts as done
  request.resumeSessionId = session;
  request.resumeChunkSize = observer.chunkSize;
  EXPECT_EQ(outcome(store().upload(request, stringSource(content), nullptr, soon())), "not_found");
  Result<testutil::Listing> listing = listAll(store(), ws(), "root");
  ASSERT_OK(listing);
  EXPECT_EQ(findNamed(listing->nodes, "cancelled.bin"), nullptr);
}

TEST_P(RemoteStoreContract, ASourceErrorEndsTheSession) {
  const std::string content = patternBytes(kSingleCallMax + 4096, 91);
  UploadRequest request;
  request.workspaceId = ws();
  request.name = "unreadable.bin";
  request.size = content.size();
  RecordingObserver observer;
  Result<UploadResult> failed = store().upload(
      request,
      [&](uint64_t offset, char* out, std::size_t length) -> Result<std::size_t> {
        // The second half is unreadable, whatever the chunk size.
        if (offset + length > content.size() / 2) {
          return makeError(ErrorCode::kStale, "the local copy changed");
        }
        return stringSource(content)(offset, out, length);
      },
      &observer, soon(Seconds(120)));
  EXPECT_EQ(outcome(failed), "stale");
  ASSERT_EQ(observer.sessions.size(), 1u);
  request.resumeSessionId = observer.sessions.front();
  request.resumeChunkSize = observer.chunkSize;
  EXPECT_EQ(outcome(store().upload(request, stringSource(content), nullptr, soon())), "not_found");
}

}  // namespace
}  // namespace fastio
