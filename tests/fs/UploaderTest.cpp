// Uploads meeting a changing world: renames, deletes and writes during an upload, transient and
// permanent failures, a restart mid-session, our own upload's activity echo, the dirty budget
// (docs/SEMANTICS.md "Uploads", "Writes"). Gated and fault-injecting stores over the in-memory
// service; no FUSE.
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "client/testing/FaultInjectingRemoteStore.h"
#include "client/testing/GatedRemoteStore.h"
#include "fs/FileSystem.h"
#include "tests/fs/FsTestSupport.h"
#include "tests/fs/MemoryDirtyStore.h"

namespace fastio::fs {
namespace {

using namespace testsupport;
using testing::FaultInjectingRemoteStore;
using testing::GatedRemoteStore;
using testing::GatePoint;
using testing::InMemoryRemoteStore;

constexpr OpenFlags kWrite{true, false, false, false};

class UploaderTest : public ::testing::Test {
 protected:
  void SetUp() override { wsId = memory.addWorkspace("team"); }

  std::unique_ptr<FileSystem> makeFs(RemoteStore& remote, FsOptions o = {}) {
    if (o.blockSize != 4096) {
      o = testOptions();
      o.uploadDelay = std::chrono::hours(1);
      o.uploadThreads = 2;
    }
    auto fs =
        std::make_unique<FileSystem>(remote, cache, nullptr, o, RealClock::instance(), &dirty);
    EXPECT_TRUE(fs->start(&invalidator).ok());
    return fs;
  }
  InodeId team(FileSystem& fs) { return walk(fs, "team")->attr.ino; }
  CreateReply create(FileSystem& fs, const std::string& name, const std::string& content) {
    auto created = fs.create(team(fs), name, kWrite);
    EXPECT_TRUE(created.ok());
    EXPECT_TRUE(fs.write(created->open.handle, 0, content).ok());
    EXPECT_TRUE(fs.flush(created->open.handle).ok());
    return *created;
  }
  static bool idle(FileSystem& fs) {
    return fs.waitForUploads(std::chrono::steady_clock::now() + std::chrono::seconds(20));
  }

  InMemoryRemoteStore memory{RealClock::instance()};
  MemoryContentCache cache{64ull << 20};
  MemoryDirtyStore dirty;
  RecordingInvalidator invalidator;
  std::string wsId;
};

// SEMANTICS "Writes": a rename during an upload: the server ends with the last name given.
TEST_F(UploaderTest, ARenameDuringTheUploadEndsWithTheLastName) {
  GatedRemoteStore gate(memory);
  auto fs = makeFs(gate);
  auto file = create(*fs, "draft.txt", "text");
  fs->release(file.open.handle);
  gate.hold("upload");
  fs->uploadNow();
  ASSERT_TRUE(gate.waitForBlocked("upload", 1));
  ASSERT_TRUE(fs->rename(team(*fs), "draft.txt", team(*fs), "final.txt", 0).ok());
  gate.release("upload");
  ASSERT_TRUE(idle(*fs));
  EXPECT_FALSE(memory.nodeAt(wsId, "draft.txt"));
  auto node = memory.nodeAt(wsId, "final.txt");
  ASSERT_TRUE(node);
  EXPECT_EQ(memory.contentOf(wsId, node->id), "text");
  EXPECT_EQ(memory.callCount("upload"), 1u);
}

// SEMANTICS "Writes": renamed over another file just as its upload was stored (while the
// upload trashed what an earlier rename over left): the last rename wins, nothing is lost.
TEST_F(UploaderTest, ARenameOverAsTheUploadCompletesEndsAtTheLastTarget) {
  memory.seedFile(wsId, "b", "bee");
  memory.seedFile(wsId, "e", "eee");
  memory.seedFile(wsId, "g", "gee");
  const std::string gId = memory.nodeAt(wsId, "g")->id;
  GatedRemoteStore gate(memory);
  auto fs = makeFs(gate);
  ASSERT_TRUE(fs->rename(team(*fs), "e", team(*fs), "b", 0).ok());
  gate.hold("deleteNode");  // the upload over b is stored; trashing e waits
  fs->uploadNow();
  ASSERT_TRUE(gate.waitForBlocked("deleteNode", 1));
  ASSERT_TRUE(fs->rename(team(*fs), "b", team(*fs), "g", 0).ok());
  gate.release("deleteNode");
  ASSERT_TRUE(idle(*fs));
  EXPECT_FALSE(memory.nodeAt(wsId, "b")) << "renamed away: it went to the trash";
  EXPECT_FALSE(memory.nodeAt(wsId, "e"));
  auto g = memory.nodeAt(wsId, "g");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->id, gId) << "a rename over keeps the target's node";
  EXPECT_EQ(memory.contentOf(wsId, g->id), "eee");
  EXPECT_FALSE(walk(*fs, "team/b").ok());
  auto seen = walk(*fs, "team/g");
  ASSERT_TRUE(seen.ok());
  EXPECT_EQ(readAll(*fs, seen->attr.ino).valueOr(""), "eee");
}

// SEMANTICS "Writes": deleted while its first upload ran: what the upload created goes.
TEST_F(UploaderTest, ANewFileDeletedDuringItsUploadLeavesNothingBehind) {
  GatedRemoteStore gate(memory);
  auto fs = makeFs(gate);
  auto file = create(*fs, "short-lived", "bytes");
  fs->release(file.open.handle);
  gate.hold("upload", GatePoint::kAfterCall);  // stored, the answer held back
  fs->uploadNow();
  ASSERT_TRUE(gate.waitForBlocked("upload", 1));
  ASSERT_TRUE(fs->unlink(team(*fs), "short-lived").ok());
  gate.release("upload");
  ASSERT_TRUE(idle(*fs));
  EXPECT_FALSE(memory.nodeAt(wsId, "short-lived")) << "the stored node was trashed";
  EXPECT_FALSE(walk(*fs, "team/short-lived").ok());
}

// SEMANTICS "Uploads": a file changed during its upload is uploaded again afterwards.
TEST_F(UploaderTest, WritesDuringAnUploadAreUploadedAgain) {
  GatedRemoteStore gate(memory);
  auto fs = makeFs(gate);
  auto file = create(*fs, "log.txt", "first ");
  gate.hold("upload");
  fs->uploadNow();
  ASSERT_TRUE(gate.waitForBlocked("upload", 1));
  ASSERT_TRUE(fs->write(file.open.handle, 6, "second").ok());
  ASSERT_TRUE(fs->flush(file.open.handle).ok());
  fs->release(file.open.handle);
  gate.release("upload");
  fs->uploadNow();
  ASSERT_TRUE(idle(*fs));
  auto node = memory.nodeAt(wsId, "log.txt");
  ASSERT_TRUE(node);
  EXPECT_EQ(memory.contentOf(wsId, node->id), "first second");
  EXPECT_EQ(memory.callCount("upload"), 2u);
  EXPECT_EQ(memory.versionsOf(wsId, node->id).size(), 2u) << "the second upload updated it";
}

// SEMANTICS "Uploads": a rename over a file whose own upload is in flight waits for that upload;
// the version it makes is this mount's, not another client's (no conflict copy).
TEST_F(UploaderTest, AnUploadOverANodeWaitsForTheUploadAlreadyUpdatingIt) {
  memory.seedFile(wsId, "i.log", "old log");
  memory.seedFile(wsId, "notes.md", "notes");
  const std::string logId = memory.nodeAt(wsId, "i.log")->id;
  GatedRemoteStore gate(memory);
  auto fs = makeFs(gate);
  auto log = walk(*fs, "team/i.log");
  ASSERT_TRUE(log.ok());
  auto opened = fs->open(log->attr.ino, true);
  ASSERT_TRUE(opened.ok());
  ASSERT_TRUE(fs->write(opened->handle, 0, "new log").ok());
  ASSERT_TRUE(fs->flush(opened->handle).ok());
  fs->release(opened->handle);
  gate.hold("upload", GatePoint::kAfterCall);  // stored, the answer held back
  fs->uploadNow();
  ASSERT_TRUE(gate.waitForBlocked("upload", 1));
  ASSERT_TRUE(fs->rename(team(*fs), "notes.md", team(*fs), "i.log", 0).ok());
  fs->uploadNow();
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (fs->counters().uploadsQueuedBehind.load() == 0 &&
         std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_EQ(fs->counters().uploadsQueuedBehind.load(), 1u);
  gate.release("upload");
  ASSERT_TRUE(idle(*fs));
  EXPECT_EQ(fs->counters().uploadConflicts.load(), 0u);
  auto node = memory.nodeAt(wsId, "i.log");
  ASSERT_TRUE(node);
  EXPECT_EQ(node->id, logId) << "a rename over keeps the target's node";
  EXPECT_EQ(memory.contentOf(wsId, node->id), "notes");
  EXPECT_FALSE(memory.nodeAt(wsId, "notes.md"));
  EXPECT_EQ(memory.callCount("upload"), 2u) << "no conflict copy was uploaded";
}

// SEMANTICS "Uploads": a server file moved to the name of a new file whose upload is in flight
// (deleted here by the move) waits for that upload: the server would overwrite the moved file
// in place with the create, and the deleted file's result then goes to the trash.
TEST_F(UploaderTest, AMoveToTheNameOfADeletedFileBeingCreatedWaitsForThatUpload) {
  memory.seedFile(wsId, "notes.md", "notes");
  const std::string notesId = memory.nodeAt(wsId, "notes.md")->id;
  GatedRemoteStore gate(memory);
  auto fs = makeFs(gate);
  auto created = create(*fs, "j", "short-lived");
  fs->release(created.open.handle);
  gate.hold("upload");  // the create has not reached the service
  fs->uploadNow();
  ASSERT_TRUE(gate.waitForBlocked("upload", 1));
  auto renamed = std::async(std::launch::async,
                            [&] { return fs->rename(team(*fs), "notes.md", team(*fs), "j", 0); });
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (fs->counters().renamesBehindUploads.load() == 0 &&
         std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(fs->counters().renamesBehindUploads.load(), 1u);
  gate.release("upload");
  ASSERT_TRUE(renamed.get().ok());
  ASSERT_TRUE(idle(*fs));
  auto node = memory.nodeAt(wsId, "j");
  ASSERT_TRUE(node);
  EXPECT_EQ(node->id, notesId);
  EXPECT_EQ(memory.contentOf(wsId, node->id), "notes");
  EXPECT_FALSE(memory.nodeAt(wsId, "notes.md"));
  auto seen = walk(*fs, "team/j");
  ASSERT_TRUE(seen.ok());
  EXPECT_EQ(readAll(*fs, seen->attr.ino).valueOr(""), "notes");
}

// SEMANTICS "Uploads": a file written again right after its upload, listed through a listing
// fetched as the upload was stored: one entry, the pending one.
TEST_F(UploaderTest, AFileWrittenAgainAfterItsUploadIsListedOnce) {
  memory.seedFile(wsId, "x", "x");
  GatedRemoteStore gate(memory);
  auto fs = makeFs(gate);
  auto file = create(*fs, "e.txt", "first");
  fs->release(file.open.handle);
  const InodeId dir = team(*fs);
  gate.hold("upload");
  fs->uploadNow();
  ASSERT_TRUE(gate.waitForBlocked("upload", 1));
  // A change on the server made here: the folder is listed again at the next readdir.
  ASSERT_TRUE(fs->rename(dir, "x", dir, "y", 0).ok());
  gate.hold("listFolder", GatePoint::kAfterCall);  // answered before the upload: no e.txt
  auto listed = std::async(std::launch::async, [&] { return fs->readDirectory(dir); });
  ASSERT_TRUE(gate.waitForBlocked("listFolder", 1));
  gate.release("upload");
  ASSERT_TRUE(idle(*fs));
  ASSERT_TRUE(memory.nodeAt(wsId, "e.txt"));
  auto again = fs->open(file.entry.attr.ino, true);
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE(fs->write(again->handle, 5, " second").ok());
  ASSERT_TRUE(fs->flush(again->handle).ok());
  gate.release("listFolder");
  auto snapshot = listed.get();
  ASSERT_TRUE(snapshot.ok());
  int named = 0;
  for (const DirEntry& e : (*snapshot)->entries) named += e.name == "e.txt" ? 1 : 0;
  EXPECT_EQ(named, 1);
  fs->release(again->handle);
}

// SEMANTICS "Uploads": transient failures retry until stored; nothing surfaces.
TEST_F(UploaderTest, TransientFailuresAreRetriedUntilStored) {
  FaultInjectingRemoteStore faults(memory, 7, RealClock::instance());
  auto fs = makeFs(faults);
  auto file = create(*fs, "retry.txt", "eventually");
  fs->release(file.open.handle);
  faults.failNext("upload", 2, ErrorCode::kUnavailable);
  fs->uploadNow();
  ASSERT_TRUE(idle(*fs));
  auto node = memory.nodeAt(wsId, "retry.txt");
  ASSERT_TRUE(node);
  EXPECT_EQ(memory.contentOf(wsId, node->id), "eventually");
  EXPECT_EQ(fs->counters().uploadFailures.load(), 2u);
  EXPECT_EQ(fs->uploadStats().filesParked, 0u);
}

// SEMANTICS "Uploads": a permanent failure parks the file with its error; a change retries.
TEST_F(UploaderTest, APermanentFailureParksTheFileUntilItChanges) {
  FaultInjectingRemoteStore faults(memory, 7, RealClock::instance());
  auto fs = makeFs(faults);
  auto file = create(*fs, "refused.txt", "v1");
  faults.failNext("upload", 1, ErrorCode::kDenied);
  fs->uploadNow();
  ASSERT_TRUE(idle(*fs)) << "a parked file does not hold the queue";
  EXPECT_EQ(fs->uploadStats().filesParked, 1u);
  auto sync = fs->getxattr(file.entry.attr.ino, "user.fastio.sync");
  ASSERT_TRUE(sync.ok());
  EXPECT_EQ(sync->rfind("error: ", 0), 0u) << *sync;
  EXPECT_FALSE(memory.nodeAt(wsId, "refused.txt"));
  EXPECT_EQ(walk(*fs, "team/refused.txt")->attr.size, 2u) << "kept locally";
  ASSERT_TRUE(fs->write(file.open.handle, 2, "+").ok());
  fs->release(file.open.handle);
  fs->uploadNow();
  ASSERT_TRUE(idle(*fs));
  auto node = memory.nodeAt(wsId, "refused.txt");
  ASSERT_TRUE(node);
  EXPECT_EQ(memory.contentOf(wsId, node->id), "v1+");
}

// SEMANTICS "Uploads": a chunked session resumes after a restart from its acknowledged chunks.
TEST_F(UploaderTest, AChunkedSessionResumesAfterARestart) {
  const std::string big = patterned(9 << 20, 'q');
  std::string sessionId;
  {
    auto fs = makeFs(memory);
    auto file = create(*fs, "big.bin", big);
    fs->release(file.open.handle);
    memory.failChunkOnce(2, makeError(ErrorCode::kUnavailable, "connection reset"));
    fs->uploadNow();
    // The first attempt stops at chunk 2 and records its session; the restart comes before
    // the retry (whose backoff is a second).
    for (int i = 0; i < 200 && sessionId.empty(); ++i) {
      for (const DirtyFile& f : dirty.list()) {
        if (f.upload && !f.upload->sessionId.empty() && f.attempts > 0)
          sessionId = f.upload->sessionId;
      }
      if (sessionId.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_FALSE(sessionId.empty());
    fs->stop();
  }
  auto before = memory.uploadSession(sessionId);
  ASSERT_TRUE(before);
  EXPECT_FALSE(before->stored);
  auto fs = makeFs(memory);
  fs->uploadNow();
  ASSERT_TRUE(idle(*fs));
  auto after = memory.uploadSession(sessionId);
  ASSERT_TRUE(after);
  EXPECT_TRUE(after->stored) << "the same session finished";
  auto node = memory.nodeAt(wsId, "big.bin");
  ASSERT_TRUE(node);
  EXPECT_EQ(memory.contentOf(wsId, node->id), big);
}

// SEMANTICS "Uploads": the activity feed's echo of our own upload leaves the kernel's cache.
TEST_F(UploaderTest, TheEchoOfOurOwnUploadDoesNotInvalidateTheKernel) {
  auto fs = makeFs(memory);
  auto file = create(*fs, "mine.txt", "ours");
  fs->release(file.open.handle);
  fs->uploadNow();
  ASSERT_TRUE(idle(*fs));
  auto node = memory.nodeAt(wsId, "mine.txt");
  ASSERT_TRUE(node);
  fs->applyActivity(wsId, {"storage:" + node->id});
  ASSERT_TRUE(memory.externalWrite(wsId, node->id, "theirs").ok());
  fs->applyActivity(wsId, {"storage:" + node->id});
  ASSERT_TRUE(invalidator.waitForInode(file.entry.attr.ino));
  EXPECT_EQ(std::count(invalidator.inodes.begin(), invalidator.inodes.end(), file.entry.attr.ino),
            1)
      << "only the real change invalidated it";
}

// SEMANTICS "Writes": a move never passes through the name of a file this mount stored after
// the destination was listed (the server would trash that file).
TEST_F(UploaderTest, AMoveDoesNotPassThroughAFileStoredSinceTheListing) {
  memory.seedFile(wsId, "src/i.log", "moving");
  memory.seedFile(wsId, "src/f", "keeps its name");
  ASSERT_TRUE(memory
                  .createFolder(wsId, "root", "dst",
                                Deadline::after(std::chrono::seconds(5), RealClock::instance()))
                  .ok());
  auto fs = makeFs(memory);
  const InodeId dst = walk(*fs, "team/dst")->attr.ino;
  EXPECT_FALSE(walk(*fs, "team/dst/i.log").ok());  // the listing of dst is cached now
  auto created = fs->create(dst, "i.log", kWrite);
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE(fs->write(created->open.handle, 0, "stored here").ok());
  ASSERT_TRUE(fs->flush(created->open.handle).ok());
  fs->release(created->open.handle);
  fs->uploadNow();
  ASSERT_TRUE(idle(*fs));
  ASSERT_TRUE(fs->rename(walk(*fs, "team/src")->attr.ino, "i.log", dst, "f", 0).ok());
  auto kept = memory.nodeAt(wsId, "dst/i.log");
  ASSERT_TRUE(kept) << "the stored file was trashed by the move";
  EXPECT_EQ(memory.contentOf(wsId, kept->id), "stored here");
  auto moved = memory.nodeAt(wsId, "dst/f");
  ASSERT_TRUE(moved);
  EXPECT_EQ(memory.contentOf(wsId, moved->id), "moving");
  EXPECT_TRUE(memory.nodeAt(wsId, "src/f"));
}

// SEMANTICS "Writes": at the dirty limit a write waits for uploads to make room.
TEST_F(UploaderTest, AtTheDirtyLimitAWriteWaitsForUploadsToMakeRoom) {
  FsOptions o = testOptions();
  o.uploadDelay = std::chrono::hours(1);
  o.dirtyLimitBytes = 64 * 1024;
  auto fs = makeFs(memory, o);
  auto first = create(*fs, "first.bin", std::string(48 * 1024, 'a'));
  fs->release(first.open.handle);
  auto second = fs->create(team(*fs), "second.bin", kWrite);
  ASSERT_TRUE(second.ok());
  // Over the limit: the pending upload starts at once and the write goes through after it.
  auto n = fs->write(second->open.handle, 0, std::string(32 * 1024, 'b'));
  ASSERT_TRUE(n.ok()) << n.error().describe();
  EXPECT_TRUE(memory.nodeAt(wsId, "first.bin")) << "uploaded to make room";
  EXPECT_GE(fs->counters().dirtyWaits.load(), 1u);
  fs->release(second->open.handle);
}

}  // namespace
}  // namespace fastio::fs
