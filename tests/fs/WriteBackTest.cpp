// The write path of the core (WriteBack, Uploader, the mutating FileSystem calls) against
// InMemoryRemoteStore and MemoryDirtyStore, no FUSE (docs/SEMANTICS.md "Writes" and "Uploads").
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <regex>

#include "common/FaultPoints.h"
#include "fs/FileSystem.h"
#include "tests/fs/FsTestSupport.h"
#include "tests/fs/MemoryDirtyStore.h"

namespace fastio::fs {
namespace {

using namespace testsupport;
using testing::InMemoryRemoteStore;

constexpr OpenFlags kWrite{true, false, false, false};
constexpr OpenFlags kRead{false, false, false, false};

class WriteBackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    wsId = remote.addWorkspace("team");
    report = remote.seedFile(wsId, "docs/report.txt", "quarterly revenue grew");
    big = patterned(4096 * 5 + 77);
    remote.seedFile(wsId, "data/big.bin", big);
  }
  void TearDown() override { faults::disarmAll(); }

  FsOptions options(Duration delay = std::chrono::hours(1)) {
    FsOptions o = testOptions();
    o.uploadDelay = delay;
    o.uploadThreads = 2;
    o.hostName = "testhost";
    return o;
  }
  std::unique_ptr<FileSystem> makeFs(FsOptions o) {
    auto fs =
        std::make_unique<FileSystem>(remote, cache, nullptr, o, RealClock::instance(), &dirty);
    EXPECT_TRUE(fs->start(&invalidator).ok());
    return fs;
  }
  std::unique_ptr<FileSystem> makeFs() { return makeFs(options()); }

  InodeId dirIno(FileSystem& fs, const std::string& path) {
    auto e = walk(fs, path);
    EXPECT_TRUE(e.ok()) << path;
    return e.ok() ? e->attr.ino : 0;
  }
  // create + write + close, like `echo content > path`.
  InodeId writeNew(FileSystem& fs, const std::string& dir, const std::string& name,
                   const std::string& content) {
    auto created = fs.create(dirIno(fs, dir), name, kWrite);
    EXPECT_TRUE(created.ok()) << (created.ok() ? "" : created.error().describe());
    if (!created.ok()) return 0;
    auto n = fs.write(created->open.handle, 0, content);
    EXPECT_TRUE(n.ok());
    EXPECT_TRUE(fs.flush(created->open.handle).ok());
    fs.release(created->open.handle);
    return created->entry.attr.ino;
  }
  void drain(FileSystem& fs) {
    fs.uploadNow();
    ASSERT_TRUE(fs.waitForUploads(std::chrono::steady_clock::now() + std::chrono::seconds(20)));
  }
  std::set<std::string> namesIn(FileSystem& fs, const std::string& dir) {
    std::set<std::string> names;
    auto listing = fs.readDirectory(dirIno(fs, dir));
    EXPECT_TRUE(listing.ok());
    if (listing.ok()) {
      for (const auto& e : (*listing)->entries) names.insert(e.name);
    }
    return names;
  }
  std::string readPath(FileSystem& fs, const std::string& path) {
    auto e = walk(fs, path);
    if (!e.ok()) return "<" + e.error().describe() + ">";
    auto content = readAll(fs, e->attr.ino, 1000);
    return content.ok() ? *content : "<" + content.error().describe() + ">";
  }

  InMemoryRemoteStore remote{RealClock::instance()};
  MemoryContentCache cache{64ull << 20};
  MemoryDirtyStore dirty;
  RecordingInvalidator invalidator;
  std::string wsId;
  Node report;
  std::string big;
};

// SEMANTICS "Writes": a new file is visible at once and uploaded after the delay.
TEST_F(WriteBackTest, ANewFileIsVisibleAtOnceAndUploadedKeepingItsInode) {
  auto fs = makeFs();
  const InodeId ino = writeNew(*fs, "team/docs", "notes.txt", "hello world");
  EXPECT_EQ(namesIn(*fs, "team/docs"), (std::set<std::string>{"notes.txt", "report.txt"}));
  EXPECT_EQ(readPath(*fs, "team/docs/notes.txt"), "hello world");
  EXPECT_EQ(fs->getattr(ino)->attr.size, 11u);
  EXPECT_EQ(*fs->getxattr(ino, "user.fastio.sync"), "pending");
  EXPECT_EQ(remote.callCount("upload"), 0u) << "nothing is uploaded before the idle delay";
  EXPECT_FALSE(remote.nodeAt(wsId, "docs/notes.txt"));

  drain(*fs);
  auto stored = remote.nodeAt(wsId, "docs/notes.txt");
  ASSERT_TRUE(stored);
  EXPECT_EQ(remote.contentOf(wsId, stored->id), "hello world");
  EXPECT_EQ(remote.callCount("upload"), 1u);
  EXPECT_EQ(walk(*fs, "team/docs/notes.txt")->attr.ino, ino) << "the inode keeps its number";
  EXPECT_EQ(*fs->getxattr(ino, "user.fastio.sync"), "clean");
  EXPECT_EQ(*fs->getxattr(ino, "user.fastio.id"), stored->id);
  EXPECT_EQ(namesIn(*fs, "team/docs"), (std::set<std::string>{"notes.txt", "report.txt"}));
}

// SEMANTICS "Writes": reading again after the upload downloads nothing.
TEST_F(WriteBackTest, RereadAfterTheUploadComesFromTheBlockCache) {
  auto fs = makeFs();
  const std::string content = patterned(4096 * 3 + 5, 'k');
  writeNew(*fs, "team", "blob.bin", content);
  drain(*fs);
  const uint64_t reads = remote.callCount("read");
  EXPECT_EQ(readPath(*fs, "team/blob.bin"), content);
  EXPECT_EQ(remote.callCount("read"), reads);
}

// SEMANTICS "Writes": holes read as zeros; writes merge with the base version's blocks.
TEST_F(WriteBackTest, WritesAtAnyOffsetMergeWithTheBaseVersion) {
  auto fs = makeFs();
  auto file = walk(*fs, "team/data/big.bin");
  ASSERT_TRUE(file.ok());
  auto opened = fs->open(file->attr.ino, kWrite);
  ASSERT_TRUE(opened.ok());
  ASSERT_TRUE(fs->write(opened->handle, 5000, "XYZ").ok());
  const uint64_t past = big.size() + 100;
  ASSERT_TRUE(fs->write(opened->handle, past, "tail").ok());
  std::string expected = big;
  expected.replace(5000, 3, "XYZ");
  expected += std::string(100, '\0') + "tail";
  EXPECT_EQ(*readAll(*fs, file->attr.ino, 3000), expected);
  EXPECT_EQ(fs->getattr(file->attr.ino)->attr.size, expected.size());
  ASSERT_TRUE(fs->flush(opened->handle).ok());
  fs->release(opened->handle);
  drain(*fs);
  auto node = remote.nodeAt(wsId, "data/big.bin");
  ASSERT_TRUE(node);
  EXPECT_EQ(remote.contentOf(wsId, node->id), expected);
  EXPECT_EQ(remote.versionsOf(wsId, node->id).size(), 2u) << "updated in place, node id kept";
}

// SEMANTICS "Writes": O_APPEND writes at the end whatever offset the kernel sent.
TEST_F(WriteBackTest, AppendWritesAtTheEnd) {
  auto fs = makeFs();
  auto file = walk(*fs, "team/docs/report.txt");
  ASSERT_TRUE(file.ok());
  auto opened = fs->open(file->attr.ino, OpenFlags{true, false, true, false});
  ASSERT_TRUE(opened.ok());
  ASSERT_TRUE(fs->write(opened->handle, 0, " again").ok());
  ASSERT_TRUE(fs->write(opened->handle, 0, "!").ok());
  fs->release(opened->handle);
  EXPECT_EQ(readPath(*fs, "team/docs/report.txt"), "quarterly revenue grew again!");
}

// SEMANTICS "Writes": O_TRUNC and truncate to 0 never download the base.
TEST_F(WriteBackTest, TruncateNeverDownloadsTheBase) {
  auto fs = makeFs();
  auto file = walk(*fs, "team/data/big.bin");
  ASSERT_TRUE(file.ok());
  auto opened = fs->open(file->attr.ino, OpenFlags{true, true, false, false});
  ASSERT_TRUE(opened.ok());
  ASSERT_TRUE(fs->write(opened->handle, 0, "small").ok());
  fs->release(opened->handle);
  EXPECT_EQ(readPath(*fs, "team/data/big.bin"), "small");
  drain(*fs);
  EXPECT_EQ(remote.callCount("read"), 0u);
  EXPECT_EQ(remote.contentOf(wsId, remote.nodeAt(wsId, "data/big.bin")->id), "small");
}

// SEMANTICS "Writes": truncate down and up; the cut bytes read back as zeros.
TEST_F(WriteBackTest, TruncateDownThenUpReadsZeros) {
  auto fs = makeFs();
  auto file = walk(*fs, "team/docs/report.txt");
  ASSERT_TRUE(file.ok());
  SetAttrRequest down;
  down.size = 9;
  ASSERT_TRUE(fs->setattr(file->attr.ino, down).ok());
  SetAttrRequest up;
  up.size = 12;
  auto attr = fs->setattr(file->attr.ino, up);
  ASSERT_TRUE(attr.ok());
  EXPECT_EQ(attr->attr.size, 12u);
  EXPECT_EQ(readPath(*fs, "team/docs/report.txt"), std::string("quarterly") + std::string(3, '\0'));
}

// SEMANTICS "Writes": rename or delete before the upload starts makes no upload call.
TEST_F(WriteBackTest, RenameOrDeleteBeforeTheUploadMakesNoUploadCall) {
  auto fs = makeFs();
  writeNew(*fs, "team", "draft.tmp", "v1");
  const InodeId team = dirIno(*fs, "team");
  ASSERT_TRUE(fs->rename(team, "draft.tmp", team, "final.txt", 0).ok());
  EXPECT_EQ(readPath(*fs, "team/final.txt"), "v1");
  writeNew(*fs, "team", "scratch", "gone soon");
  ASSERT_TRUE(fs->unlink(team, "scratch").ok());
  EXPECT_FALSE(walk(*fs, "team/scratch").ok());
  EXPECT_EQ(remote.callCount("upload") + remote.callCount("rename") + remote.callCount("move") +
                remote.callCount("deleteNode"),
            0u)
      << "a pending file's rename and delete are journal changes only";
  drain(*fs);
  EXPECT_EQ(remote.callCount("upload"), 1u);
  EXPECT_TRUE(remote.nodeAt(wsId, "final.txt"));
  EXPECT_FALSE(remote.nodeAt(wsId, "draft.tmp"));
  EXPECT_FALSE(remote.nodeAt(wsId, "scratch"));
}

// SEMANTICS "Writes": the editor pattern keeps the target's node and history.
TEST_F(WriteBackTest, RenameOverAnExistingFileKeepsTheTargetsNode) {
  auto fs = makeFs();
  const InodeId docs = dirIno(*fs, "team/docs");
  auto created = fs->create(docs, ".report.txt.swp", kWrite);
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE(fs->write(created->open.handle, 0, "revenue grew 12%").ok());
  bool synced = false;
  fs->fsync(created->open.handle, created->entry.attr.ino, [&](Status s) { synced = s.ok(); });
  EXPECT_TRUE(synced);
  EXPECT_EQ(dirty.syncCount(Durability::kPower), 1u);
  fs->release(created->open.handle);
  ASSERT_TRUE(fs->rename(docs, ".report.txt.swp", docs, "report.txt", 0).ok());
  EXPECT_EQ(readPath(*fs, "team/docs/report.txt"), "revenue grew 12%");
  EXPECT_EQ(namesIn(*fs, "team/docs"), (std::set<std::string>{"report.txt"}));
  drain(*fs);
  auto node = remote.nodeAt(wsId, "docs/report.txt");
  ASSERT_TRUE(node);
  EXPECT_EQ(node->id, report.id) << "the target keeps its node id";
  EXPECT_EQ(remote.contentOf(wsId, node->id), "revenue grew 12%");
  EXPECT_EQ(remote.versionsOf(wsId, node->id).size(), 2u);
  EXPECT_EQ(remote.liveChildren(wsId, node->parentId).size(), 1u) << "no temp file left behind";
}

// SEMANTICS "Writes": a server file renamed over another: new version of the target, source
// trashed after the upload.
TEST_F(WriteBackTest, RenamingAServerFileOverAnotherTrashesTheSourceAfterTheUpload) {
  const Node other = remote.seedFile(wsId, "docs/other.txt", "other content");
  auto fs = makeFs();
  const InodeId docs = dirIno(*fs, "team/docs");
  ASSERT_TRUE(fs->rename(docs, "other.txt", docs, "report.txt", 0).ok());
  EXPECT_EQ(namesIn(*fs, "team/docs"), (std::set<std::string>{"report.txt"}));
  EXPECT_EQ(readPath(*fs, "team/docs/report.txt"), "other content");
  drain(*fs);
  EXPECT_EQ(remote.contentOf(wsId, report.id), "other content");
  EXPECT_TRUE(remote.isTrashed(wsId, other.id));
  EXPECT_EQ(namesIn(*fs, "team/docs"), (std::set<std::string>{"report.txt"}));
}

// SEMANTICS "Writes": rename flags.
TEST_F(WriteBackTest, RenameFlagsNoReplaceAndExchange) {
  remote.seedFile(wsId, "docs/other.txt", "x");
  auto fs = makeFs();
  const InodeId docs = dirIno(*fs, "team/docs");
  auto noReplace = fs->rename(docs, "other.txt", docs, "report.txt", kRenameNoReplace);
  ASSERT_FALSE(noReplace.ok());
  EXPECT_EQ(noReplace.error().code, ErrorCode::kExists);
  auto exchange = fs->rename(docs, "other.txt", docs, "report.txt", kRenameExchange);
  ASSERT_FALSE(exchange.ok());
  EXPECT_EQ(exchange.error().code, ErrorCode::kInvalid);
}

// SEMANTICS "Writes": rename of server objects is a server call made during the rename.
TEST_F(WriteBackTest, RenamingServerObjectsCallsTheServer) {
  auto fs = makeFs();
  const InodeId team = dirIno(*fs, "team");
  const InodeId docs = dirIno(*fs, "team/docs");
  const InodeId ino = walk(*fs, "team/docs/report.txt")->attr.ino;
  ASSERT_TRUE(fs->rename(docs, "report.txt", team, "moved.txt", 0).ok());
  auto node = remote.nodeAt(wsId, "moved.txt");
  ASSERT_TRUE(node);
  EXPECT_EQ(node->id, report.id);
  EXPECT_EQ(walk(*fs, "team/moved.txt")->attr.ino, ino) << "a rename keeps the inode";
  ASSERT_TRUE(fs->rename(team, "data", docs, "data2", 0).ok());
  EXPECT_TRUE(remote.nodeAt(wsId, "docs/data2/big.bin"));
}

// SEMANTICS "Writes": a conflict keeps both versions.
TEST_F(WriteBackTest, AConflictKeepsBothVersions) {
  auto fs = makeFs();
  auto file = walk(*fs, "team/docs/report.txt");
  ASSERT_TRUE(file.ok());
  auto opened = fs->open(file->attr.ino, OpenFlags{true, true, false, false});
  ASSERT_TRUE(opened.ok());
  ASSERT_TRUE(fs->write(opened->handle, 0, "mine").ok());
  fs->release(opened->handle);
  ASSERT_TRUE(remote.externalWrite(wsId, report.id, "theirs").ok());
  drain(*fs);
  EXPECT_EQ(remote.contentOf(wsId, report.id), "theirs") << "the original keeps the remote version";
  std::optional<Node> copy;
  for (const Node& n : remote.liveChildren(wsId, report.parentId)) {
    if (n.id != report.id) copy = n;
  }
  ASSERT_TRUE(copy);
  EXPECT_TRUE(std::regex_match(
      copy->name, std::regex(R"(report \(conflict testhost \d{4}-\d\d-\d\d \d{6}\)\.txt)")))
      << copy->name;
  EXPECT_EQ(remote.contentOf(wsId, copy->id), "mine");
  EXPECT_EQ(fs->uploadStats().conflicts, 1u);
  EXPECT_EQ(readPath(*fs, "team/docs/" + copy->name), "mine");
}

// SEMANTICS "Writes": an unlinked open file lives until its last release, never uploaded.
TEST_F(WriteBackTest, AnUnlinkedOpenFileLivesUntilItsLastRelease) {
  auto fs = makeFs();
  const InodeId team = dirIno(*fs, "team");
  auto created = fs->create(team, "tmpfile", kWrite);
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE(fs->write(created->open.handle, 0, "scratch data").ok());
  ASSERT_TRUE(fs->unlink(team, "tmpfile").ok());
  EXPECT_FALSE(walk(*fs, "team/tmpfile").ok());
  auto stillThere = fs->read(created->open.handle, 0, 100);
  ASSERT_TRUE(stillThere.ok());
  EXPECT_EQ(*stillThere, "scratch data");
  EXPECT_EQ(dirty.list().size(), 1u) << "a tombstone stays while the file is open";
  fs->release(created->open.handle);
  EXPECT_TRUE(dirty.list().empty()) << "dropped at the last release";
  drain(*fs);
  EXPECT_EQ(remote.callCount("upload"), 0u);
}

// SEMANTICS "Writes": names are checked before any call.
TEST_F(WriteBackTest, BadNamesFailAtCreateRenameAndMkdir) {
  auto fs = makeFs();
  const InodeId team = dirIno(*fs, "team");
  auto bad = fs->create(team, "trailing.", kWrite);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalid);
  auto longName = fs->create(team, std::string(200, 'a') + std::string(30, '\xc3'), kWrite);
  ASSERT_FALSE(longName.ok());
  auto longer = fs->mkdir(team, std::string(300, 'b'));
  ASSERT_FALSE(longer.ok());
  EXPECT_EQ(longer.error().code, ErrorCode::kNameTooLong);
  const InodeId docs = dirIno(*fs, "team/docs");
  auto renamed = fs->rename(docs, "report.txt", docs, "bad\x01name", 0);
  ASSERT_FALSE(renamed.ok());
  EXPECT_EQ(renamed.error().code, ErrorCode::kInvalid);
  EXPECT_EQ(
      remote.callCount("upload") + remote.callCount("rename") + remote.callCount("createFolder"),
      0u);
}

// SEMANTICS "Attributes": chmod may take permissions away, not grant them; chown only to the
// mount's owner.
TEST_F(WriteBackTest, ChmodAndChownOutsideTheMountsMappingFailWithEperm) {
  auto fs = makeFs();
  const InodeId ino = walk(*fs, "team/docs/report.txt")->attr.ino;
  SetAttrRequest same;
  same.mode = S_IFREG | 0644;
  same.uid = 1000;
  EXPECT_TRUE(fs->setattr(ino, same).ok());
  SetAttrRequest narrower;
  narrower.mode = S_IFREG | 0600;
  auto accepted = fs->setattr(ino, narrower);
  ASSERT_TRUE(accepted.ok()) << "taking permissions away (mkstemp, rsync) is accepted";
  EXPECT_EQ(accepted->attr.mode & 0777, 0644u) << "and not kept";
  SetAttrRequest exec;
  exec.mode = S_IFREG | 0755;
  auto refused = fs->setattr(ino, exec);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kNotPermitted);
  SetAttrRequest owner;
  owner.uid = 0;
  EXPECT_EQ(fs->setattr(ino, owner).error().code, ErrorCode::kNotPermitted);
}

// SEMANTICS "Writes": utimens is kept locally.
TEST_F(WriteBackTest, MtimeIsKeptLocally) {
  auto fs = makeFs();
  const InodeId clean = walk(*fs, "team/docs/report.txt")->attr.ino;
  const WallTime when = WallTime{} + std::chrono::seconds(1'000'000'000);
  SetAttrRequest touch;
  touch.mtime = when;
  EXPECT_EQ(fs->setattr(clean, touch)->attr.mtime, when);
  EXPECT_EQ(fs->getattr(clean)->attr.mtime, when);
  const InodeId fresh = writeNew(*fs, "team", "stamped", "x");
  EXPECT_EQ(fs->setattr(fresh, touch)->attr.mtime, when);
  drain(*fs);
  EXPECT_EQ(fs->getattr(fresh)->attr.mtime, when) << "kept for the uploaded version";
}

// SEMANTICS "Writes": close commits at kProcess, fsync at kPower.
TEST_F(WriteBackTest, CloseAndFsyncGiveTwoDurabilityLevels) {
  auto fs = makeFs();
  const uint64_t before = dirty.syncCount(Durability::kProcess);
  writeNew(*fs, "team", "a.txt", "abc");
  EXPECT_GT(dirty.syncCount(Durability::kProcess), before);
  EXPECT_EQ(dirty.syncCount(Durability::kPower), 0u);
}

// SEMANTICS "Writes": with sync_upload, fsync returns once the server stored the file.
TEST_F(WriteBackTest, SyncUploadFsyncWaitsForTheServer) {
  FsOptions o = options();
  o.syncUpload = true;
  auto fs = makeFs(o);
  auto created = fs->create(dirIno(*fs, "team"), "important.txt", kWrite);
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE(fs->write(created->open.handle, 0, "keep me").ok());
  std::mutex mu;
  std::condition_variable cv;
  std::optional<Status> result;
  fs->fsync(created->open.handle, created->entry.attr.ino, [&](Status s) {
    std::lock_guard lock(mu);
    // The callback runs once the server has it.
    EXPECT_TRUE(remote.nodeAt(wsId, "important.txt").has_value());
    result = s;
    cv.notify_all();
  });
  std::unique_lock lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(20), [&] { return result.has_value(); }));
  EXPECT_TRUE(result->ok());
  lock.unlock();
  fs->release(created->open.handle);
}

// SEMANTICS "Writes": what the journal holds is listed and uploaded after a restart.
TEST_F(WriteBackTest, PendingFilesSurviveARestartOfTheCore) {
  {
    auto fs = makeFs();
    writeNew(*fs, "team/docs", "pending.txt", "not uploaded yet");
    fs->stop();
  }
  auto fs = makeFs();
  EXPECT_EQ(readPath(*fs, "team/docs/pending.txt"), "not uploaded yet");
  drain(*fs);
  auto node = remote.nodeAt(wsId, "docs/pending.txt");
  ASSERT_TRUE(node);
  EXPECT_EQ(remote.contentOf(wsId, node->id), "not uploaded yet");
}

// SEMANTICS "Uploads": content already stored (a crash after `stored`) is not uploaded twice.
TEST_F(WriteBackTest, ContentStoredBeforeACrashIsAdoptedNotUploadedTwice) {
  auto fs = makeFs();
  writeNew(*fs, "team", "once.txt", "exactly once");
  faults::Spec spec;
  spec.action = faults::Action::kFail;
  faults::arm("upload.after_stored", spec);
  drain(*fs);
  EXPECT_EQ(remote.callCount("upload"), 1u);
  EXPECT_EQ(remote.liveChildren(wsId, "root").size(), 3u) << "docs, data and one once.txt";
  EXPECT_EQ(fs->counters().uploadsAdopted.load(), 1u);
  EXPECT_EQ(*fs->getxattr(walk(*fs, "team/once.txt")->attr.ino, "user.fastio.sync"), "clean");
}

// SEMANTICS "Writes": unlink and rmdir of server objects move them to the trash.
TEST_F(WriteBackTest, UnlinkAndRmdirOfServerObjectsTrash) {
  auto fs = makeFs();
  const InodeId team = dirIno(*fs, "team");
  auto notEmpty = fs->rmdir(team, "docs");
  ASSERT_FALSE(notEmpty.ok());
  EXPECT_EQ(notEmpty.error().code, ErrorCode::kNotEmpty);
  ASSERT_TRUE(fs->unlink(dirIno(*fs, "team/docs"), "report.txt").ok());
  EXPECT_TRUE(remote.isTrashed(wsId, report.id));
  ASSERT_TRUE(fs->rmdir(team, "docs").ok());
  EXPECT_EQ(namesIn(*fs, "team"), (std::set<std::string>{"data"}));
  auto root = fs->rmdir(kRootInode, "team");
  ASSERT_FALSE(root.ok());
  EXPECT_EQ(root.error().code, ErrorCode::kNotPermitted);
}

// SEMANTICS "Writes": the dirty limit.
TEST_F(WriteBackTest, TheDirtyLimitFailsWritesWithEnospcWhenOffline) {
  FsOptions o = options();
  o.dirtyLimitBytes = 10;
  auto fs = makeFs(o);
  auto created = fs->create(dirIno(*fs, "team"), "big", kWrite);
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE(fs->write(created->open.handle, 0, "0123456789").ok());
  fs->health().recordFailure("test", makeError(ErrorCode::kUnavailable, "server down"));
  ASSERT_FALSE(fs->health().online());
  auto full = fs->write(created->open.handle, 10, "x");
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().code, ErrorCode::kNoSpace);
  fs->release(created->open.handle);
}

// SEMANTICS "Writes": namespace changes of server objects need the server.
TEST_F(WriteBackTest, OfflineWritesAreAcceptedAndNamespaceChangesRefused) {
  auto fs = makeFs();
  const InodeId team = dirIno(*fs, "team");
  const InodeId docs = dirIno(*fs, "team/docs");
  namesIn(*fs, "team");
  namesIn(*fs, "team/docs");
  // Only what is cached is used below: no remote call can bring the mount back online.
  fs->health().recordFailure("test", makeError(ErrorCode::kUnavailable, "server down"));
  writeNew(*fs, "team", "offline.txt", "written offline");
  EXPECT_EQ(readPath(*fs, "team/offline.txt"), "written offline");
  EXPECT_EQ(fs->mkdir(team, "newdir").error().code, ErrorCode::kReadOnly);
  EXPECT_EQ(fs->unlink(docs, "report.txt").error().code, ErrorCode::kReadOnly);
  EXPECT_FALSE(fs->health().online());
}

TEST(ConflictName, KeepsTheExtensionAndFitsInNameMax) {
  const WallTime at = std::chrono::system_clock::from_time_t(1'700'000'000);
  const std::string name = Uploader::conflictName("report.final.pdf", "box", at);
  EXPECT_TRUE(std::regex_match(
      name, std::regex(R"(report\.final \(conflict box \d{4}-\d\d-\d\d \d{6}\)\.pdf)")))
      << name;
  const std::string longName = Uploader::conflictName(std::string(300, 'x') + ".txt", "box", at);
  EXPECT_LE(longName.size(), 255u);
  EXPECT_TRUE(longName.ends_with(").txt"));
  EXPECT_EQ(Uploader::conflictName("noext", "b/ad", at).find('/'), std::string::npos);
}

}  // namespace
}  // namespace fastio::fs
