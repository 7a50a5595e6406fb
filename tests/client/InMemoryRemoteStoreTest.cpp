// What InMemoryRemoteStore offers beyond the contract: call counting, seeding, changes "from
// another client", index lag, scripted chunk failures, lock expiry, limits, thread safety.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cctype>
#include <stdexcept>
#include <thread>

#include "client/testing/InMemoryRemoteStore.h"
#include "client/testing/SyntheticContent.h"
#include "tests/client/StoreTestUtil.h"

namespace fastio::testing {
namespace {

using ::testing::Contains;
using testutil::outcome;
using testutil::patternBytes;
using testutil::readAll;
using testutil::readRange;
using testutil::RecordingObserver;
using testutil::soon;
using testutil::uploadString;

constexpr uint64_t kMiB = 1024 * 1024;

class InMemoryRemoteStoreTest : public ::testing::Test {
 protected:
  InMemoryRemoteStore store_;
  std::string ws_ = store_.addWorkspace("unit-ws");
};

TEST_F(InMemoryRemoteStoreTest, CountsEveryCallPerMethodButNotTheHelpers) {
  const Node file = store_.seedFile(ws_, "a.txt", "hello");
  store_.seedFolder(ws_, "x/y");
  EXPECT_EQ(store_.totalCalls(), 0u);

  ASSERT_TRUE(readAll(store_, ws_, file.id).ok());
  ASSERT_TRUE(readAll(store_, ws_, file.id).ok());
  EXPECT_EQ(outcome(readAll(store_, ws_, "nope")), "not_found");  // failures count too
  ASSERT_TRUE(store_.listWorkspaces(soon()).ok());
  EXPECT_EQ(store_.callCount(RemoteMethod::kRead), 3u);
  EXPECT_EQ(store_.callCount("read"), 3u);
  EXPECT_EQ(store_.callCount("listWorkspaces"), 1u);
  EXPECT_EQ(store_.totalCalls(), 4u);
  EXPECT_EQ(store_.bytesServed(), 10u);

  ASSERT_TRUE(store_.externalWrite(ws_, file.id, "changed").ok());
  EXPECT_EQ(store_.totalCalls(), 4u);
  store_.resetCallCounts();
  EXPECT_EQ(store_.totalCalls(), 0u);
  EXPECT_THROW((void)store_.callCount("raed"), std::invalid_argument);
}

TEST_F(InMemoryRemoteStoreTest, AnExpiredDeadlineFailsButIsCounted) {
  FakeClock clock;
  const Deadline expired = Deadline::after(Seconds(1), clock);
  clock.advance(Seconds(2));
  EXPECT_EQ(outcome(store_.listOrgs(expired)), "deadline");
  EXPECT_EQ(store_.callCount(RemoteMethod::kListOrgs), 1u);
}

TEST_F(InMemoryRemoteStoreTest, SeedingCreatesParentsAndOverwritesInPlace) {
  const Node first = store_.seedFile(ws_, "docs/2024/report.txt", "v1");
  const std::optional<Node> folder = store_.nodeAt(ws_, "docs/2024");
  ASSERT_TRUE(folder.has_value());
  EXPECT_TRUE(folder->isFolder());
  EXPECT_EQ(first.parentId, folder->id);

  const Node second = store_.seedFile(ws_, "docs/2024/report.txt", "v2, longer");
  EXPECT_EQ(second.id, first.id);
  EXPECT_NE(second.version, first.version);
  EXPECT_EQ(store_.contentOf(ws_, first.id), "v2, longer");
  EXPECT_EQ(store_.versionsOf(ws_, first.id).size(), 2u);
  EXPECT_EQ(store_.liveChildren(ws_, folder->id).size(), 1u);
  EXPECT_THROW(store_.seedFile(ws_, "docs/bad\x01name", "x"), std::invalid_argument);
  EXPECT_THROW(store_.seedFile("no-such-ws", "a", "x"), std::invalid_argument);
}

TEST_F(InMemoryRemoteStoreTest, IdsMatchIgnoringCaseAndHyphensAndWorkspacesByFolderName) {
  const Node file = store_.seedFile(ws_, "f.txt", "content");
  std::string display;
  for (std::size_t i = 0; i < file.id.size(); ++i) {
    if (i > 0 && i % 5 == 0) display += '-';
    display += static_cast<char>(std::toupper(static_cast<unsigned char>(file.id[i])));
  }
  Result<std::string> content = readAll(store_, "unit-ws", display);
  ASSERT_TRUE(content.ok()) << testutil::describe(content);
  EXPECT_EQ(*content, "content");
}

TEST_F(InMemoryRemoteStoreTest, ReadsArriveInPiecesOfTheConfiguredSize) {
  const std::string content = patternBytes(1005);
  const Node file = store_.seedFile(ws_, "p.bin", content);
  store_.setReadPieceSize(100);
  int pieces = 0;
  ReadRequest request{ws_, file.id, "", 0, 0};
  ASSERT_TRUE(store_
                  .read(
                      request,
                      [&](uint64_t, std::string_view bytes) {
                        ++pieces;
                        EXPECT_LE(bytes.size(), 100u);
                        return okStatus();
                      },
                      soon())
                  .ok());
  EXPECT_EQ(pieces, 11);
}

TEST_F(InMemoryRemoteStoreTest, IgnoringRangeStillHonoursAWholeFileRequest) {
  const Node file = store_.seedFile(ws_, "w.bin", patternBytes(5000));
  store_.setIgnoreRange(true);
  Result<testutil::ReadBack> whole = readRange(store_, ws_, file.id, 0, 0);
  ASSERT_TRUE(whole.ok());
  EXPECT_TRUE(whole->outcome.rangeHonoured);
  Result<testutil::ReadBack> part = readRange(store_, ws_, file.id, 10, 10);
  ASSERT_TRUE(part.ok());
  EXPECT_FALSE(part->outcome.rangeHonoured);
  EXPECT_EQ(part->firstOffset, 0u);
  EXPECT_EQ(part->outcome.bytesDelivered, 5000u);
  EXPECT_EQ(part->outcome.totalSize, 5000u);
}

TEST_F(InMemoryRemoteStoreTest, ListingCallbacksMayCallBackIntoTheStore) {
  for (int i = 0; i < 5; ++i) store_.seedFolder(ws_, "d" + std::to_string(i));
  store_.setPageSize(2);
  int pages = 0;
  Status status = store_.listFolder(
      ws_, "root",
      [&](FolderPage&& page) {
        ++pages;
        for (const Node& n : page.nodes) {
          EXPECT_TRUE(store_.nodeDetails(ws_, {n.id}, soon()).ok());  // no self-deadlock
        }
        EXPECT_EQ(page.last, pages == 3);
        return true;
      },
      soon());
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(pages, 3);
}

TEST_F(InMemoryRemoteStoreTest, ExternalChangesWakeAPollAndShowThroughTheStore) {
  const Node file = store_.seedFile(ws_, "shared.txt", "mine");
  Result<ActivityBatch> start = store_.pollActivity(ws_, "", 0, soon());
  ASSERT_TRUE(start.ok());

  Result<ActivityBatch> woken = makeError(ErrorCode::kInternal, "not run");
  std::thread poller([&] { woken = store_.pollActivity(ws_, start->lastActivity, 60, soon()); });
  Result<Node> changed = store_.externalWrite(ws_, file.id, "theirs");
  poller.join();
  ASSERT_TRUE(changed.ok());
  ASSERT_TRUE(woken.ok()) << testutil::describe(woken);
  EXPECT_THAT(woken->keys, Contains("storage:" + file.id));
  EXPECT_NE(changed->version, file.version);
  EXPECT_EQ(changed->id, file.id);
  EXPECT_EQ(readAll(store_, ws_, file.id).valueOr(""), "theirs");

  ASSERT_TRUE(store_.externalRename(ws_, file.id, "renamed.txt").ok());
  const Node dir = store_.seedFolder(ws_, "dir");
  ASSERT_TRUE(store_.externalMove(ws_, file.id, dir.id).ok());
  EXPECT_EQ(store_.nodeAt(ws_, "dir/renamed.txt")->id, file.id);
  ASSERT_TRUE(store_.externalDelete(ws_, dir.id).ok());
  EXPECT_TRUE(store_.isTrashed(ws_, file.id));
  EXPECT_EQ(outcome(readAll(store_, ws_, file.id)), "not_found");
}

TEST_F(InMemoryRemoteStoreTest, PollErrorsAndDeadline) {
  EXPECT_EQ(outcome(store_.pollActivity("999", "", 0, soon())), "not_found");
  EXPECT_EQ(outcome(store_.pollActivity(ws_, "yesterday", 0, soon())), "invalid");
  EXPECT_EQ(outcome(store_.pollActivity(ws_, "1", -1, soon())), "invalid");
  const std::string marker = std::to_string(store_.activityMarker());
  EXPECT_EQ(outcome(store_.pollActivity(ws_, marker, 30, Deadline::after(Millis(50)))), "deadline");
  // The user entity carries upload keys.
  EXPECT_TRUE(store_.pollActivity(store_.userId(), "", 0, soon()).ok());
}

TEST_F(InMemoryRemoteStoreTest, APollFarBehindIsToldThatEverythingMayHaveChanged) {
  const std::string marker = std::to_string(store_.activityMarker());
  for (int i = 0; i < 6000; ++i) store_.seedFolder(ws_, "f" + std::to_string(i));
  Result<ActivityBatch> batch = store_.pollActivity(ws_, marker, 0, soon());
  ASSERT_TRUE(batch.ok());
  EXPECT_THAT(batch->keys, Contains("storage"));
}

TEST(InMemoryRemoteStoreClockTest, SearchSeesAFileOnlyAfterTheIndexLag) {
  FakeClock clock;
  InMemoryRemoteStore store(clock);
  const std::string ws = store.addWorkspace("lag-ws");
  store.setSearchIndexLag(Seconds(10));
  const Node file = store.seedFile(ws, "notes.txt", "the walrus sleeps");
  EXPECT_EQ(store.nodeById(ws, file.id)->aiState, "pending");
  Result<SearchResult> before = store.search(ws, "walrus", SearchOptions{}, soon());
  ASSERT_TRUE(before.ok());
  EXPECT_TRUE(before->hits.empty());
  clock.advance(Seconds(10));
  Result<SearchResult> after = store.search(ws, "walrus", SearchOptions{}, soon());
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->hits.size(), 1u);
  EXPECT_EQ(after->hits[0].nodeId, file.id);
  EXPECT_THAT(after->hits[0].snippet, ::testing::HasSubstr("walrus"));
  EXPECT_EQ(store.nodeById(ws, file.id)->aiState, "ready");
}

TEST_F(InMemoryRemoteStoreTest, SearchRanksNameHitsAndSupportsNameMatchModes) {
  store_.seedFile(ws_, "budget.txt", "numbers");
  store_.seedFile(ws_, "notes.txt", "the budget is tight; budget review on monday");
  store_.seedFile(ws_, "other.txt", "nothing relevant");
  store_.seedFile(ws_, "binary.bin", std::string("budget\0budget", 13));
  Result<SearchResult> ranked = store_.search(ws_, "budget", SearchOptions{}, soon());
  ASSERT_TRUE(ranked.ok());
  ASSERT_EQ(ranked->hits.size(), 2u);  // the binary file's content is not indexed
  EXPECT_EQ(ranked->hits[0].name, "budget.txt");
  EXPECT_DOUBLE_EQ(ranked->hits[0].relevance, 1.0);
  EXPECT_LT(ranked->hits[1].relevance, 1.0);
  EXPECT_EQ(ranked->hits[1].scoreSource, "keyword");

  SearchOptions names;
  names.searchIn = SearchIn::kFilename;
  names.nameMatch = "glob";
  Result<SearchResult> glob = store_.search(ws_, "*.TXT", names, soon());
  ASSERT_TRUE(glob.ok());
  EXPECT_EQ(glob->hits.size(), 3u);
  names.nameMatch = "exact";
  EXPECT_EQ(store_.search(ws_, "notes.txt", names, soon())->hits.size(), 1u);
  names.nameMatch = "prefix";
  EXPECT_EQ(store_.search(ws_, "bu", names, soon())->hits.size(), 1u);
  names.limit = 1;
  names.nameMatch = "contains";
  EXPECT_EQ(store_.search(ws_, "xt", names, soon())->hits.size(), 1u);
  EXPECT_EQ(outcome(store_.search(ws_, "t", names, soon())), "invalid");  // too short
}

TEST_F(InMemoryRemoteStoreTest, AskWithoutAMatchOrWithoutIntelligence) {
  Result<AskAnswer> nothing = store_.ask(ws_, "anything about platypus?", soon());
  ASSERT_TRUE(nothing.ok());
  EXPECT_EQ(nothing->state, "complete");
  EXPECT_TRUE(nothing->citations.empty());
  const std::string plain = store_.addWorkspace("plain-ws", /*intelligence=*/false);
  EXPECT_EQ(outcome(store_.ask(plain, "hello?", soon())), "denied");
  Result<SearchResult> search = store_.search(plain, "hello", SearchOptions{}, soon());
  ASSERT_TRUE(search.ok());
  EXPECT_FALSE(search->intelligenceEnabled);
}

TEST_F(InMemoryRemoteStoreTest, AFailedChunkLeavesAResumableSession) {
  store_.setUploadLimits(UploadLimits{1 * kMiB, 0, 550});
  store_.failChunkOnce(3, makeError(ErrorCode::kUnavailable, "chunk 3 lost"));
  const std::string content = patternBytes(5 * kMiB + 1);
  RecordingObserver first;
  EXPECT_EQ(outcome(uploadString(store_, ws_, "root", "big.bin", content, &first)), "unavailable");
  ASSERT_EQ(first.sessions.size(), 1u);
  std::optional<UploadSessionInfo> session = store_.uploadSession(first.sessions[0]);
  ASSERT_TRUE(session.has_value());
  EXPECT_EQ(session->acknowledgedChunks, (std::set<uint32_t>{1, 2}));
  EXPECT_FALSE(session->stored);
  EXPECT_FALSE(store_.nodeAt(ws_, "big.bin").has_value());

  UploadRequest resume{ws_, "root", "big.bin", content.size(), "", first.sessions[0], 1 * kMiB, ""};
  RecordingObserver second;
  Result<UploadResult> done =
      store_.upload(resume, testutil::stringSource(content), &second, soon());
  ASSERT_TRUE(done.ok()) << testutil::describe(done);
  EXPECT_EQ(second.acknowledged, (std::set<uint32_t>{3, 4, 5, 6}));
  EXPECT_EQ(second.maxBytesSent, content.size());
  EXPECT_EQ(store_.contentOf(ws_, done->node.id), content);
  session = store_.uploadSession(first.sessions[0]);
  EXPECT_TRUE(session->stored);
  EXPECT_EQ(session->newFileId, done->node.id);

  // Resuming a stored session answers with the stored file and sends nothing.
  bool read = false;
  Result<UploadResult> again = store_.upload(
      resume,
      [&](uint64_t, char*, std::size_t) -> Result<std::size_t> {
        read = true;
        return std::size_t{0};
      },
      nullptr, soon());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->node.id, done->node.id);
  EXPECT_FALSE(read);
  EXPECT_EQ(store_.versionsOf(ws_, done->node.id).size(), 1u);
}

TEST_F(InMemoryRemoteStoreTest, ResumeMustMatchTheSession) {
  store_.setUploadLimits(UploadLimits{1 * kMiB, 0, 550});
  store_.failChunkOnce(1, makeError(ErrorCode::kUnavailable, "lost"));
  const std::string content = patternBytes(5 * kMiB);
  RecordingObserver first;
  ASSERT_FALSE(uploadString(store_, ws_, "root", "m.bin", content, &first).ok());
  ASSERT_EQ(first.sessions.size(), 1u);
  UploadRequest wrongSize{ws_, "root", "m.bin", content.size() - 1, "", first.sessions[0], 0, ""};
  EXPECT_EQ(outcome(store_.upload(wrongSize, testutil::stringSource(content), nullptr, soon())),
            "invalid");
  UploadRequest wrongChunk{ws_,      "root", "m.bin", content.size(), "", first.sessions[0],
                           2 * kMiB, ""};
  EXPECT_EQ(outcome(store_.upload(wrongChunk, testutil::stringSource(content), nullptr, soon())),
            "invalid");
}

TEST_F(InMemoryRemoteStoreTest, ARefusedChunkEndsTheSessionLikeTheHttpStoreDoes) {
  store_.setUploadLimits(UploadLimits{1 * kMiB, 0, 550});
  store_.failChunkOnce(2, makeError(ErrorCode::kInvalid, "chunk 2 refused"));
  RecordingObserver first;
  EXPECT_EQ(outcome(uploadString(store_, ws_, "root", "r.bin", patternBytes(5 * kMiB), &first)),
            "invalid");
  ASSERT_EQ(first.sessions.size(), 1u);
  EXPECT_FALSE(store_.uploadSession(first.sessions[0]).has_value());
}

TEST_F(InMemoryRemoteStoreTest, CancelUploadDropsTheSession) {
  store_.setUploadLimits(UploadLimits{1 * kMiB, 0, 550});
  store_.failChunkOnce(2, makeError(ErrorCode::kUnavailable, "lost"));
  RecordingObserver first;
  ASSERT_FALSE(uploadString(store_, ws_, "root", "c.bin", patternBytes(5 * kMiB), &first).ok());
  ASSERT_EQ(first.sessions.size(), 1u);
  ASSERT_TRUE(store_.uploadSession(first.sessions[0]).has_value());
  EXPECT_TRUE(store_.cancelUpload(first.sessions[0], soon()).ok());
  EXPECT_FALSE(store_.uploadSession(first.sessions[0]).has_value());
  EXPECT_TRUE(store_.cancelUpload(first.sessions[0], soon()).ok());
  EXPECT_TRUE(store_.cancelUpload("u-never-existed", soon()).ok());
  EXPECT_EQ(store_.callCount("cancelUpload"), 3u);
}

TEST_F(InMemoryRemoteStoreTest, HiddenStoredNodesAnswerWithoutAVersionAndShowUpLater) {
  store_.hideStoredNodesFromDetails(2);
  Result<UploadResult> up = uploadString(store_, ws_, "root", "late.txt", "late");
  ASSERT_TRUE(up.ok()) << testutil::describe(up);
  EXPECT_FALSE(up->node.id.empty());
  EXPECT_TRUE(up->node.version.empty());
  EXPECT_EQ(up->node.size, 4u);
  EXPECT_EQ(up->node.parentId, "root");
  for (int i = 0; i < 2; ++i) {
    Result<NodeDetailsBatch> missing = store_.nodeDetails(ws_, {up->node.id}, soon());
    ASSERT_TRUE(missing.ok());
    EXPECT_TRUE(missing->nodes.empty());
    EXPECT_EQ(missing->missingIds.size(), 1u);
  }
  Result<NodeDetailsBatch> shown = store_.nodeDetails(ws_, {up->node.id}, soon());
  ASSERT_TRUE(shown.ok());
  ASSERT_EQ(shown->nodes.size(), 1u);
  EXPECT_EQ(shown->nodes[0].version, store_.nodeAt(ws_, "late.txt")->version);
  EXPECT_FALSE(shown->nodes[0].version.empty());
}

TEST_F(InMemoryRemoteStoreTest, PlanLimitsAndShortSourcesAreRefused) {
  store_.setUploadLimits(UploadLimits{1 * kMiB, 10 * kMiB, 4});
  EXPECT_EQ(outcome(uploadString(store_, ws_, "root", "huge", std::string(10 * kMiB + 1, 'x'))),
            "too_large");
  EXPECT_EQ(outcome(uploadString(store_, ws_, "root", "many", std::string(5 * kMiB, 'x'))),
            "too_large");
  UploadRequest request{ws_, "root", "short.txt", 100, "", "", 0, ""};
  const std::string only50(50, 'y');
  EXPECT_EQ(outcome(store_.upload(request, testutil::stringSource(only50), nullptr, soon())),
            "invalid");
  EXPECT_FALSE(store_.nodeAt(ws_, "short.txt").has_value());
}

TEST(InMemoryRemoteStoreClockTest, LocksExpireOnTheStoreClock) {
  FakeClock clock;
  InMemoryRemoteStore store(clock);
  const std::string ws = store.addWorkspace("lock-ws");
  const Node file = store.seedFile(ws, "l.txt", "x");
  Result<LockInfo> lock = store.acquireLock(ws, file.id, 60, soon());
  ASSERT_TRUE(lock.ok());
  EXPECT_TRUE(store.nodeDetails(ws, {file.id}, soon())->nodes.at(0).locked);
  clock.advance(Seconds(59));
  EXPECT_TRUE(store.lockStatus(ws, file.id, soon())->locked);
  ASSERT_TRUE(store.heartbeatLock(ws, file.id, lock->token, soon()).ok());  // extends
  clock.advance(Seconds(59));
  EXPECT_TRUE(store.lockStatus(ws, file.id, soon())->locked);
  clock.advance(Seconds(2));  // 61 s after the heartbeat: the lock's own 60 s have passed
  EXPECT_FALSE(store.lockStatus(ws, file.id, soon())->locked);
  EXPECT_FALSE(store.nodeDetails(ws, {file.id}, soon())->nodes.at(0).locked);
  EXPECT_EQ(outcome(store.heartbeatLock(ws, file.id, lock->token, soon())), "conflict");
  EXPECT_TRUE(store.acquireLock(ws, file.id, 60, soon()).ok());
}

TEST_F(InMemoryRemoteStoreTest, ManyThreadsUploadAndReadConsistently) {
  constexpr int kThreads = 8;
  constexpr int kFilesEach = 25;
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kFilesEach; ++i) {
        const std::string content = patternBytes(1000 + 37 * i, t * 100 + i);
        const std::string name = "t" + std::to_string(t) + "-" + std::to_string(i);
        Result<UploadResult> up = uploadString(store_, ws_, "root", name, content);
        if (!up.ok() || readAll(store_, ws_, up->node.id).valueOr("") != content) ++mismatches;
        // Everyone also overwrites one shared file; it must stay one node.
        if (!uploadString(store_, ws_, "root", "shared", content).ok()) ++mismatches;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(mismatches.load(), 0);
  EXPECT_EQ(store_.liveChildren(ws_, "root").size(), kThreads * kFilesEach + 1u);
  EXPECT_EQ(store_.versionsOf(ws_, store_.nodeAt(ws_, "shared")->id).size(),
            static_cast<std::size_t>(kThreads * kFilesEach));
  EXPECT_EQ(store_.callCount(RemoteMethod::kUpload), 2u * kThreads * kFilesEach);
}

TEST_F(InMemoryRemoteStoreTest, RestrictedNamesAreRefused) {
  for (const std::string& bad :
       {std::string("trailing."), std::string("trailing "), std::string("back\\slash"),
        std::string("zero\u200Bwidth"), std::string(256, 'n')}) {
    EXPECT_EQ(outcome(store_.createFolder(ws_, "root", bad, soon())), "invalid") << bad;
  }
  EXPECT_TRUE(store_.createFolder(ws_, "root", std::string(255, 'n'), soon()).ok());
  EXPECT_TRUE(store_.createFolder(ws_, "root", "ünïcödé ✓", soon()).ok());
  EXPECT_EQ(outcome(store_.deleteNode(ws_, "root", soon())), "invalid");
  EXPECT_EQ(outcome(store_.rename(ws_, "root", "x", "", soon())), "invalid");
}

TEST_F(InMemoryRemoteStoreTest, SyntheticFilesServeHugeContentWithoutStoringIt) {
  EXPECT_EQ(syntheticBytes(5, 3, 10), syntheticBytes(5, 0, 13).substr(3));
  EXPECT_NE(syntheticBytes(5, 0, 64), syntheticBytes(6, 0, 64));

  constexpr uint64_t kSize = 3ull * 1024 * 1024 * 1024;  // 3 GiB, never materialised
  const Node big = store_.seedSyntheticFile(ws_, "media/huge.bin", kSize, 5);
  EXPECT_EQ(big.size, kSize);
  EXPECT_FALSE(big.version.empty());
  EXPECT_EQ(store_.versionsOf(ws_, big.id).size(), 1u);
  const uint64_t offset = 2ull * 1024 * 1024 * 1024 + 5;
  Result<testutil::ReadBack> middle = readRange(store_, ws_, big.id, offset, 200000);
  ASSERT_TRUE(middle.ok());
  EXPECT_EQ(middle->firstOffset, offset);
  EXPECT_TRUE(middle->bytes == syntheticBytes(5, offset, 200000));
  Result<testutil::ReadBack> tail = readRange(store_, ws_, big.id, kSize - 10, 100);
  ASSERT_TRUE(tail.ok());
  EXPECT_EQ(tail->bytes, syntheticBytes(5, kSize - 10, 10));
  EXPECT_TRUE(store_.search(ws_, "huge", SearchOptions{}, soon()).ok());

  // An ordinary upload replaces it in place.
  Result<UploadResult> replaced = uploadString(store_, ws_, big.parentId, "huge.bin", "small");
  ASSERT_TRUE(replaced.ok());
  EXPECT_EQ(replaced->node.id, big.id);
  EXPECT_EQ(readAll(store_, ws_, big.id).valueOr(""), "small");
}

TEST_F(InMemoryRemoteStoreTest, MoveOfAFileOntoAFolderNameIsAutoRenamed) {
  const Node dst = store_.seedFolder(ws_, "dst");
  store_.seedFolder(ws_, "dst/report.txt");
  const Node file = store_.seedFile(ws_, "report.txt", "x");
  Result<Node> moved = store_.move(ws_, file.id, dst.id, soon());
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(moved->name, "report (2).txt");
  EXPECT_EQ(store_.liveChildren(ws_, dst.id).size(), 2u);
}

}  // namespace
}  // namespace fastio::testing
