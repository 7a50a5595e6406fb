// The RemoteStore contract body: every method and its error cases. See RemoteStoreContract.h
// for how a backend plugs in, and for the decisions taken where the service's wire is open.

#include "tests/client/RemoteStoreContract.h"

#include <gmock/gmock.h>

#include <atomic>
#include <random>
#include <set>
#include <thread>

#include "tests/client/StoreTestUtil.h"

using ::testing::AnyOf;
using ::testing::Contains;
using ::testing::Eq;

namespace fastio::contract {

std::string contractBackendName(const ::testing::TestParamInfo<ContractBackendFactory>& info) {
  return info.param.name;
}

void PrintTo(const ContractBackendFactory& factory, std::ostream* os) {
  *os << factory.name;
}

}  // namespace fastio::contract

void RemoteStoreContract::SetUp() {
  backend_ = GetParam().make();
  ASSERT_NE(backend_, nullptr);
  ws_ = backend_->freshWorkspace();
  ASSERT_FALSE(ws_.empty());
}

void RemoteStoreContract::TearDown() {
  backend_.reset();
}

namespace fastio {
namespace {

using testutil::describe;
using testutil::findNamed;
using testutil::listAll;
using testutil::outcome;
using testutil::patternBytes;
using testutil::readAll;
using testutil::readRange;
using testutil::RecordingObserver;
using testutil::soon;
using testutil::uploadString;

constexpr uint64_t kMiB = 1024 * 1024;
constexpr uint64_t kSingleCallMax = 4 * kMiB;

// A word no other file contains, so search and ask have one right answer.
std::string uniqueWord(const std::string& stem) {
  static std::atomic<uint64_t> counter{0};
  std::random_device device;
  return stem + std::to_string(device() % 100000) + "x" + std::to_string(++counter);
}

#define ASSERT_OK(expr) ASSERT_TRUE((expr).ok()) << describe(expr)

// ------------------------------------------------------------------ account

TEST_P(RemoteStoreContract, CurrentUserAndOrgsAreKnown) {
  Result<UserInfo> user = store().currentUser(soon());
  ASSERT_OK(user);
  EXPECT_FALSE(user->id.empty());
  Result<std::vector<Org>> orgs = store().listOrgs(soon());
  ASSERT_OK(orgs);
  ASSERT_FALSE(orgs->empty());
  EXPECT_FALSE(orgs->front().id.empty());
}

TEST_P(RemoteStoreContract, CreatedWorkspaceIsListedAndItsFolderNameIsUnique) {
  Result<std::vector<Org>> orgs = store().listOrgs(soon());
  ASSERT_OK(orgs);
  ASSERT_FALSE(orgs->empty());
  CreateWorkspaceRequest request;
  request.orgId = orgs->front().id;
  request.folderName = uniqueWord("contract-ws-");
  request.name = "Contract workspace";
  request.intelligence = true;
  Result<Workspace> created = store().createWorkspace(request, soon());
  ASSERT_OK(created);
  EXPECT_FALSE(created->id.empty());
  EXPECT_EQ(created->folderName, request.folderName);

  Result<std::vector<Workspace>> all = store().listWorkspaces(soon());
  ASSERT_OK(all);
  bool listed = false;
  for (const Workspace& w : *all) listed = listed || w.id == created->id;
  EXPECT_TRUE(listed);

  // The folder name is globally unique; the service's class for the clash is open [U].
  EXPECT_THAT(outcome(store().createWorkspace(request, soon())), AnyOf("invalid", "conflict"));
  request.folderName = "ab";  // shorter than 4
  EXPECT_EQ(outcome(store().createWorkspace(request, soon())), "invalid");
  request.folderName = "has space";
  EXPECT_EQ(outcome(store().createWorkspace(request, soon())), "invalid");
}

TEST_P(RemoteStoreContract, ExpiredDeadlineFailsWithDeadline) {
  EXPECT_EQ(outcome(store().listWorkspaces(Deadline::after(Duration::zero()))), "deadline");
}

// ------------------------------------------------------------------ listing and details

TEST_P(RemoteStoreContract, EmptyRootListsNothing) {
  Result<testutil::Listing> listing = listAll(store(), ws(), "root");
  ASSERT_OK(listing);
  EXPECT_TRUE(listing->nodes.empty());
  EXPECT_LE(listing->pages, 1);
}

TEST_P(RemoteStoreContract, ListingSpansManyPagesAndReturnsEveryChildOnce) {
  const uint32_t pageSize = backend().listingPageSize();
  ASSERT_GT(pageSize, 0u);
  const uint32_t folders = 2 * pageSize + 3;
  std::set<std::string> expected;
  for (uint32_t i = 0; i < folders; ++i) {
    const std::string name = "dir-" + std::to_string(100000 + i);
    ASSERT_OK(store().createFolder(ws(), "root", name, soon()));
    expected.insert(name);
  }
  for (int i = 0; i < 3; ++i) {
    const std::string name = "file-" + std::to_string(i) + ".txt";
    ASSERT_OK(uploadString(store(), ws(), "root", name, "content " + std::to_string(i)));
    expected.insert(name);
  }

  Result<testutil::Listing> listing = listAll(store(), ws(), "root");
  ASSERT_OK(listing);
  EXPECT_GE(listing->pages, 3);
  EXPECT_TRUE(listing->sawLast);
  std::set<std::string> seen;
  for (const Node& node : listing->nodes) {
    EXPECT_TRUE(seen.insert(node.name).second) << "listed twice: " << node.name;
    EXPECT_EQ(node.parentId, "root") << node.name;
    EXPECT_FALSE(node.id.empty());
    if (node.name.rfind("file-", 0) == 0) {
      EXPECT_EQ(node.type, NodeType::kFile);
      EXPECT_EQ(node.size, std::string("content 0").size());
      EXPECT_FALSE(node.version.empty());
    } else {
      EXPECT_EQ(node.type, NodeType::kFolder);
    }
  }
  EXPECT_EQ(seen, expected);
}

TEST_P(RemoteStoreContract, ListingStopsWhenTheCallbackSaysSo) {
  const uint32_t pageSize = backend().listingPageSize();
  for (uint32_t i = 0; i < pageSize + 1; ++i) {
    ASSERT_OK(store().createFolder(ws(), "root", "d" + std::to_string(1000 + i), soon()));
  }
  int pages = 0;
  Status status = store().listFolder(
      ws(), "root",
      [&](FolderPage&&) {
        ++pages;
        return false;
      },
      soon());
  ASSERT_OK(status);
  EXPECT_EQ(pages, 1);
}

TEST_P(RemoteStoreContract, ListingASubfolderShowsItsChildrenWithTheirParent) {
  Result<Node> outer = store().createFolder(ws(), "root", "outer", soon());
  ASSERT_OK(outer);
  Result<Node> inner = store().createFolder(ws(), outer->id, "inner", soon());
  ASSERT_OK(inner);
  EXPECT_EQ(inner->parentId, outer->id);
  ASSERT_OK(uploadString(store(), ws(), outer->id, "note.txt", "hello"));

  Result<testutil::Listing> listing = listAll(store(), ws(), outer->id);
  ASSERT_OK(listing);
  ASSERT_EQ(listing->nodes.size(), 2u);
  for (const Node& node : listing->nodes) EXPECT_EQ(node.parentId, outer->id);
  EXPECT_NE(findNamed(listing->nodes, "inner"), nullptr);
  EXPECT_NE(findNamed(listing->nodes, "note.txt"), nullptr);
}

TEST_P(RemoteStoreContract, ListingAMissingFolderIsNotFound) {
  Result<Node> gone = store().createFolder(ws(), "root", "gone", soon());
  ASSERT_OK(gone);
  ASSERT_OK(store().deleteNode(ws(), gone->id, soon()));
  EXPECT_EQ(outcome(listAll(store(), ws(), gone->id)), "not_found");
}

TEST_P(RemoteStoreContract, DetailsOfManyIdsReportTheMissingOnes) {
  std::vector<std::string> ids;
  for (int i = 0; i < 30; ++i) {  // more than the 25 ids of one request
    Result<Node> folder = store().createFolder(ws(), "root", "n" + std::to_string(i), soon());
    ASSERT_OK(folder);
    ids.push_back(folder->id);
  }
  std::vector<std::string> missing;
  for (int i = 0; i < 2; ++i) {
    Result<Node> doomed = store().createFolder(ws(), "root", "doomed" + std::to_string(i), soon());
    ASSERT_OK(doomed);
    ASSERT_OK(store().deleteNode(ws(), doomed->id, soon()));
    missing.push_back(doomed->id);
  }
  std::vector<std::string> asked = ids;
  asked.insert(asked.begin() + 10, missing.begin(), missing.end());

  Result<NodeDetailsBatch> batch = store().nodeDetails(ws(), asked, soon());
  ASSERT_OK(batch);
  std::set<std::string> found;
  for (const Node& node : batch->nodes) {
    found.insert(node.id);
    EXPECT_EQ(node.type, NodeType::kFolder);
  }
  EXPECT_EQ(found, std::set<std::string>(ids.begin(), ids.end()));
  EXPECT_EQ(std::set<std::string>(batch->missingIds.begin(), batch->missingIds.end()),
            std::set<std::string>(missing.begin(), missing.end()));
}

TEST_P(RemoteStoreContract, DetailsWhenEveryIdIsMissingIsNotAnError) {
  Result<Node> doomed = store().createFolder(ws(), "root", "doomed", soon());
  ASSERT_OK(doomed);
  ASSERT_OK(store().deleteNode(ws(), doomed->id, soon()));
  Result<NodeDetailsBatch> batch = store().nodeDetails(ws(), {doomed->id}, soon());
  ASSERT_OK(batch);
  EXPECT_TRUE(batch->nodes.empty());
  EXPECT_THAT(batch->missingIds, Contains(doomed->id));
}

TEST_P(RemoteStoreContract, DetailsCarryTheFileAttributes) {
  const std::string content = patternBytes(1234);
  Result<UploadResult> up = uploadString(store(), ws(), "root", "attrs.bin", content);
  ASSERT_OK(up);
  Result<NodeDetailsBatch> batch = store().nodeDetails(ws(), {up->node.id}, soon());
  ASSERT_OK(batch);
  ASSERT_EQ(batch->nodes.size(), 1u);
  const Node& node = batch->nodes.front();
  EXPECT_EQ(node.id, up->node.id);
  EXPECT_EQ(node.name, "attrs.bin");
  EXPECT_EQ(node.type, NodeType::kFile);
  EXPECT_EQ(node.parentId, "root");
  EXPECT_EQ(node.size, content.size());
  EXPECT_EQ(node.version, up->node.version);
}

// ------------------------------------------------------------------ folders, rename, move, delete

TEST_P(RemoteStoreContract, CreateFolderIsIdempotentByName) {
  Result<Node> first = store().createFolder(ws(), "root", "twice", soon());
  ASSERT_OK(first);
  EXPECT_EQ(first->type, NodeType::kFolder);
  EXPECT_EQ(first->name, "twice");
  EXPECT_EQ(first->parentId, "root");
  Result<Node> second = store().createFolder(ws(), "root", "twice", soon());
  ASSERT_OK(second);
  EXPECT_EQ(second->id, first->id);
  Result<testutil::Listing> listing = listAll(store(), ws(), "root");
  ASSERT_OK(listing);
  EXPECT_EQ(listing->nodes.size(), 1u);
}

TEST_P(RemoteStoreContract, CreateFolderRefusesBadNamesAndMissingParents) {
  for (const std::string& bad : {std::string(""), std::string("."), std::string(".."),
                                 std::string("a/b"), std::string("bad\x01name")}) {
    EXPECT_EQ(outcome(store().createFolder(ws(), "root", bad, soon())), "invalid")
        << "name '" << bad << "'";
  }
  Result<Node> gone = store().createFolder(ws(), "root", "gone", soon());
  ASSERT_OK(gone);
  ASSERT_OK(store().deleteNode(ws(), gone->id, soon()));
  EXPECT_EQ(outcome(store().createFolder(ws(), gone->id, "child", soon())), "not_found");
  ASSERT_OK(uploadString(store(), ws(), "root", "taken", "x"));
  EXPECT_EQ(outcome(store().createFolder(ws(), "root", "taken", soon())), "invalid");
}

TEST_P(RemoteStoreContract, RenameKeepsIdAndVersion) {
  Result<UploadResult> up = uploadString(store(), ws(), "root", "old.txt", "body");
  ASSERT_OK(up);
  Result<Node> renamed = store().rename(ws(), up->node.id, "new.txt", "", soon());
  ASSERT_OK(renamed);
  EXPECT_EQ(renamed->id, up->node.id);
  EXPECT_EQ(renamed->name, "new.txt");
  EXPECT_EQ(renamed->version, up->node.version);
  Result<testutil::Listing> listing = listAll(store(), ws(), "root");
  ASSERT_OK(listing);
  ASSERT_EQ(listing->nodes.size(), 1u);
  EXPECT_EQ(listing->nodes.front().name, "new.txt");
  Result<std::string> content = readAll(store(), ws(), up->node.id);
  ASSERT_OK(content);
  EXPECT_EQ(*content, "body");
}

TEST_P(RemoteStoreContract, RenameRefusesCollisionsBadNamesAndMissingNodes) {
  Result<UploadResult> a = uploadString(store(), ws(), "root", "a.txt", "a");
  ASSERT_OK(a);
  ASSERT_OK(uploadString(store(), ws(), "root", "b.txt", "b"));
  ASSERT_OK(store().createFolder(ws(), "root", "folder", soon()));
  EXPECT_EQ(outcome(store().rename(ws(), a->node.id, "b.txt", "", soon())), "invalid");
  EXPECT_EQ(outcome(store().rename(ws(), a->node.id, "folder", "", soon())), "invalid");
  EXPECT_EQ(outcome(store().rename(ws(), a->node.id, "x/y", "", soon())), "invalid");
  EXPECT_EQ(outcome(store().rename(ws(), a->node.id, "", "", soon())), "invalid");
  ASSERT_OK(store().deleteNode(ws(), a->node.id, soon()));
  EXPECT_EQ(outcome(store().rename(ws(), a->node.id, "c.txt", "", soon())), "not_found");
}

TEST_P(RemoteStoreContract, RenameWithAStaleVersionIsAConflict) {
  Result<UploadResult> v1 = uploadString(store(), ws(), "root", "cas.txt", "one");
  ASSERT_OK(v1);
  Result<UploadResult> v2 = uploadString(store(), ws(), "root", "cas.txt", "two");
  ASSERT_OK(v2);
  ASSERT_EQ(v2->node.id, v1->node.id);
  ASSERT_NE(v2->node.version, v1->node.version);
  EXPECT_EQ(outcome(store().rename(ws(), v1->node.id, "cas2.txt", v1->node.version, soon())),
            "conflict");
  Result<Node> renamed = store().rename(ws(), v1->node.id, "cas2.txt", v2->node.version, soon());
  ASSERT_OK(renamed);
  EXPECT_EQ(renamed->name, "cas2.txt");
}

TEST_P(RemoteStoreContract, MoveChangesTheParent) {
  Result<Node> dst = store().createFolder(ws(), "root", "dst", soon());
  ASSERT_OK(dst);
  Result<UploadResult> file = uploadString(store(), ws(), "root", "moved.txt", "payload");
  ASSERT_OK(file);
  Result<Node> moved = store().move(ws(), file->node.id, dst->id, soon());
  ASSERT_OK(moved);
  EXPECT_EQ(moved->id, file->node.id);
  EXPECT_EQ(moved->parentId, dst->id);
  EXPECT_EQ(moved->name, "moved.txt");

  Result<testutil::Listing> root = listAll(store(), ws(), "root");
  ASSERT_OK(root);
  EXPECT_EQ(findNamed(root->nodes, "moved.txt"), nullptr);
  Result<testutil::Listing> inDst = listAll(store(), ws(), dst->id);
  ASSERT_OK(inDst);
  ASSERT_EQ(inDst->nodes.size(), 1u);
  EXPECT_EQ(inDst->nodes.front().id, file->node.id);

  // And a folder with its subtree can move back to the root.
  Result<Node> sub = store().createFolder(ws(), dst->id, "sub", soon());
  ASSERT_OK(sub);
  Result<Node> back = store().move(ws(), sub->id, "root", soon());
  ASSERT_OK(back);
  EXPECT_EQ(back->parentId, "root");
}

TEST_P(RemoteStoreContract, MoveOntoASameNameFileTrashesThatFile) {
  Result<Node> dst = store().createFolder(ws(), "root", "dst", soon());
  ASSERT_OK(dst);
  Result<UploadResult> mover = uploadString(store(), ws(), "root", "same.txt", "mover");
  ASSERT_OK(mover);
  Result<UploadResult> victim = uploadString(store(), ws(), dst->id, "same.txt", "victim");
  ASSERT_OK(victim);
  ASSERT_NE(mover->node.id, victim->node.id);

  Result<Node> moved = store().move(ws(), mover->node.id, dst->id, soon());
  ASSERT_OK(moved);
  EXPECT_EQ(moved->name, "same.txt");
  Result<testutil::Listing> inDst = listAll(store(), ws(), dst->id);
  ASSERT_OK(inDst);
  ASSERT_EQ(inDst->nodes.size(), 1u);
  EXPECT_EQ(inDst->nodes.front().id, mover->node.id);
  Result<NodeDetailsBatch> details = store().nodeDetails(ws(), {victim->node.id}, soon());
  ASSERT_OK(details);
  EXPECT_THAT(details->missingIds, Contains(victim->node.id));
  Result<std::string> content = readAll(store(), ws(), mover->node.id);
  ASSERT_OK(content);
  EXPECT_EQ(*content, "mover");
}

TEST_P(RemoteStoreContract, MoveOntoASameNameFolderKeepsBothUnderDistinctNames) {
  Result<Node> dst = store().createFolder(ws(), "root", "dst", soon());
  ASSERT_OK(dst);
  Result<Node> mover = store().createFolder(ws(), "root", "twin", soon());
  ASSERT_OK(mover);
  Result<Node> stayer = store().createFolder(ws(), dst->id, "twin", soon());
  ASSERT_OK(stayer);
  Result<Node> moved = store().move(ws(), mover->id, dst->id, soon());
  ASSERT_OK(moved);
  Result<testutil::Listing> inDst = listAll(store(), ws(), dst->id);
  ASSERT_OK(inDst);
  ASSERT_EQ(inDst->nodes.size(), 2u);
  EXPECT_NE(inDst->nodes[0].name, inDst->nodes[1].name);
}

TEST_P(RemoteStoreContract, MoveRefusesCyclesAndMissingEnds) {
  Result<Node> outer = store().createFolder(ws(), "root", "outer", soon());
  ASSERT_OK(outer);
  Result<Node> inner = store().createFolder(ws(), outer->id, "inner", soon());
  ASSERT_OK(inner);
  EXPECT_EQ(outcome(store().move(ws(), outer->id, outer->id, soon())), "invalid");
  EXPECT_EQ(outcome(store().move(ws(), outer->id, inner->id, soon())), "invalid");

  Result<Node> gone = store().createFolder(ws(), "root", "gone", soon());
  ASSERT_OK(gone);
  ASSERT_OK(store().deleteNode(ws(), gone->id, soon()));
  EXPECT_EQ(outcome(store().move(ws(), inner->id, gone->id, soon())), "not_found");
  EXPECT_EQ(outcome(store().move(ws(), gone->id, "root", soon())), "not_found");
}

TEST_P(RemoteStoreContract, DeleteRemovesTheSubtree) {
  Result<Node> folder = store().createFolder(ws(), "root", "tree", soon());
  ASSERT_OK(folder);
  Result<UploadResult> leaf = uploadString(store(), ws(), folder->id, "leaf.txt", "leaf");
  ASSERT_OK(leaf);
  ASSERT_OK(store().deleteNode(ws(), folder->id, soon()));

  Result<testutil::Listing> root = listAll(store(), ws(), "root");
  ASSERT_OK(root);
  EXPECT_TRUE(root->nodes.empty());
  Result<NodeDetailsBatch> details = store().nodeDetails(ws(), {folder->id, leaf->node.id}, soon());
  ASSERT_OK(details);
  EXPECT_TRUE(details->nodes.empty());
  EXPECT_EQ(outcome(store().deleteNode(ws(), folder->id, soon())), "not_found");
  EXPECT_EQ(outcome(readAll(store(), ws(), leaf->node.id)), "not_found");
}

TEST_P(RemoteStoreContract, ANameIsFreeAgainAfterDelete) {
  Result<UploadResult> first = uploadString(store(), ws(), "root", "reuse.txt", "first");
  ASSERT_OK(first);
  ASSERT_OK(store().deleteNode(ws(), first->node.id, soon()));
  Result<UploadResult> second = uploadString(store(), ws(), "root", "reuse.txt", "second");
  ASSERT_OK(second);
  EXPECT_NE(second->node.id, first->node.id);
  Result<std::string> content = readAll(store(), ws(), second->node.id);
  ASSERT_OK(content);
  EXPECT_EQ(*content, "second");
}

// ------------------------------------------------------------------ reads

TEST_P(RemoteStoreContract, ReadsWholeRangedAndAtTheEdges) {
  const std::string content = patternBytes(300000, 7);
  Result<UploadResult> up = uploadString(store(), ws(), "root", "r.bin", content);
  ASSERT_OK(up);
  const std::string& id = up->node.id;

  Result<std::string> whole = readAll(store(), ws(), id);
  ASSERT_OK(whole);
  EXPECT_TRUE(*whole == content) << "whole read differs";

  Result<testutil::ReadBack> middle = readRange(store(), ws(), id, 1000, 5000);
  ASSERT_OK(middle);
  EXPECT_TRUE(middle->outcome.rangeHonoured);
  EXPECT_EQ(middle->firstOffset, 1000u);
  EXPECT_TRUE(middle->bytes == content.substr(1000, 5000)) << "ranged read differs";
  EXPECT_EQ(middle->outcome.bytesDelivered, 5000u);

  Result<testutil::ReadBack> tail = readRange(store(), ws(), id, content.size() - 10, 100);
  ASSERT_OK(tail);
  EXPECT_TRUE(tail->bytes == content.substr(content.size() - 10)) << "read over the end";

  Result<testutil::ReadBack> toEnd = readRange(store(), ws(), id, 299000, 0);
  ASSERT_OK(toEnd);
  EXPECT_TRUE(toEnd->bytes == content.substr(299000)) << "read to the end";

  Result<testutil::ReadBack> atEnd = readRange(store(), ws(), id, content.size(), 10);
  ASSERT_OK(atEnd);
  EXPECT_TRUE(atEnd->bytes.empty());
  Result<testutil::ReadBack> pastEnd = readRange(store(), ws(), id, content.size() + 4096, 10);
  ASSERT_OK(pastEnd);
  EXPECT_TRUE(pastEnd->bytes.empty());
}

TEST_P(RemoteStoreContract, ReadsAnEmptyFile) {
  Result<UploadResult> up = uploadString(store(), ws(), "root", "empty", "");
  ASSERT_OK(up);
  EXPECT_EQ(up->node.size, 0u);
  Result<std::string> whole = readAll(store(), ws(), up->node.id);
  ASSERT_OK(whole);
  EXPECT_TRUE(whole->empty());
  Result<testutil::ReadBack> ranged = readRange(store(), ws(), up->node.id, 0, 10);
  ASSERT_OK(ranged);
  EXPECT_TRUE(ranged->bytes.empty());
}

TEST_P(RemoteStoreContract, ReadsAnOldVersionById) {
  Result<UploadResult> v1 = uploadString(store(), ws(), "root", "v.txt", "version one");
  ASSERT_OK(v1);
  Result<UploadResult> v2 = uploadString(store(), ws(), "root", "v.txt", "version two!");
  ASSERT_OK(v2);
  Result<std::string> old = readAll(store(), ws(), v1->node.id, v1->node.version);
  ASSERT_OK(old);
  EXPECT_EQ(*old, "version one");
  Result<std::string> current = readAll(store(), ws(), v1->node.id);
  ASSERT_OK(current);
  EXPECT_EQ(*current, "version two!");
}

TEST_P(RemoteStoreContract, ReadErrors) {
  Result<Node> folder = store().createFolder(ws(), "root", "folder", soon());
  ASSERT_OK(folder);
  EXPECT_NE(outcome(readAll(store(), ws(), folder->id)), "ok");

  Result<UploadResult> up = uploadString(store(), ws(), "root", "f.bin", patternBytes(100000));
  ASSERT_OK(up);
  // A sink error aborts the transfer with that error.
  ReadRequest request{ws(), up->node.id, "", 0, 0};
  Result<ReadOutcome> aborted = store().read(
      request,
      [](uint64_t, std::string_view) -> Status {
        return makeError(ErrorCode::kCancelled, "the reader went away");
      },
      soon());
  EXPECT_EQ(outcome(aborted), "cancelled");

  ASSERT_OK(store().deleteNode(ws(), up->node.id, soon()));
  EXPECT_EQ(outcome(readAll(store(), ws(), up->node.id)), "not_found");
}

TEST_P(RemoteStoreContract, ReadFromAServerIgnoringRangeDeliversTheWholeBodyWithOffsets) {
  const std::string content = patternBytes(200000, 3);
  Result<UploadResult> up = uploadString(store(), ws(), "root", "norange.bin", content);
  ASSERT_OK(up);
  ASSERT_OK(backend().setIgnoreRange(true));
  Result<testutil::ReadBack> back = readRange(store(), ws(), up->node.id, 5000, 1000);
  ASSERT_OK(backend().setIgnoreRange(false));
  ASSERT_OK(back);
  EXPECT_FALSE(back->outcome.rangeHonoured);
  // Whatever was delivered sits at its true file offset and covers the requested range.
  ASSERT_LE(back->firstOffset, 5000u);
  ASSERT_GE(back->firstOffset + back->bytes.size(), 6000u);
  EXPECT_TRUE(back->bytes == content.substr(back->firstOffset, back->bytes.size()));
}

// ------------------------------------------------------------------ uploads

TEST_P(RemoteStoreContract, UploadLimitsAreWithinTheDocumentedBounds) {
  Result<UploadLimits> limits = store().uploadLimits(soon());
  ASSERT_OK(limits);
  EXPECT_GE(limits->chunkSize, 1 * kMiB);
  EXPECT_LE(limits->chunkSize, 100 * kMiB);
}

TEST_P(RemoteStoreContract, UploadsOfEverySizeClassReadBackIdentical) {
  Result<UploadLimits> limits = store().uploadLimits(soon());
  ASSERT_OK(limits);
  const std::vector<uint64_t> sizes = {0,
                                       1,
                                       kSingleCallMax - 1,
                                       kSingleCallMax,
                                       kSingleCallMax + 1,
                                       2 * limits->chunkSize + kSingleCallMax / 2 + 3};
  uint32_t seed = 11;
  for (uint64_t size : sizes) {
    SCOPED_TRACE("size " + std::to_string(size));
    const std::string content = patternBytes(size, ++seed);
    const std::string name = "size-" + std::to_string(size) + ".bin";
    RecordingObserver observer;
    Result<UploadResult> up = uploadString(store(), ws(), "root", name, content, &observer);
    ASSERT_OK(up);
    EXPECT_EQ(up->node.name, name);
    EXPECT_EQ(up->node.size, size);
    EXPECT_EQ(up->node.type, NodeType::kFile);
    EXPECT_EQ(up->node.parentId, "root");
    EXPECT_FALSE(up->node.id.empty());
    EXPECT_FALSE(up->node.version.empty());
    if (size > 0) {
      EXPECT_EQ(observer.maxBytesSent, size);
    }
    if (size <= kSingleCallMax) {
      EXPECT_TRUE(up->sessionId.empty()) << "a single call was expected";
      EXPECT_TRUE(observer.sessions.empty());
    } else {
      EXPECT_FALSE(up->sessionId.empty()) << "a chunked session was expected";
      ASSERT_EQ(observer.sessions.size(), 1u);
      EXPECT_EQ(observer.sessions.front(), up->sessionId);
      ASSERT_GT(observer.chunkSize, 0u);
      const uint64_t chunks = (size + observer.chunkSize - 1) / observer.chunkSize;
      EXPECT_EQ(observer.acknowledged.size(), chunks);
      EXPECT_EQ(observer.acknowledgedBytes, size);
    }
    Result<std::string> back = readAll(store(), ws(), up->node.id);
    ASSERT_OK(back);
    EXPECT_EQ(back->size(), content.size());
    EXPECT_TRUE(*back == content) << "content differs";
  }
}

TEST_P(RemoteStoreContract, OverwriteBySameNameKeepsTheNodeIdWithANewVersion) {
  Result<UploadResult> first = uploadString(store(), ws(), "root", "over.txt", "first");
  ASSERT_OK(first);
  Result<UploadResult> second = uploadString(store(), ws(), "root", "over.txt", "second, longer");
  ASSERT_OK(second);
  EXPECT_EQ(second->node.id, first->node.id);
  EXPECT_NE(second->node.version, first->node.version);
  EXPECT_EQ(second->node.size, std::string("second, longer").size());
  Result<testutil::Listing> listing = listAll(store(), ws(), "root");
  ASSERT_OK(listing);
  EXPECT_EQ(listing->nodes.size(), 1u);
  Result<std::string> content = readAll(store(), ws(), first->node.id);
  ASSERT_OK(content);
  EXPECT_EQ(*content, "second, longer");
}

TEST_P(RemoteStoreContract, OverwriteByIdKeepsTheIdAndMayRename) {
  Result<UploadResult> first = uploadString(store(), ws(), "root", "by-id.txt", "first");
  ASSERT_OK(first);
  const std::string big = patternBytes(kSingleCallMax + 100, 5);  // chunked replace
  Result<UploadResult> second =
      uploadString(store(), ws(), "root", "renamed.txt", big, nullptr, first->node.id);
  ASSERT_OK(second);
  EXPECT_EQ(second->node.id, first->node.id);
  EXPECT_EQ(second->node.name, "renamed.txt");
  EXPECT_NE(second->node.version, first->node.version);
  Result<std::string> content = readAll(store(), ws(), first->node.id);
  ASSERT_OK(content);
  EXPECT_TRUE(*content == big);
}

TEST_P(RemoteStoreContract, UploadErrors) {
  Result<Node> gone = store().createFolder(ws(), "root", "gone", soon());
  ASSERT_OK(gone);
  ASSERT_OK(store().deleteNode(ws(), gone->id, soon()));
  EXPECT_EQ(outcome(uploadString(store(), ws(), gone->id, "x.txt", "x")), "not_found");
  EXPECT_EQ(outcome(uploadString(store(), ws(), "root", "a/b.txt", "x")), "invalid");
  EXPECT_EQ(outcome(uploadString(store(), ws(), "root", "", "x")), "invalid");
  ASSERT_OK(store().createFolder(ws(), "root", "dir", soon()));
  EXPECT_EQ(outcome(uploadString(store(), ws(), "root", "dir", "x")), "invalid");
  Result<UploadResult> doomed = uploadString(store(), ws(), "root", "doomed.txt", "x");
  ASSERT_OK(doomed);
  ASSERT_OK(store().deleteNode(ws(), doomed->node.id, soon()));
  EXPECT_EQ(outcome(uploadString(store(), ws(), "root", "y.txt", "y", nullptr, doomed->node.id)),
            "not_found");

  // A failing source fails the upload with the source's error, and stores nothing.
  UploadRequest request;
  request.workspaceId = ws();
  request.name = "unreadable.txt";
  request.size = 1000;
  Result<UploadResult> failed = store().upload(
      request,
      [](uint64_t, char*, std::size_t) -> Result<std::size_t> {
        return makeError(ErrorCode::kIo, "the local file could not be read");
      },
      nullptr, soon());
  EXPECT_EQ(outcome(failed), "io");
  Result<testutil::Listing> listing = listAll(store(), ws(), "root");
  ASSERT_OK(listing);
  EXPECT_EQ(findNamed(listing->nodes, "unreadable.txt"), nullptr);
}

TEST_P(RemoteStoreContract, AnInterruptedChunkedUploadResumesWithoutResendingAcknowledgedChunks) {
  // Two chunks of the HTTP store's 16 MiB and a bit: at least three chunks for every backend.
  const std::string content = patternBytes(32 * kMiB + 100, 21);
  UploadRequest request;
  request.workspaceId = ws();
  request.name = "resumed.bin";
  request.size = content.size();
  RecordingObserver firstTry;
  // The first chunk goes through; the rest wait until the deadline ends the call.
  Result<UploadResult> interrupted =
      testutil::uploadStoppedByDeadline(store(), request, content, 2, firstTry, Seconds(8));
  ASSERT_EQ(outcome(interrupted), "deadline");
  ASSERT_EQ(firstTry.sessions.size(), 1u);
  EXPECT_EQ(firstTry.acknowledged.count(1), 1u);
  const uint64_t chunkSize = firstTry.chunkSize;
  ASSERT_GT(chunkSize, 0u);

  request.resumeSessionId = firstTry.sessions.front();
  request.resumeChunkSize = chunkSize;
  std::mutex mu;
  std::vector<std::pair<uint64_t, uint64_t>> asked;  // [offset, end)
  RecordingObserver secondTry;
  Result<UploadResult> resumed = store().upload(
      request,
      [&](uint64_t offset, char* out, std::size_t length) -> Result<std::size_t> {
        {
          std::lock_guard lock(mu);
          asked.emplace_back(offset, offset + length);
        }
        return testutil::stringSource(content)(offset, out, length);
      },
      &secondTry, soon(Seconds(120)));
  ASSERT_OK(resumed);
  EXPECT_EQ(resumed->sessionId, firstTry.sessions.front());
  for (uint32_t order : firstTry.acknowledged) {
    const uint64_t begin = (order - 1) * chunkSize;
    const uint64_t end = begin + chunkSize;
    for (const auto& [from, to] : asked) {
      EXPECT_FALSE(from < end && to > begin)
          << "acknowledged chunk " << order << " was read again at [" << from << ", " << to << ")";
    }
  }
  Result<std::string> back = readAll(store(), ws(), resumed->node.id);
  ASSERT_OK(back);
  EXPECT_TRUE(*back == content) << "resumed content differs";
  EXPECT_EQ(resumed->node.size, content.size());
}

TEST_P(RemoteStoreContract, ResumingAnUnknownSessionIsNotFound) {
  // Create a real session id by interrupting an upload, then make one that cannot exist.
  UploadRequest request;
  request.workspaceId = ws();
  request.name = "x.bin";
  request.size = kSingleCallMax + 1;
  RecordingObserver observer;
  Result<UploadResult> interrupted = store().upload(
      request,
      [](uint64_t, char*, std::size_t) -> Result<std::size_t> {
        return makeError(ErrorCode::kIo, "no data");
      },
      &observer, soon());
  ASSERT_EQ(outcome(interrupted), "io");
  ASSERT_EQ(observer.sessions.size(), 1u);
  std::string unknown = observer.sessions.front();
  ASSERT_FALSE(unknown.empty());
  // Same shape, other id: flip the middle character between two letters.
  char& c = unknown[unknown.size() / 2];
  c = c == 'q' ? 'r' : 'q';
  request.resumeSessionId = unknown;
  request.resumeChunkSize = observer.chunkSize;
  EXPECT_THAT(
      outcome(store().upload(request, testutil::stringSource(std::string()), nullptr, soon())),
      AnyOf("not_found", "invalid"));
}

TEST_P(RemoteStoreContract, ConcurrentCallsFromManyThreadsAreSafe) {
  // RemoteStore is thread-safe: uploads, reads, listings and overwrites of one shared file from
  // several threads at once must all succeed and leave consistent state.
  constexpr int kThreads = 4;
  constexpr int kFilesEach = 5;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kFilesEach; ++i) {
        const std::string content = patternBytes(10000 + 111 * i, 100 * t + i);
        const std::string name = "c" + std::to_string(t) + "-" + std::to_string(i) + ".bin";
        Result<UploadResult> up = uploadString(store(), ws(), "root", name, content);
        if (!up.ok() || readAll(store(), ws(), up->node.id).valueOr("") != content) ++failures;
        if (!uploadString(store(), ws(), "root", "shared.bin", content).ok()) ++failures;
        if (!listAll(store(), ws(), "root").ok()) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  Result<testutil::Listing> listing = listAll(store(), ws(), "root");
  ASSERT_OK(listing);
  EXPECT_EQ(listing->nodes.size(), static_cast<std::size_t>(kThreads * kFilesEach + 1));
}

// ------------------------------------------------------------------ intelligence

TEST_P(RemoteStoreContract, SearchFindsAnUploadedTextFile) {
  const std::string word = uniqueWord("zebrafinch");
  const std::string text = "Field notes. The " + word + " nests in dense shrubs near water. " +
                           "Observed the " + word + " twice this week.";
  Result<UploadResult> up = uploadString(store(), ws(), "root", "field-notes.txt", text);
  ASSERT_OK(up);
  ASSERT_OK(uploadString(store(), ws(), "root", "groceries.txt", "apples, bread, cheese"));

  EXPECT_EQ(outcome(store().search(ws(), "z", SearchOptions{}, soon())), "invalid");

  const Deadline patience = Deadline::after(backend().searchIndexLag() + Seconds(10));
  std::optional<SearchHit> hit;
  while (!hit && !patience.expired()) {
    Result<SearchResult> result = store().search(ws(), word, SearchOptions{}, soon());
    ASSERT_OK(result);
    for (const SearchHit& h : result->hits) {
      if (h.nodeId == up->node.id) hit = h;
      EXPECT_NE(h.name, "groceries.txt") << "an unrelated file matched";
    }
    if (!hit) std::this_thread::sleep_for(Millis(250));
  }
  ASSERT_TRUE(hit.has_value()) << "the file never showed up in search";
  EXPECT_EQ(hit->name, "field-notes.txt");
  EXPECT_EQ(hit->parentId, "root");
  EXPECT_GT(hit->relevance, 0.0);
  EXPECT_LE(hit->relevance, 1.0);
}

TEST_P(RemoteStoreContract, FilenameSearchFindsAFileByName) {
  const std::string name = uniqueWord("ledger") + ".csv";
  Result<UploadResult> up = uploadString(store(), ws(), "root", name, "a,b\n1,2\n");
  ASSERT_OK(up);
  SearchOptions options;
  options.searchIn = SearchIn::kFilename;
  const Deadline patience = Deadline::after(backend().searchIndexLag() + Seconds(10));
  bool found = false;
  while (!found && !patience.expired()) {
    Result<SearchResult> result = store().search(ws(), name, options, soon());
    ASSERT_OK(result);
    for (const SearchHit& h : result->hits) found = found || h.nodeId == up->node.id;
    if (!found) std::this_thread::sleep_for(Millis(250));
  }
  EXPECT_TRUE(found);
}

TEST_P(RemoteStoreContract, AskAnswersFromTheMatchingFileWithACitation) {
  const std::string word = uniqueWord("quokka");
  const std::string text = "The " + word + " colony lives on the island. Every " + word +
                           " feeds at night. The " + word + " population is stable.";
  Result<UploadResult> up = uploadString(store(), ws(), "root", "island.txt", text);
  ASSERT_OK(up);
  ASSERT_OK(uploadString(store(), ws(), "root", "other.txt", "Unrelated minutes of a meeting."));

  // Wait until the file is indexed, so the answer can draw on it.
  const Deadline patience = Deadline::after(backend().searchIndexLag() + Seconds(10));
  bool indexed = false;
  while (!indexed && !patience.expired()) {
    Result<SearchResult> result = store().search(ws(), word, SearchOptions{}, soon());
    ASSERT_OK(result);
    for (const SearchHit& h : result->hits) indexed = indexed || h.nodeId == up->node.id;
    if (!indexed) std::this_thread::sleep_for(Millis(250));
  }
  ASSERT_TRUE(indexed);

  Result<AskAnswer> answer =
      store().ask(ws(), "Where does the " + word + " colony live?", soon(Seconds(120)));
  ASSERT_OK(answer);
  EXPECT_EQ(answer->state, "complete");
  EXPECT_FALSE(answer->text.empty());
  EXPECT_FALSE(answer->chatId.empty());
  bool cited = false;
  for (const Citation& c : answer->citations) cited = cited || c.nodeId == up->node.id;
  EXPECT_TRUE(cited) << "the answer does not cite island.txt";

  EXPECT_EQ(outcome(store().ask(ws(), "", soon())), "invalid");
}

// ------------------------------------------------------------------ activity

TEST_P(RemoteStoreContract, ActivityPollIsWokenByAChange) {
  Result<ActivityBatch> first = store().pollActivity(ws(), "", 0, soon());
  ASSERT_OK(first);
  ASSERT_FALSE(first->lastActivity.empty());

  std::string marker = first->lastActivity;
  std::string createdId;
  std::thread changer([&] {
    std::this_thread::sleep_for(Millis(300));
    Result<Node> folder = store().createFolder(ws(), "root", "wake-up", soon());
    if (folder.ok()) createdId = folder->id;
  });
  std::vector<std::string> keys;
  for (int polls = 0; polls < 3 && keys.empty(); ++polls) {
    Result<ActivityBatch> batch = store().pollActivity(ws(), marker, 20, soon(Seconds(40)));
    if (!batch.ok()) {
      ADD_FAILURE() << describe(batch);
      break;
    }
    keys = batch->keys;
    marker = batch->lastActivity;
  }
  changer.join();
  ASSERT_FALSE(createdId.empty());
  ASSERT_FALSE(keys.empty()) << "the poll was not woken by the change";
  bool storageKey = false;
  for (const std::string& key : keys) storageKey = storageKey || key.rfind("storage", 0) == 0;
  EXPECT_TRUE(storageKey);
}

TEST_P(RemoteStoreContract, ActivityPollWithoutChangesReturnsEmptyAfterItsWait) {
  Result<ActivityBatch> first = store().pollActivity(ws(), "", 0, soon());
  ASSERT_OK(first);
  Result<ActivityBatch> quiet = store().pollActivity(ws(), first->lastActivity, 1, soon());
  ASSERT_OK(quiet);
  EXPECT_TRUE(quiet->keys.empty());
  EXPECT_FALSE(quiet->lastActivity.empty());
}

// ------------------------------------------------------------------ locks

TEST_P(RemoteStoreContract, LockLifecycle) {
  Result<UploadResult> up = uploadString(store(), ws(), "root", "locked.txt", "x");
  ASSERT_OK(up);
  const std::string& id = up->node.id;

  Result<LockInfo> before = store().lockStatus(ws(), id, soon());
  ASSERT_OK(before);
  EXPECT_FALSE(before->locked);

  Result<LockInfo> lock = store().acquireLock(ws(), id, 120, soon());
  ASSERT_OK(lock);
  EXPECT_TRUE(lock->locked);
  EXPECT_FALSE(lock->token.empty());
  Result<LockInfo> during = store().lockStatus(ws(), id, soon());
  ASSERT_OK(during);
  EXPECT_TRUE(during->locked);
  EXPECT_EQ(outcome(store().acquireLock(ws(), id, 120, soon())), "conflict");

  ASSERT_OK(store().heartbeatLock(ws(), id, lock->token, soon()));
  EXPECT_EQ(outcome(store().heartbeatLock(ws(), id, lock->token + "x", soon())), "conflict");
  EXPECT_EQ(outcome(store().releaseLock(ws(), id, lock->token + "x", soon())), "conflict");
  ASSERT_OK(store().releaseLock(ws(), id, lock->token, soon()));

  Result<LockInfo> after = store().lockStatus(ws(), id, soon());
  ASSERT_OK(after);
  EXPECT_FALSE(after->locked);
  EXPECT_EQ(outcome(store().releaseLock(ws(), id, lock->token, soon())), "conflict");
  EXPECT_EQ(outcome(store().heartbeatLock(ws(), id, lock->token, soon())), "conflict");
  // Once released, it can be taken again.
  Result<LockInfo> again = store().acquireLock(ws(), id, 60, soon());
  ASSERT_OK(again);
  ASSERT_OK(store().releaseLock(ws(), id, again->token, soon()));
}

TEST_P(RemoteStoreContract, LockErrors) {
  Result<UploadResult> up = uploadString(store(), ws(), "root", "l.txt", "x");
  ASSERT_OK(up);
  EXPECT_EQ(outcome(store().acquireLock(ws(), up->node.id, 5, soon())), "invalid");
  EXPECT_EQ(outcome(store().acquireLock(ws(), up->node.id, 7200, soon())), "invalid");
  ASSERT_OK(store().deleteNode(ws(), up->node.id, soon()));
  EXPECT_EQ(outcome(store().acquireLock(ws(), up->node.id, 60, soon())), "not_found");
}

}  // namespace
}  // namespace fastio
