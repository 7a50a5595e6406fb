// State on a temp directory: files and versions, CAS, folders, move rules, trash, persistence,
// crash leftovers, hooks and activity.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include "emulator/state/State.h"

namespace fastio::emu {
namespace {

namespace fs = std::filesystem;

class StateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("fastio-state-test-" + std::to_string(::getpid()) + "-" +
                                        std::to_string(std::random_device{}()));
    open();
    NewWorkspace spec;
    spec.orgId = state_->identity().org().id;
    spec.folderName = "unit-ws";
    spec.name = "Unit";
    auto ws = state_->workspaces().create(spec);
    ASSERT_TRUE(ws.ok()) << ws.error().describe();
    ws_ = ws->id;
    hooks_.subscribe([this](const StorageEvent& e) { events_.push_back(e.kind); });
  }
  void TearDown() override {
    state_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  void open() {
    auto s = State::open(dir_, activity_, hooks_);
    ASSERT_TRUE(s.ok()) << s.error().describe();
    state_ = std::move(*s);
  }
  Result<NodeRecord> store(const std::string& parent, const std::string& name,
                           const std::string& bytes, const std::string& existing = "",
                           const std::string& ifVersion = "") {
    StoreFileRequest r;
    r.workspaceId = ws_;
    r.parentId = parent;
    r.name = name;
    r.existingFileId = existing;
    r.ifVersionId = ifVersion;
    r.blobTempPath = state_->files().newTempPath();
    std::ofstream(r.blobTempPath, std::ios::binary) << bytes;
    r.size = static_cast<std::int64_t>(bytes.size());
    return state_->files().store(r);
  }
  std::string content(const std::string& node, const std::string& version = "") {
    auto blob = state_->files().blob(ws_, node, version);
    if (!blob.ok()) return "<" + blob.error().describe() + ">";
    std::ifstream in(blob->path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  fs::path dir_;
  ActivityLog activity_;
  StorageHooks hooks_;
  std::unique_ptr<State> state_;
  std::string ws_;
  std::vector<StorageEvent::Kind> events_;
};

TEST_F(StateTest, SameNameSameParentIsANewVersionOfTheSameNode) {
  auto first = store("root", "a.txt", "one");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->md5, "f97c5d29941bfb1b2fdab0874906ab82");
  EXPECT_EQ(first->aiState, "pending") << "intelligence is on by default";
  auto second = store("root", "a.txt", "two");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->id, first->id);
  EXPECT_NE(second->versionId, first->versionId);
  EXPECT_EQ(content(first->id), "two");
  EXPECT_EQ(content(first->id, first->versionId), "one");
  auto versions = state_->files().versions(ws_, first->id);
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ(versions->size(), 2u);
  EXPECT_EQ(events_, (std::vector<StorageEvent::Kind>{StorageEvent::Kind::kVersionStored,
                                                      StorageEvent::Kind::kVersionStored}));
}

TEST_F(StateTest, UpdateByIdWithCasAndRename) {
  auto f = store("root", "a.txt", "one");
  ASSERT_TRUE(f.ok());
  auto stale = store("root", "ignored", "x", f->id, "v" + std::string(28, '0'));
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().httpStatus, 409);
  auto ok = store("root", "renamed.txt", "three", f->id, f->versionId);
  ASSERT_TRUE(ok.ok()) << ok.error().describe();
  EXPECT_EQ(ok->id, f->id);
  EXPECT_EQ(ok->name, "renamed.txt");
  EXPECT_EQ(ok->size, 5);
  // The temp blob of a refused store is gone, not leaked.
  std::size_t temps = 0;
  for (const auto& e : fs::directory_iterator(dir_ / "blobs" / "tmp")) temps += e.exists();
  EXPECT_EQ(temps, 0u);
}

TEST_F(StateTest, SizeMismatchAndBadNamesAreRefused) {
  StoreFileRequest r;
  r.workspaceId = ws_;
  r.name = "x.bin";
  r.blobTempPath = state_->files().newTempPath();
  std::ofstream(r.blobTempPath) << "abc";
  r.size = 4;
  EXPECT_EQ(state_->files().store(r).error().httpStatus, 406);
  EXPECT_FALSE(store("root", "a/b", "x").ok());
  EXPECT_FALSE(store("root", "..", "x").ok());
}

TEST_F(StateTest, FoldersMovesAndLoops) {
  auto a = state_->tree().createFolder(ws_, "root", "a", false);
  ASSERT_TRUE(a.ok());
  auto b = state_->tree().createFolder(ws_, a->id, "b", false);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(state_->tree().createFolder(ws_, "root", "a", false)->id, a->id);
  EXPECT_EQ(state_->tree().createFolder(ws_, "root", "a", true)->name, "a (2)");
  auto loop = state_->tree().move(ws_, a->id, b->id);
  ASSERT_FALSE(loop.ok());
  EXPECT_EQ(loop.error().httpStatus, 406);
  auto moved = state_->tree().move(ws_, b->id, "root");
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(moved->parentId, "root");
}

TEST_F(StateTest, TrashRestorePurgeRemovesContent) {
  auto folder = state_->tree().createFolder(ws_, "root", "box", false);
  auto f = store(folder->id, "in.txt", "data");
  ASSERT_TRUE(f.ok());
  std::string blobPath = state_->files().blob(ws_, f->id, "")->path;
  ASSERT_TRUE(state_->trash().moveToTrash(ws_, folder->id).ok());
  EXPECT_FALSE(state_->files().blob(ws_, f->id, "").ok()) << "trashed subtree is not readable";
  auto trash = state_->nodes().listTrash(ws_, ListQuery{});
  ASSERT_TRUE(trash.ok());
  ASSERT_EQ(trash->nodes.size(), 1u);
  EXPECT_FALSE(state_->trash().restore(ws_, f->id).ok()) << "restore the entry, not a member";
  ASSERT_TRUE(state_->trash().restore(ws_, folder->id).ok());
  EXPECT_EQ(content(f->id), "data");
  ASSERT_TRUE(state_->trash().moveToTrash(ws_, folder->id).ok());
  ASSERT_TRUE(state_->trash().purge(ws_, folder->id).ok());
  EXPECT_FALSE(fs::exists(blobPath));
  EXPECT_EQ(state_->nodes().node(ws_, f->id).error().httpStatus, 404);
}

TEST_F(StateTest, EverythingSurvivesReopenAndOrphansAreCleaned) {
  auto f = store("root", "keep.txt", "kept");
  ASSERT_TRUE(f.ok());
  std::string userId = state_->identity().user().id;
  // Leftovers of an interrupted write: a temp blob and an unreferenced blob.
  std::ofstream(dir_ / "blobs" / "tmp" / "blob-partial") << "half";
  std::ofstream(dir_ / "blobs" / "vorphan") << "orphan";
  state_.reset();
  open();
  EXPECT_EQ(state_->identity().user().id, userId);
  EXPECT_EQ(content(f->id), "kept");
  EXPECT_TRUE(state_->workspaces().find("UNIT-WS").ok());
  EXPECT_FALSE(fs::exists(dir_ / "blobs" / "tmp" / "blob-partial"));
  EXPECT_FALSE(fs::exists(dir_ / "blobs" / "vorphan"));
}

TEST_F(StateTest, AiResultAppliesOnlyToTheCurrentVersion) {
  auto v1 = store("root", "doc.md", "# one");
  auto v2 = store("root", "doc.md", "# two");
  ASSERT_TRUE(v1.ok() && v2.ok());
  std::string since = activity_.now();
  ASSERT_TRUE(
      state_->aiResults().record(ws_, v1->id, v1->versionId, {"ready", "Old", "", ""}).ok());
  EXPECT_EQ(state_->nodes().node(ws_, v1->id)->aiState, "pending");
  ASSERT_TRUE(state_->aiResults()
                  .record(ws_, v2->id, v2->versionId, {"ready", "Two", "short", "long"})
                  .ok());
  auto n = state_->nodes().node(ws_, v2->id);
  EXPECT_EQ(n->aiState, "ready");
  EXPECT_EQ(n->summaryTitle, "Two");
  auto poll = activity_.poll(ws_, since, std::chrono::milliseconds(0));
  EXPECT_EQ(poll.keys, std::vector<std::string>{"ai_state:" + v2->id});
}

TEST_F(StateTest, TokensExpire) {
  state_->tokens().setStatic("static");
  EXPECT_TRUE(state_->tokens().isValid("static"));
  EXPECT_FALSE(state_->tokens().isValid(""));
  ASSERT_TRUE(state_->tokens().add("live", nowMicros() + 60'000'000).ok());
  ASSERT_TRUE(state_->tokens().add("dead", nowMicros() - 1).ok());
  EXPECT_TRUE(state_->tokens().isValid("live"));
  EXPECT_FALSE(state_->tokens().isValid("dead"));
  ASSERT_TRUE(state_->tokens().revoke("live").ok());
  EXPECT_FALSE(state_->tokens().isValid("live"));
}

TEST_F(StateTest, PagingVisitsEveryRowOnce) {
  for (int i = 0; i < 250; ++i) {
    ASSERT_TRUE(state_->tree().createFolder(ws_, "root", "f" + std::to_string(i), false).ok());
  }
  ListQuery q;
  q.pageSize = 100;
  q.sortBy = SortBy::kCreated;
  q.descending = true;
  std::set<std::string> seen;
  int pages = 0;
  do {
    auto page = state_->nodes().listFolder(ws_, "root", q);
    ASSERT_TRUE(page.ok());
    for (const auto& n : page->nodes) EXPECT_TRUE(seen.insert(n.id).second);
    q.cursor = page->nextCursor;
    ++pages;
  } while (!q.cursor.empty() && pages < 10);
  EXPECT_EQ(seen.size(), 250u);
  EXPECT_EQ(pages, 3);
}

}  // namespace
}  // namespace fastio::emu
