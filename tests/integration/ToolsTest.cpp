// Ordinary tools writing into a real mount (docs/SEMANTICS.md "Writes", "Attributes",
// "Unmount and restart"): git, tar x, rsync -a and cp -r of 2,000 files. Each result is read
// back through a second mount with an empty cache directory, so it comes from the server.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>

#include "tests/integration/WriteHarness.h"

namespace fastio::integration {
namespace {

namespace fsys = std::filesystem;

std::string quoted(const fsys::path& p) {
  return "'" + p.string() + "'";
}

// A small tree of ordinary files (0644) and folders (0755) with fixed mtimes.
void makeSmallTree(const fsys::path& root) {
  writeFile(root / "README.md", "# A small project\n");
  writeFile(root / "src/main.c", "int main(void) { return 0; }\n");
  writeFile(root / "src/util/strings.c", "/* strings */\n");
  writeFile(root / "assets/blob.bin", bytesOf(300 * 1024 + 7, 3));
  writeFile(root / "assets/empty.txt", "");
  shell("chmod -R u=rwX,go=rX " + quoted(root) + " && find " + quoted(root) +
        " -exec touch -h -d '2021-06-07 08:09:10' {} +");
}

int diffTrees(const fsys::path& a, const fsys::path& b, std::string* out) {
  return shell("diff -r " + quoted(a) + " " + quoted(b) + " 2>&1", out);
}

using ToolsTest = WriteMountTest;

// git init, add, commit inside the mount; the repository is intact on the server
TEST_F(ToolsTest, GitInitAddAndCommitOfASmallTree) {
  const fsys::path repo = at("repo");
  makeSmallTree(repo);
  const std::string git = "HOME=" + quoted(scratch()) +
                          " GIT_CONFIG_NOSYSTEM=1 git -c user.name=Tester"
                          " -c user.email=tester@example.com -c init.defaultBranch=main -C " +
                          quoted(repo);
  std::string out;
  ASSERT_EQ(shell(git + " init -q 2>&1", &out), 0) << out;
  ASSERT_EQ(shell(git + " add -A 2>&1", &out), 0) << out;
  ASSERT_EQ(shell(git + " commit -q -m 'first commit' 2>&1", &out), 0) << out;
  ASSERT_EQ(shell(git + " fsck --strict 2>&1", &out), 0) << out;
  ASSERT_EQ(shell(git + " status --porcelain 2>&1", &out), 0) << out;
  EXPECT_EQ(out, "");
  writeFile(repo / "src/main.c", "int main(void) { return 1; }\n");
  ASSERT_EQ(shell(git + " commit -q -am 'second commit' 2>&1", &out), 0) << out;

  syncAll();
  auto fresh = freshMount();
  const std::string freshGit = "HOME=" + quoted(scratch()) + " GIT_CONFIG_NOSYSTEM=1 git -C " +
                               quoted(fresh->path(std::string(kWorkspace) + "/repo"));
  ASSERT_EQ(shell(freshGit + " fsck --strict 2>&1", &out), 0) << out;
  ASSERT_EQ(shell(freshGit + " log --format=%s 2>&1", &out), 0) << out;
  EXPECT_EQ(out, "second commit\nfirst commit\n");
  ASSERT_EQ(shell(freshGit + " status --porcelain 2>&1", &out), 0) << out;
  EXPECT_EQ(out, "") << "the work tree matches the last commit";
}

// tar x keeps contents and mtimes (it also chmods and chowns to ordinary values)
TEST_F(ToolsTest, TarExtractIntoTheMount) {
  const fsys::path src = scratch() / "tar-src";
  makeSmallTree(src);
  const fsys::path archive = scratch() / "tree.tar";
  std::string out;
  ASSERT_EQ(shell("tar cf " + quoted(archive) + " -C " + quoted(src) + " . 2>&1", &out), 0) << out;
  ASSERT_EQ(::mkdir(at("untarred").c_str(), 0755), 0);
  ASSERT_EQ(shell("tar xf " + quoted(archive) + " -C " + quoted(at("untarred")) + " 2>&1", &out), 0)
      << out;
  EXPECT_EQ(diffTrees(src, at("untarred"), &out), 0) << out;
  EXPECT_EQ(fsys::last_write_time(at("untarred/src/main.c")),
            fsys::last_write_time(src / "src/main.c"));

  syncAll();
  auto fresh = freshMount();
  EXPECT_EQ(diffTrees(src, fresh->path(std::string(kWorkspace) + "/untarred"), &out), 0) << out;
}

// rsync -a: temp files renamed into place, perms, owner and times set
TEST_F(ToolsTest, RsyncArchiveIntoTheMount) {
  const fsys::path src = scratch() / "rsync-src";
  makeSmallTree(src);
  std::string out;
  ASSERT_EQ(shell("rsync -a " + quoted(src) + "/ " + quoted(at("mirror")) + "/ 2>&1", &out), 0)
      << out;
  EXPECT_EQ(diffTrees(src, at("mirror"), &out), 0) << out;
  EXPECT_EQ(fsys::last_write_time(at("mirror/assets/blob.bin")),
            fsys::last_write_time(src / "assets/blob.bin"));
  // A second run finds nothing to do (sizes and mtimes match).
  ASSERT_EQ(shell("rsync -ai " + quoted(src) + "/ " + quoted(at("mirror")) + "/ 2>&1", &out), 0)
      << out;
  EXPECT_EQ(out, "") << "rsync saw differences";

  syncAll();
  auto fresh = freshMount();
  EXPECT_EQ(diffTrees(src, fresh->path(std::string(kWorkspace) + "/mirror"), &out), 0) << out;
}

// cp -r of 2,000 small files, `fastiofs unmount` (which uploads them), then a fresh mount with an
// empty cache directory shows the same bytes
TEST_F(ToolsTest, CopyOfTwoThousandFilesSurvivesUnmountAndReadsBackFromTheServer) {
  const fsys::path src = scratch() / "many";
  for (int d = 0; d < 20; ++d) {
    for (int f = 0; f < 100; ++f) {
      const std::string name = "d" + std::to_string(d) + "/f" + std::to_string(f) + ".txt";
      writeFile(src / name, "file " + name + "\n" + std::string(static_cast<size_t>(f * 13), 'z'));
    }
  }
  std::string out;
  ASSERT_EQ(shell("cp -r " + quoted(src) + " " + quoted(at("many")) + " 2>&1", &out), 0) << out;
  ASSERT_EQ(shell("find " + quoted(at("many")) + " -type f | wc -l", &out), 0);
  EXPECT_EQ(std::stoi(out), 2000);

  ASSERT_EQ(unmountWithTimeout(*mount_, 600, &out), 0) << out;
  auto fresh = freshMount();
  EXPECT_EQ(diffTrees(src, fresh->path(std::string(kWorkspace) + "/many"), &out), 0) << out;
}

}  // namespace
}  // namespace fastio::integration
