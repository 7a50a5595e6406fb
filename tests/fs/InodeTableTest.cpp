// Inode numbers and lookup counts (docs/SEMANTICS.md "Inodes").
#include <gtest/gtest.h>

#include <thread>

#include "fs/InodeTable.h"

namespace fastio::fs {
namespace {

InodeInfo fileUnder(InodeId parent, std::string name, std::string nodeId) {
  InodeInfo i;
  i.kind = InodeKind::kFile;
  i.parent = parent;
  i.name = std::move(name);
  i.workspaceId = "ws1";
  i.nodeId = std::move(nodeId);
  return i;
}

TEST(InodeTable, RootExistsAndIsADirectory) {
  InodeTable t;
  auto root = t.get(kRootInode);
  ASSERT_TRUE(root);
  EXPECT_EQ(root->kind, InodeKind::kMountRoot);
  EXPECT_TRUE(isDirectoryKind(root->kind));
}

TEST(InodeTable, SameKeySameNumberAndCountsAreExact) {
  InodeTable t;
  const auto key = InodeTable::nodeKey("ws1", "f1");
  auto a = t.lookupOrCreate(key, fileUnder(kRootInode, "a", "f1"));
  auto b = t.lookupOrCreate(key, fileUnder(kRootInode, "a", "f1"));
  EXPECT_EQ(a.ino, b.ino);
  EXPECT_NE(a.ino, kRootInode);
  EXPECT_EQ(t.lookupCount(a.ino), 2u);
  EXPECT_EQ(t.forget(a.ino, 1), 1u);
  EXPECT_TRUE(t.get(a.ino));
  EXPECT_EQ(t.forget(a.ino, 1), 0u);
  EXPECT_FALSE(t.get(a.ino)) << "forgotten slot is released";
  // Looked up again later: same number (stable for the life of the mount).
  auto c = t.lookupOrCreate(key, fileUnder(kRootInode, "a", "f1"));
  EXPECT_EQ(c.ino, a.ino);
  EXPECT_EQ(t.lookupCount(c.ino), 1u);
}

TEST(InodeTable, ForgetMoreThanHeldClampsToZero) {
  InodeTable t;
  auto a = t.lookupOrCreate("k", fileUnder(kRootInode, "a", "f1"));
  EXPECT_EQ(t.forget(a.ino, 10), 0u);
  EXPECT_EQ(t.forget(12345, 1), 0u) << "unknown inode is harmless";
  EXPECT_EQ(t.forget(kRootInode, 5), 1u) << "the root is never released";
}

TEST(InodeTable, ParentNameIndexFollowsRenamesAndDetach) {
  InodeTable t;
  auto a = t.lookupOrCreate("k", fileUnder(kRootInode, "a", "f1"));
  EXPECT_EQ(t.childOf(kRootInode, "a"), a.ino);
  t.reparent(a.ino, 7, "b");
  EXPECT_FALSE(t.childOf(kRootInode, "a"));
  EXPECT_EQ(t.childOf(7, "b"), a.ino);
  // Looking the same key up under a new place moves it too, keeping the count.
  auto again = t.lookupOrCreate("k", fileUnder(9, "c", "f1"));
  EXPECT_EQ(again.ino, a.ino);
  EXPECT_EQ(again.lookupCount, 2u);
  EXPECT_FALSE(t.childOf(7, "b"));
  EXPECT_EQ(t.childOf(9, "c"), a.ino);
  t.detach(a.ino);
  EXPECT_FALSE(t.childOf(9, "c"));
  EXPECT_TRUE(t.get(a.ino));
}

TEST(InodeTable, NumberForDoesNotTakeAReference) {
  InodeTable t;
  const InodeId ino = t.numberFor("k", fileUnder(kRootInode, "a", "f1"));
  EXPECT_EQ(t.lookupCount(ino), 0u);
  EXPECT_EQ(t.find("k"), ino);
}

// A lookup that saw a new file just before its upload finished asks by the file's local key;
// it gets the inode the file became, with its node id, not a second inode without one.
TEST(InodeTable, ALocalKeyRekeyedToItsNodeLeadsToTheNodesInode) {
  InodeTable t;
  InodeInfo local = fileUnder(kRootInode, "new.txt", "");
  local.dirtyKey = 7;
  const InodeInfo created = t.lookupOrCreate(InodeTable::localKey(7), local);
  t.rekey(created.ino, InodeTable::nodeKey("ws1", "n1"), "n1");

  const InodeInfo late = t.lookupOrCreate(InodeTable::localKey(7), local);
  EXPECT_EQ(late.ino, created.ino);
  EXPECT_EQ(late.nodeId, "n1");

  // Once the kernel forgot it, a late lookup still names the node.
  t.forget(created.ino, 2);
  const InodeInfo again = t.lookupOrCreate(InodeTable::localKey(7), local);
  EXPECT_EQ(again.nodeId, "n1");
  EXPECT_EQ(again.dirtyKey, 0u);
}

// A node key given up (its content became a conflict copy) is not forwarded: the node gets an
// inode of its own again.
TEST(InodeTable, ANodeKeyGivenUpIsNotForwarded) {
  InodeTable t;
  const InodeInfo node =
      t.lookupOrCreate(InodeTable::nodeKey("ws1", "n1"), fileUnder(kRootInode, "a.txt", "n1"));
  t.rekey(node.ino, InodeTable::localKey(9), "", 9);
  const InodeInfo fresh =
      t.lookupOrCreate(InodeTable::nodeKey("ws1", "n1"), fileUnder(kRootInode, "a.txt", "n1"));
  EXPECT_NE(fresh.ino, node.ino);
}

TEST(InodeTable, ConcurrentLookupsAndForgetsBalance) {
  InodeTable t;
  constexpr int kThreads = 8;
  constexpr int kRounds = 2000;
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      for (int r = 0; r < kRounds; ++r) {
        auto info = t.lookupOrCreate("shared", fileUnder(kRootInode, "s", "f"));
        t.forget(info.ino, 1);
      }
    });
  }
  auto held = t.lookupOrCreate("shared", fileUnder(kRootInode, "s", "f"));
  for (auto& th : threads) th.join();
  EXPECT_EQ(t.lookupCount(held.ino), 1u);
}

}  // namespace
}  // namespace fastio::fs
