// Untrusted server input never escapes the mount (docs/SEMANTICS.md "Names").
#include <gtest/gtest.h>

#include "client/testing/ForwardingRemoteStore.h"
#include "tests/fs/FsTestSupport.h"

namespace fastio::fs {
namespace {

using namespace testsupport;
using testing::InMemoryRemoteStore;

// Lists whatever the test scripted for the workspace root, whatever the real store holds.
class ScriptedListing final : public testing::ForwardingRemoteStore {
 public:
  using ForwardingRemoteStore::ForwardingRemoteStore;
  std::vector<Node> rootChildren;
  Status listFolder(const std::string& workspaceId, const std::string& folderId,
                    const std::function<bool(FolderPage&&)>& onPage, Deadline deadline) override {
    if (folderId != "root") return inner().listFolder(workspaceId, folderId, onPage, deadline);
    FolderPage page;
    page.nodes = rootChildren;
    page.last = true;
    onPage(std::move(page));
    return okStatus();
  }
};

Node hostile(std::string id, std::string name, NodeType type = NodeType::kFile) {
  Node n;
  n.id = std::move(id);
  n.name = std::move(name);
  n.type = type;
  n.size = 3;
  n.version = "v1";
  return n;
}

TEST(HostileServer, BadNamesAreShownSafelyOrSkippedAndDuplicatesStayReachable) {
  InMemoryRemoteStore memory;
  memory.addWorkspace("hostile-ws");
  ScriptedListing scripted(memory);
  scripted.rootChildren = {
      hostile("n1", "../../etc/passwd"),
      hostile("n2", ".."),
      hostile("n3", std::string("nul\0byte", 8)),
      hostile("n4", "dup.txt"),
      hostile("n5", "dup.txt"),
      hostile("n6", std::string(400, 'x')),
      hostile("n7", ".search", NodeType::kFolder),
      hostile("n8", ""),
      hostile("n9", "line\nbreak"),
  };
  MemoryContentCache cache(1 << 20);
  FileSystem fs(scripted, cache, nullptr, testOptions());
  ASSERT_TRUE(fs.start(nullptr).ok());
  auto ws = walk(fs, "hostile-ws");
  ASSERT_TRUE(ws.ok());
  auto dir = fs.readDirectory(ws->attr.ino);
  ASSERT_TRUE(dir.ok());
  std::set<std::string> names;
  for (const auto& e : (*dir)->entries) {
    EXPECT_EQ(e.name.find('/'), std::string::npos) << e.name;
    EXPECT_EQ(e.name.find('\0'), std::string::npos);
    EXPECT_EQ(e.name.find('\n'), std::string::npos);
    EXPECT_NE(e.name, ".");
    EXPECT_NE(e.name, "..");
    EXPECT_NE(e.name, ".search") << "reserved name is not shadowed by a real folder";
    EXPECT_LE(e.name.size(), 255u);
    names.insert(e.name);
    // Every shown name resolves back to its own entry.
    auto looked = fs.lookup(ws->attr.ino, e.name);
    ASSERT_TRUE(looked.ok()) << e.name;
    EXPECT_EQ(looked->attr.ino, e.attr.ino);
  }
  EXPECT_EQ(names.size(), (*dir)->entries.size()) << "names are unique";
  EXPECT_EQ((*dir)->entries.size(), 6u) << "n2 (..), n7 (.search) and n8 (empty) skipped";
  EXPECT_EQ(names.count("dup.txt"), 1u);
  // The virtual .search is still the one the name leads to.
  auto search = fs.lookup(ws->attr.ino, ".search");
  ASSERT_TRUE(search.ok());
  EXPECT_EQ(fs.inodes().get(search->attr.ino)->kind, InodeKind::kSearchDir);
}

TEST(HostileServer, CyclicParentChainEndsInAnErrorNotALoop) {
  InMemoryRemoteStore memory;
  const std::string ws = memory.addWorkspace("cycle-ws");
  MemoryContentCache cache(1 << 20);
  FsCounters counters;
  Health health;
  // A folder that claims to be its own parent.
  class SelfParent final : public testing::ForwardingRemoteStore {
   public:
    using ForwardingRemoteStore::ForwardingRemoteStore;
    Status listFolder(const std::string&, const std::string& folderId,
                      const std::function<bool(FolderPage&&)>& onPage, Deadline) override {
      FolderPage page;
      Node self = hostile("loop", "loop", NodeType::kFolder);
      self.parentId = folderId;
      page.nodes = {self};
      onPage(std::move(page));
      return okStatus();
    }
    Result<NodeDetailsBatch> nodeDetails(const std::string&, const std::vector<std::string>& ids,
                                         Deadline) override {
      NodeDetailsBatch b;
      for (auto& id : ids) {
        Node n = hostile(id, "loop", NodeType::kFolder);
        n.parentId = "loop";
        b.nodes.push_back(n);
      }
      return b;
    }
  } store(memory);
  FolderCache folders(store, RealClock::instance(), std::chrono::seconds(5),
                      std::chrono::seconds(5), counters, health, nullptr);
  PathResolver paths(store, folders, RealClock::instance(), std::chrono::seconds(5));
  auto path = paths.pathOf(ws, "loop", "loop");
  ASSERT_FALSE(path.ok());
  EXPECT_EQ(path.error().code, ErrorCode::kProtocol);
}

}  // namespace
}  // namespace fastio::fs
