// FileSystem core against InMemoryRemoteStore, no FUSE (docs/SEMANTICS.md sections named per
// test).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>

#include "client/testing/FaultInjectingRemoteStore.h"
#include "fs/FileSystem.h"
#include "fs/VirtualNames.h"
#include "tests/fs/FsTestSupport.h"

namespace fastio::fs {
namespace {

using namespace testsupport;
using testing::InMemoryRemoteStore;

class FileSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    wsId = remote.addWorkspace("team-docs");
    remote.seedFile(wsId, "docs/report.txt", "quarterly revenue grew twelve percent");
    big = patterned(4096 * 3 + 1234);
    remote.seedFile(wsId, "data/big.bin", big);
    remote.seedFile(wsId, "empty.txt", "");
  }
  std::unique_ptr<FileSystem> makeFs(FsOptions o = testOptions()) {
    auto fs = std::make_unique<FileSystem>(remote, cache, nullptr, o, clock);
    EXPECT_TRUE(fs->start(&invalidator).ok());
    return fs;
  }

  FakeClock clock;
  InMemoryRemoteStore remote{clock};
  MemoryContentCache cache{64ull << 20};
  RecordingInvalidator invalidator;
  std::string wsId;
  std::string big;
};

// SEMANTICS "Layout"
TEST_F(FileSystemTest, RootListsWorkspacesAndHidesTheControlDirectory) {
  auto fs = makeFs();
  auto root = fs->readDirectory(kRootInode);
  ASSERT_TRUE(root.ok());
  ASSERT_EQ((*root)->entries.size(), 1u);
  EXPECT_EQ((*root)->entries[0].name, "team-docs");
  EXPECT_TRUE(S_ISDIR((*root)->entries[0].attr.mode));
  auto control = fs->lookup(kRootInode, ".fastio");
  ASSERT_TRUE(control.ok());
  EXPECT_TRUE(S_ISDIR(control->attr.mode));
}

// SEMANTICS "Layout", "Attributes"
TEST_F(FileSystemTest, WorkspaceRootListsFilesWithAttributesAndHidesVirtualDirs) {
  auto fs = makeFs();
  auto ws = walk(*fs, "team-docs");
  ASSERT_TRUE(ws.ok());
  auto dir = fs->readDirectory(ws->attr.ino);
  ASSERT_TRUE(dir.ok());
  std::set<std::string> names;
  for (auto& e : (*dir)->entries) names.insert(e.name);
  EXPECT_EQ(names, (std::set<std::string>{"data", "docs", "empty.txt"}));

  auto file = walk(*fs, "team-docs/data/big.bin");
  ASSERT_TRUE(file.ok());
  EXPECT_TRUE(S_ISREG(file->attr.mode));
  EXPECT_EQ(file->attr.size, big.size());
  EXPECT_EQ(file->attr.uid, 1000u);
  EXPECT_EQ(file->attr.mode & 0777, 0644u);
  EXPECT_TRUE(walk(*fs, "team-docs/.search").ok());
  EXPECT_TRUE(walk(*fs, "team-docs/.ask").ok());
}

// SEMANTICS "Reads"
TEST_F(FileSystemTest, ReadsReturnTheExactBytesAtAnyOffset) {
  auto fs = makeFs();
  auto file = walk(*fs, "team-docs/data/big.bin");
  ASSERT_TRUE(file.ok());
  auto all = readAll(*fs, file->attr.ino, 3000);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, big);
  auto opened = fs->open(file->attr.ino, false);
  ASSERT_TRUE(opened.ok());
  auto mid = fs->read(opened->handle, 4000, 5000);  // crosses a block boundary
  ASSERT_TRUE(mid.ok());
  EXPECT_EQ(*mid, big.substr(4000, 5000));
  auto past = fs->read(opened->handle, big.size() + 10, 100);
  ASSERT_TRUE(past.ok());
  EXPECT_TRUE(past->empty());
  fs->release(opened->handle);

  auto empty = walk(*fs, "team-docs/empty.txt");
  ASSERT_TRUE(empty.ok());
  auto none = readAll(*fs, empty->attr.ino);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, "");
}

// SEMANTICS "Reads": cached blocks are not fetched twice
TEST_F(FileSystemTest, SecondReadIsServedFromTheBlockCache) {
  auto fs = makeFs();
  auto file = walk(*fs, "team-docs/data/big.bin");
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE(readAll(*fs, file->attr.ino).ok());
  fs->stop();  // no read-ahead racing with the count below
  const uint64_t before = remote.callCount("read");
  auto again = readAll(*fs, file->attr.ino);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, big);
  EXPECT_EQ(remote.callCount("read"), before);
}

// SEMANTICS "Reads": a server that ignores Range
TEST_F(FileSystemTest, ServerIgnoringRangeDownloadsTheFileOnce) {
  remote.setIgnoreRange(true);
  FsOptions o = testOptions();
  o.readAheadThreads = 0;
  auto fs = makeFs(o);
  auto file = walk(*fs, "team-docs/data/big.bin");
  ASSERT_TRUE(file.ok());
  auto opened = fs->open(file->attr.ino, false);
  ASSERT_TRUE(opened.ok());
  auto tail = fs->read(opened->handle, 3 * 4096, 4096);
  ASSERT_TRUE(tail.ok());
  EXPECT_EQ(*tail, big.substr(3 * 4096));
  auto head = fs->read(opened->handle, 0, 4096);
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(*head, big.substr(0, 4096));
  EXPECT_EQ(remote.callCount("read"), 1u) << "the whole body was cached by the first read";
  fs->release(opened->handle);
}

// SEMANTICS "Freshness": TTL, version-keyed blocks, kernel cache kept only for the same version
TEST_F(FileSystemTest, ChangesBecomeVisibleAfterTheTtlAndNeverMixVersions) {
  auto fs = makeFs();
  auto file = walk(*fs, "team-docs/docs/report.txt");
  ASSERT_TRUE(file.ok());
  const InodeId ino = file->attr.ino;
  ASSERT_EQ(*readAll(*fs, ino), "quarterly revenue grew twelve percent");

  auto first = fs->open(ino, false);
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->keepCache) << "same version as the previous open";
  fs->release(first->handle);

  auto node = remote.nodeAt(wsId, "docs/report.txt");
  ASSERT_TRUE(node);
  ASSERT_TRUE(remote.externalWrite(wsId, node->id, "restated").ok());
  // Within the TTL the old attributes are still served.
  EXPECT_EQ(fs->getattr(ino)->attr.size, 37u);
  clock.advance(std::chrono::seconds(6));
  EXPECT_EQ(fs->getattr(ino)->attr.size, 8u);
  auto reopened = fs->open(ino, false);
  ASSERT_TRUE(reopened.ok());
  EXPECT_FALSE(reopened->keepCache) << "new version: the kernel must drop its pages";
  EXPECT_EQ(*fs->read(reopened->handle, 0, 100), "restated");
  fs->release(reopened->handle);
}

// SEMANTICS "Freshness": negative entries
TEST_F(FileSystemTest, MissingNamesAreAnsweredFromTheListingWithinTheTtl) {
  auto fs = makeFs();
  ASSERT_TRUE(walk(*fs, "team-docs/docs").ok());
  const uint64_t listings = remote.callCount("listFolder");
  for (int i = 0; i < 5; ++i) {
    auto missing = walk(*fs, "team-docs/docs/nope.txt");
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  }
  EXPECT_EQ(remote.callCount("listFolder"), listings + 1) << "one listing of docs/";
  remote.seedFile(wsId, "docs/nope.txt", "now here");
  clock.advance(std::chrono::seconds(6));
  EXPECT_TRUE(walk(*fs, "team-docs/docs/nope.txt").ok());
}

// SEMANTICS "Freshness": activity invalidates sooner, kernel told from its own thread
TEST_F(FileSystemTest, ActivityInvalidatesTheNodeAndTellsTheKernel) {
  auto fs = makeFs();
  auto dir = walk(*fs, "team-docs/docs");
  auto file = walk(*fs, "team-docs/docs/report.txt");
  ASSERT_TRUE(file.ok() && dir.ok());
  auto node = remote.nodeAt(wsId, "docs/report.txt");
  ASSERT_TRUE(remote.externalWrite(wsId, node->id, "v2").ok());
  fs->applyActivity(wsId, {"storage:" + node->id});
  EXPECT_EQ(fs->getattr(file->attr.ino)->attr.size, 2u) << "no TTL wait after activity";
  EXPECT_TRUE(invalidator.waitForInode(file->attr.ino));
  EXPECT_TRUE(invalidator.sawEntry(dir->attr.ino, "report.txt"));
}

TEST_F(FileSystemTest, ActivityForAnUnknownNodeRelistsFolders) {
  auto fs = makeFs();
  ASSERT_TRUE(walk(*fs, "team-docs/docs").ok());
  ASSERT_FALSE(walk(*fs, "team-docs/docs/new.txt").ok());
  auto added = remote.seedFile(wsId, "docs/new.txt", "hello");
  fs->applyActivity(wsId, {"storage:" + added.id});
  clock.advance(testOptions().relistGap);
  EXPECT_TRUE(walk(*fs, "team-docs/docs/new.txt").ok());
}

// SEMANTICS "Freshness": a folder the poll keeps reporting changed is listed at most once per
// relist_gap for lookups of names it does not hold; a name it holds, a readdir and this mount's
// own changes list it at once.
TEST_F(FileSystemTest, PollReportsRelistAFolderAtMostOncePerGapForNewNames) {
  FsOptions o = testOptions();
  o.relistGap = std::chrono::seconds(1);
  auto fs = makeFs(o);
  auto dir = walk(*fs, "team-docs/docs");
  ASSERT_TRUE(dir.ok());
  ASSERT_FALSE(walk(*fs, "team-docs/docs/new.txt").ok());
  const uint64_t listings = remote.callCount("listFolder");
  auto added = remote.seedFile(wsId, "docs/new.txt", "hello");
  for (int i = 0; i < 5; ++i) {
    fs->applyActivity(wsId, {"storage:" + added.id, "storage"});
    EXPECT_FALSE(fs->lookup(dir->attr.ino, "missing" + std::to_string(i)).ok());
  }
  EXPECT_EQ(remote.callCount("listFolder"), listings) << "lookups used the held listing";
  auto listed = fs->readDirectory(dir->attr.ino);
  ASSERT_TRUE(listed.ok());
  const auto& entries = (*listed)->entries;
  EXPECT_TRUE(std::any_of(entries.begin(), entries.end(), [](const DirEntry& e) {
    return e.name == "new.txt";
  })) << "a readdir lists the folder as it is now";
  EXPECT_EQ(remote.callCount("listFolder"), listings + 1);
  fs->applyActivity(wsId, {"storage:" + added.id});
  EXPECT_TRUE(fs->lookup(dir->attr.ino, "new.txt").ok());
  EXPECT_EQ(remote.callCount("listFolder"), listings + 2)
      << "a name the outdated listing holds is asked again at once";
}

// A file the poll reports changed shows its new attributes at once, by lookup and by getattr,
// also with relist_gap: a name the held listing has is never answered from it while outdated.
TEST_F(FileSystemTest, AChangedFileShowsItsNewAttributesAtOnceWithARelistGap) {
  FsOptions o = testOptions();
  o.relistGap = std::chrono::seconds(1);
  auto fs = makeFs(o);
  auto file = walk(*fs, "team-docs/docs/report.txt");
  ASSERT_TRUE(file.ok());
  auto node = remote.nodeAt(wsId, "docs/report.txt");
  ASSERT_TRUE(remote.externalWrite(wsId, node->id, "v2").ok());
  clock.advance(std::chrono::milliseconds(1));
  fs->applyActivity(wsId, {"storage:" + node->id});
  EXPECT_EQ(fs->getattr(file->attr.ino)->attr.size, 2u);
  auto again = walk(*fs, "team-docs/docs/report.txt");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->attr.size, 2u);
}

// SEMANTICS "Inodes"
TEST_F(FileSystemTest, InodeNumbersAreStableAndLookupCountsExact) {
  auto fs = makeFs();
  auto a = walk(*fs, "team-docs/docs/report.txt");
  auto b = walk(*fs, "team-docs/docs/report.txt");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->attr.ino, b->attr.ino);
  EXPECT_EQ(fs->inodes().lookupCount(a->attr.ino), 2u);
  fs->forget(a->attr.ino, 2);
  EXPECT_EQ(fs->inodes().lookupCount(a->attr.ino), 0u);
  auto c = walk(*fs, "team-docs/docs/report.txt");
  EXPECT_EQ(c->attr.ino, a->attr.ino);

  auto docs = walk(*fs, "team-docs/docs");
  auto listing = fs->readDirectory(docs->attr.ino);
  ASSERT_TRUE(listing.ok());
  ASSERT_EQ((*listing)->entries.size(), 1u);
  EXPECT_EQ((*listing)->entries[0].attr.ino, a->attr.ino);
  auto plus = fs->acquire((*listing)->entries[0]);
  EXPECT_EQ(plus.attr.ino, a->attr.ino);
  EXPECT_EQ(fs->inodes().lookupCount(a->attr.ino), 2u);
}

// SEMANTICS "Extended attributes"
TEST_F(FileSystemTest, ExtendedAttributesDescribeTheRemoteNode) {
  auto fs = makeFs();
  auto file = walk(*fs, "team-docs/docs/report.txt");
  ASSERT_TRUE(file.ok());
  auto node = remote.nodeAt(wsId, "docs/report.txt");
  EXPECT_EQ(*fs->getxattr(file->attr.ino, "user.fastio.id"), node->id);
  EXPECT_EQ(*fs->getxattr(file->attr.ino, "user.fastio.version"), node->version);
  EXPECT_EQ(*fs->getxattr(file->attr.ino, "user.fastio.sync"), "clean");
  auto missing = fs->getxattr(file->attr.ino, "user.other");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  for (const char* foreign : {"security.selinux", "system.posix_acl_access", "trusted.x"}) {
    auto other = fs->getxattr(file->attr.ino, foreign);
    ASSERT_FALSE(other.ok()) << foreign;
    EXPECT_EQ(other.error().code, ErrorCode::kNotSupported) << foreign;
  }
  auto names = fs->listxattr(file->attr.ino);
  ASSERT_TRUE(names.ok());
  EXPECT_NE(std::find(names->begin(), names->end(), "user.fastio.version"), names->end());
  auto ws = walk(*fs, "team-docs");
  EXPECT_EQ(*fs->getxattr(ws->attr.ino, "user.fastio.id"), wsId);
}

// SEMANTICS ".search"
TEST_F(FileSystemTest, SearchDirectoryShowsResultsAndSymlinksToHits) {
  auto fs = makeFs();
  auto query = walk(*fs, "team-docs/.search/quarterly revenue");
  ASSERT_TRUE(query.ok()) << query.error().describe();
  EXPECT_TRUE(S_ISDIR(query->attr.mode));
  auto text = walk(*fs, "team-docs/.search/quarterly revenue/results.txt");
  ASSERT_TRUE(text.ok());
  auto body = readAll(*fs, text->attr.ino);
  ASSERT_TRUE(body.ok());
  EXPECT_NE(body->find("docs/report.txt"), std::string::npos) << *body;
  EXPECT_EQ(text->attr.size, body->size()) << "size is stable and matches the content";

  auto dir = fs->readDirectory(query->attr.ino);
  ASSERT_TRUE(dir.ok());
  const DirEntry* link = nullptr;
  for (auto& e : (*dir)->entries) {
    if (e.name == "01 report.txt") link = &e;
  }
  ASSERT_NE(link, nullptr);
  EXPECT_TRUE(S_ISLNK(link->attr.mode));
  auto target = fs->readlink(fs->acquire(*link).attr.ino);
  ASSERT_TRUE(target.ok());
  EXPECT_EQ(*target, "../../docs/report.txt");

  auto list = fs->readDirectory(walk(*fs, "team-docs/.search")->attr.ino);
  ASSERT_EQ((*list)->entries.size(), 1u);
  EXPECT_EQ((*list)->entries[0].name, "quarterly revenue");
  EXPECT_EQ(remote.callCount("search"), 1u) << "answers are cached";
  clock.advance(std::chrono::seconds(61));
  EXPECT_TRUE(fs->readDirectory(walk(*fs, "team-docs/.search")->attr.ino).value()->entries.empty());
}

// SEMANTICS ".ask"
TEST_F(FileSystemTest, AskFileReadsTheAnswerWithCitationsOnce) {
  auto fs = makeFs();
  auto q = walk(*fs, "team-docs/.ask/how did revenue change");
  ASSERT_TRUE(q.ok());
  EXPECT_TRUE(S_ISREG(q->attr.mode));
  auto opened = fs->open(q->attr.ino, false);
  ASSERT_TRUE(opened.ok());
  EXPECT_TRUE(opened->directIo);
  auto answer = fs->read(opened->handle, 0, 1 << 16);
  fs->release(opened->handle);
  ASSERT_TRUE(answer.ok());
  EXPECT_NE(answer->find("Sources:"), std::string::npos) << *answer;
  EXPECT_NE(answer->find("docs/report.txt"), std::string::npos) << *answer;
  ASSERT_TRUE(readAll(*fs, q->attr.ino).ok());
  EXPECT_EQ(remote.callCount("ask"), 1u);
  EXPECT_EQ(fs->getattr(q->attr.ino)->attr.size, answer->size());
}

// SEMANTICS ".fastio" and "Writes"
TEST_F(FileSystemTest, ControlFilesAreReadableAndVirtualTreesRefuseWrites) {
  auto fs = makeFs();
  auto status = walk(*fs, ".fastio/status");
  ASSERT_TRUE(status.ok());
  auto text = readAll(*fs, status->attr.ino);
  ASSERT_TRUE(text.ok());
  EXPECT_NE(text->find("state:      online"), std::string::npos) << *text;
  auto metrics = walk(*fs, ".fastio/metrics");
  EXPECT_NE(readAll(*fs, metrics->attr.ino)->find("fastiofs_lookups_total"), std::string::npos);
  auto write = fs->open(status->attr.ino, true);
  ASSERT_FALSE(write.ok());
  EXPECT_EQ(write.error().code, ErrorCode::kReadOnly);
  auto mk = fs->mkdir(walk(*fs, "team-docs/.search")->attr.ino, "x");
  ASSERT_FALSE(mk.ok());
  EXPECT_EQ(mk.error().code, ErrorCode::kReadOnly);
}

// SEMANTICS "mkdir"
TEST_F(FileSystemTest, MkdirAtTheRootCreatesAWorkspaceAndInAFolderAFolder) {
  auto fs = makeFs();
  auto ws = fs->mkdir(kRootInode, "new-space");
  ASSERT_TRUE(ws.ok()) << ws.error().describe();
  EXPECT_TRUE(S_ISDIR(ws->attr.mode));
  EXPECT_TRUE(walk(*fs, "new-space").ok());
  auto sub = fs->mkdir(walk(*fs, "team-docs/docs")->attr.ino, "sub");
  ASSERT_TRUE(sub.ok());
  EXPECT_TRUE(remote.nodeAt(wsId, "docs/sub"));
  auto again = fs->mkdir(walk(*fs, "team-docs/docs")->attr.ino, "sub");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kExists);
  auto reserved = fs->mkdir(walk(*fs, "team-docs")->attr.ino, ".search");
  EXPECT_EQ(reserved.error().code, ErrorCode::kExists);
}

// SEMANTICS "Offline"
TEST_F(FileSystemTest, CachedDataStaysReadableWhileTheServerIsDown) {
  testing::FaultInjectingRemoteStore faulty(remote);
  FileSystem fs(faulty, cache, nullptr, testOptions(), clock);
  ASSERT_TRUE(fs.start(nullptr).ok());
  auto file = walk(fs, "team-docs/data/big.bin");
  ASSERT_TRUE(file.ok());
  ASSERT_EQ(*readAll(fs, file->attr.ino), big);
  ASSERT_TRUE(walk(fs, "team-docs/docs/report.txt").ok());  // known, but never read
  fs.stop();
  faulty.setErrorRate(1.0, ErrorCode::kUnavailable);
  clock.advance(std::chrono::seconds(30));  // every TTL has expired
  auto again = walk(fs, "team-docs/data/big.bin");
  ASSERT_TRUE(again.ok()) << again.error().describe();
  EXPECT_EQ(again->attr.size, big.size());
  auto content = readAll(fs, again->attr.ino);
  ASSERT_TRUE(content.ok()) << content.error().describe();
  EXPECT_EQ(*content, big);
  EXPECT_FALSE(fs.health().online());
  auto status = readAll(fs, walk(fs, ".fastio/status")->attr.ino);
  EXPECT_NE(status->find("offline"), std::string::npos);
  // Something never cached fails with a clear error rather than hanging.
  auto uncached = walk(fs, "team-docs/docs/report.txt");
  ASSERT_TRUE(uncached.ok());
  auto denied = readAll(fs, uncached->attr.ino);
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().code, ErrorCode::kUnavailable);
  faulty.clearFaults();
  EXPECT_TRUE(readAll(fs, uncached->attr.ino).ok());
  EXPECT_TRUE(fs.health().online());
}

}  // namespace
}  // namespace fastio::fs
