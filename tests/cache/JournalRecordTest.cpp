// The journal's on-disk formats (records v1 and v2, write-ahead frames, CRC-32C) and amend().

#include <fstream>

#include "cache/Codec.h"
#include "cache/Crc32c.h"
#include "cache/JournalRecord.h"
#include "cache/LmdbEnv.h"
#include "cache/WriteAheadLog.h"
#include "tests/cache/JournalTesting.h"

namespace fastio::cache {
namespace {

using fastio::testing::TempDir;
using testing::contentOf;

// The format-1 encoder as it was before the write-ahead log (kept here, not in the library).
std::string encodeV1(const DirtyFileState& st, uint64_t logGen) {
  auto extents = [](ByteWriter& w, const std::vector<DirtyExtent>& list) {
    w.u64(list.size());
    for (const auto& e : list) w.u64(e.offset).u64(e.length).u64(e.logOffset);
  };
  ByteWriter w;
  w.u8(1).u64(st.key).u64(logGen).str(st.workspaceId).str(st.parentId).str(st.name);
  w.str(st.baseNodeId).str(st.baseVersion).u64(st.size).u64(st.baseVisibleSize).u64(st.generation);
  extents(w, st.extents);
  w.u32(st.attempts).str(st.lastError).i64(st.lastErrorAtNs).i64(st.modifiedAtNs);
  w.u8(st.upload ? 1 : 0);
  if (st.upload) {
    const UploadSnapshot& u = *st.upload;
    w.u64(u.generation).u64(u.size).u64(u.baseVisibleSize).str(u.baseNodeId).str(u.baseVersion);
    extents(w, u.extents);
    w.str(u.sessionId).u64(u.chunkSize).u64(u.ackedChunks.size());
    for (uint32_t order : u.ackedChunks) w.u32(order);
  }
  return w.take();
}

DirtyFileState sampleState() {
  DirtyFileState st;
  st.key = 7;
  st.workspaceId = "ws";
  st.parentId = "folder";
  st.name = "a.txt";
  st.baseNodeId = "node";
  st.baseVersion = "v1";
  st.targetNodeId = "node";
  st.targetVersion = "v1";
  st.size = 20;
  st.baseSize = 20;
  st.baseVisibleSize = 20;
  st.generation = 3;
  st.extents = {{2, 5, 0}};
  st.attempts = 2;
  st.lastError = "503";
  st.modifiedAtNs = 42;
  UploadSnapshot u;
  u.generation = 3;
  u.size = 20;
  u.baseVisibleSize = 20;
  u.baseNodeId = u.targetNodeId = "node";
  u.baseVersion = u.targetVersion = "v1";
  u.parentId = "folder";
  u.name = "a.txt";
  u.extents = st.extents;
  u.sessionId = "s";
  u.chunkSize = 1024;
  u.ackedChunks = {1, 3};
  st.upload = u;
  return st;
}

TEST(Crc32cTest, MatchesTheStandardCheckValue) {
  EXPECT_EQ(crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(crc32c("6789", crc32c("12345")), 0xE3069283u);
  EXPECT_EQ(crc32c(""), 0u);
}

TEST(JournalRecordTest, Format2RoundTripsEveryField) {
  DirtyFileState st = sampleState();
  st.targetNodeId = "other";
  st.baseSize = 30;
  st.trashAfterUpload = {"old1", "old2"};
  st.unlinked = true;
  st.mtimeNs = -5;
  st.syncError = "bad disk";
  std::vector<PoisonedRange> poison{{0, 3, 9}};
  auto rec = decodeRecord(encodeRecord(st, 4, 99, poison));
  ASSERT_TRUE(rec.ok()) << rec.error().describe();
  EXPECT_EQ(rec->state, st);
  EXPECT_EQ(rec->logGen, 4u);
  EXPECT_EQ(rec->commitSeq, 99u);
  EXPECT_EQ(rec->poison, poison);
  EXPECT_EQ(logBytesNeeded(st), 5u);
}

TEST(JournalRecordTest, Format1DecodesWithTargetEqualToBase) {
  DirtyFileState st = sampleState();
  auto rec = decodeRecord(encodeV1(st, 2));
  ASSERT_TRUE(rec.ok()) << rec.error().describe();
  EXPECT_EQ(rec->state, st);  // target and the snapshot's new fields come from base/placement
  EXPECT_EQ(rec->logGen, 2u);
  EXPECT_EQ(rec->commitSeq, 0u);
}

TEST(JournalRecordTest, MalformedRecordsAreErrorsNeverCrashes) {
  std::string good = encodeRecord(sampleState(), 1, 1, {{0, 1, 2}});
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_FALSE(decodeRecord(good.substr(0, n)).ok()) << "prefix of " << n << " bytes";
  }
  std::string huge = good;
  huge[1 + 8 + 8 + 8] = '\x7f';  // the workspace id's length
  EXPECT_FALSE(decodeRecord(huge).ok());
  EXPECT_FALSE(decodeRecord("\x09rest").ok());
}

TEST(JournalRecordTest, AJournalOfFormat1RecordsOpens) {
  TempDir tmp;
  DirtyFileState st = sampleState();
  st.key = 3;
  st.upload.reset();
  {
    LmdbEnvOptions o;
    o.maxDatabases = 4;
    auto env = LmdbEnv::open(tmp.path() / "records", o);
    ASSERT_TRUE(env.ok());
    auto files = (*env)->openDatabase("files");
    auto meta = (*env)->openDatabase("meta");
    ASSERT_TRUE(files.ok() && meta.ok());
    auto txn = (*env)->beginWrite();
    ASSERT_TRUE(txn->put(*files, ByteWriter().u64(3).take(), encodeV1(st, 0)).ok());
    ASSERT_TRUE(txn->put(*meta, "next_key", ByteWriter().u64(4).take()).ok());
    ASSERT_TRUE(txn->commit().ok());
  }
  std::filesystem::create_directories(tmp.path() / "staging");
  std::ofstream(tmp.path() / "staging" / "3-0.log") << "HELLO";
  FakeClock clock;
  auto j = DirtyJournal::open(tmp.path(), {}, clock);
  ASSERT_TRUE(j.ok()) << j.error().describe();
  auto loaded = (*j)->state(3);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->targetNodeId, "node");
  EXPECT_EQ(loaded->targetVersion, "v1");
  EXPECT_EQ(contentOf(**j, 3), "..HELLO" + std::string(13, '.'));
  // Rewritten in the new format at the next commit, and still readable after it.
  ASSERT_TRUE((*j)->write(3, 0, testing::bytesOf("x")).ok());
  ASSERT_TRUE((*j)->sync(3).ok());
  EXPECT_EQ((*j)->begin({"ws", "root", "n", "", "", 0}).value(), 4u);
  j->reset();
  auto again = DirtyJournal::open(tmp.path(), {}, clock);
  ASSERT_TRUE(again.ok()) << again.error().describe();
  EXPECT_EQ(contentOf(**again, 3), "x.HELLO" + std::string(13, '.'));
}

TEST(WriteAheadLogTest, ReadsFramesUntilTheFirstDamagedOne) {
  TempDir tmp;
  auto wal = WriteAheadLog::open(tmp.path() / "w.wal");
  ASSERT_TRUE(wal.ok());
  std::string frames;
  WriteAheadLog::appendFrame(frames, WalFrameKind::kRecord, 1, 10, "first");
  WriteAheadLog::appendFrame(frames, WalFrameKind::kTombstone, 2, 11, {});
  size_t twoFrames = frames.size();
  WriteAheadLog::appendFrame(frames, WalFrameKind::kRecord, 3, 12, "third");
  ASSERT_TRUE((*wal)->append(frames).ok());
  auto all = (*wal)->readAll();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->frames.size(), 3u);
  EXPECT_EQ(all->frames[0].record, "first");
  EXPECT_EQ(all->frames[1].kind, WalFrameKind::kTombstone);
  EXPECT_EQ(all->frames[2].seq, 3u);
  EXPECT_EQ(all->tornBytes, 0u);
  // Damage the third frame's payload: the replay keeps the first two.
  frames[twoFrames + 10] = static_cast<char>(frames[twoFrames + 10] ^ 1);
  ASSERT_TRUE((*wal)->truncateTo(0).ok());
  ASSERT_TRUE((*wal)->append(frames).ok());
  all = (*wal)->readAll();
  ASSERT_EQ(all->frames.size(), 2u);
  EXPECT_EQ(all->validBytes, twoFrames);
  EXPECT_EQ(all->tornBytes, frames.size() - twoFrames);
  // A replacement keeps exactly what it is given.
  ASSERT_TRUE((*wal)->replaceWith(frames.substr(0, twoFrames)).ok());
  EXPECT_EQ((*wal)->size(), twoFrames);
  EXPECT_EQ((*wal)->readAll()->frames.size(), 2u);
}

class AmendTest : public testing::JournalFixture {};

TEST_F(AmendTest, ChangesWhatTheUploadDoesAndSurvivesARestart) {
  auto k = journal_->begin({"ws", "root", "a", "node", "v1", 10});
  ASSERT_TRUE(k.ok());
  uint64_t generation = journal_->state(*k)->generation;
  auto moveAndRetarget = [](DirtyFileState& st) {
    st.parentId = "p2";
    st.name = "b";
    st.targetNodeId = "other";
    st.targetVersion = "v9";
    st.trashAfterUpload = {"old"};
    st.mtimeNs = 123;
    return okStatus();
  };
  ASSERT_TRUE(journal_->amend(*k, moveAndRetarget).ok());
  EXPECT_EQ(journal_->state(*k)->generation, generation) << "not a content change";
  EXPECT_EQ(journal_->findByNode("other"), *k);
  ASSERT_TRUE(journal_->sync(*k, Durability::kProcess).ok());
  reopen();
  auto st = journal_->state(*k);
  EXPECT_EQ(st->name, "b");
  EXPECT_EQ(st->targetNodeId, "other");
  EXPECT_EQ(st->trashAfterUpload, std::vector<std::string>{"old"});
  EXPECT_EQ(st->mtimeNs, 123);
  EXPECT_EQ(st->baseNodeId, "node");
}

TEST_F(AmendTest, RejectsContentChangesAndRestoresTheOldState) {
  FileKey k = newFile("a");
  ASSERT_TRUE(put(k, 0, "data").ok());
  DirtyFileState before = *journal_->state(k);
  auto renameAndResize = [](DirtyFileState& st) {
    st.name = "renamed";
    st.size = 1;
    return okStatus();
  };
  Status s = journal_->amend(k, renameAndResize);
  EXPECT_EQ(s.error().code, ErrorCode::kInvalid);
  EXPECT_EQ(*journal_->state(k), before);
  for (auto change : std::vector<std::function<void(DirtyFileState&)>>{
           [](DirtyFileState& st) { st.extents.clear(); },
           [](DirtyFileState& st) { st.baseNodeId = "x"; },
           [](DirtyFileState& st) { st.workspaceId = "x"; },
           [](DirtyFileState& st) { st.syncError = "x"; }, [](DirtyFileState& st) { st.key = 99; },
           [](DirtyFileState& st) { st.upload.emplace(); }}) {
    auto apply = [&](DirtyFileState& st) {
      change(st);
      return okStatus();
    };
    EXPECT_FALSE(journal_->amend(k, apply).ok());
    EXPECT_EQ(*journal_->state(k), before);
  }
  auto renameThenFail = [](DirtyFileState& st) -> Status {
    st.name = "half done";
    return makeError(ErrorCode::kExists, "caller gave up");
  };
  s = journal_->amend(k, renameThenFail);
  EXPECT_EQ(s.error().code, ErrorCode::kExists);
  EXPECT_EQ(*journal_->state(k), before);
}

TEST_F(AmendTest, CompletionWithLaterWritesMovesBaseAndTargetButKeepsTheTrashList) {
  auto k = journal_->begin({"ws", "root", "a", "node", "v1", 4});
  auto replaceOnUpload = [](DirtyFileState& st) {
    st.trashAfterUpload = {"replaced"};
    return okStatus();
  };
  ASSERT_TRUE(journal_->amend(*k, replaceOnUpload).ok());
  ASSERT_TRUE(put(*k, 0, "AB").ok());
  auto snap = journal_->beginUpload(*k);
  ASSERT_TRUE(snap.ok());
  EXPECT_EQ(snap->targetNodeId, "node");
  EXPECT_EQ(snap->name, "a");
  ASSERT_TRUE(put(*k, 2, "C").ok());
  auto clean = journal_->completeUpload(*k, "node", "v2");
  ASSERT_TRUE(clean.ok());
  EXPECT_FALSE(*clean);
  auto st = journal_->state(*k);
  EXPECT_EQ(st->baseVersion, "v2");
  EXPECT_EQ(st->baseSize, 4u) << "the stored snapshot's size";
  EXPECT_EQ(st->targetVersion, "v2");
  EXPECT_EQ(st->trashAfterUpload, std::vector<std::string>{"replaced"});
}

}  // namespace
}  // namespace fastio::cache
