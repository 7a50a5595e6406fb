// How editors and tools rewrite files on a real mount (docs/SEMANTICS.md "Writes": rename over
// an existing file, "Uploads": updated in place). The target keeps its node id and gains a
// version; a server source goes to the trash; temp files never reach the server.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include "tests/integration/WriteHarness.h"
#include "tests/support/EmulatorCounters.h"

namespace fastio::integration {
namespace {

namespace fsys = std::filesystem;

using EditorPatternTest = WriteMountTest;

// SEMANTICS "Writes": rename over an existing file
TEST_F(EditorPatternTest, RenameOverAServerFileKeepsItsIdAddsAVersionAndTrashesTheSource) {
  const std::string targetId = server_->idAt("docs/report.txt");
  const std::string sourceId = server_->idAt("docs/notes.md");
  const std::string notes = seedFiles().at("docs/notes.md");
  fsys::rename(at("docs/notes.md"), at("docs/report.txt"));
  EXPECT_EQ(readFile(at("docs/report.txt")), notes) << "the target shows the new content at once";
  EXPECT_FALSE(namesIn(at("docs")).count("notes.md"));

  syncAll();
  EXPECT_EQ(xattrOf(at("docs/report.txt"), "user.fastio.id"), targetId);
  EXPECT_EQ(server_->idAt("docs/report.txt"), targetId);
  EXPECT_EQ(server_->content(targetId), notes);
  const auto versions = server_->versions(targetId);
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[1]["size"], seedFiles().at("docs/report.txt").size()) << "history kept";
  EXPECT_EQ(server_->details(sourceId)["deleted"], true);
  EXPECT_TRUE(server_->trashIds().count(sourceId));
  EXPECT_EQ(server_->idAt("docs/notes.md"), "");
  EXPECT_EQ(readFile(at("docs/report.txt")), notes);
}

// The editor pattern: write a temp file, fsync, rename it over the original
TEST_F(EditorPatternTest, TempFileFsyncAndRenameOverUpdatesTheOriginalInPlace) {
  const std::string id = server_->idAt("docs/report.txt");
  const fsys::path temp = at("docs/.report.txt.swp");
  const std::string edited = "The quarterly report, second draft.\nWith a new paragraph.\n";
  const int fd = ::open(temp.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0600);
  ASSERT_GE(fd, 0) << std::strerror(errno);
  ASSERT_EQ(::write(fd, edited.data(), edited.size()), static_cast<ssize_t>(edited.size()));
  ASSERT_EQ(::fsync(fd), 0);
  ASSERT_EQ(::close(fd), 0);
  ASSERT_EQ(::rename(temp.c_str(), at("docs/report.txt").c_str()), 0) << std::strerror(errno);
  EXPECT_EQ(readFile(at("docs/report.txt")), edited);
  EXPECT_FALSE(namesIn(at("docs")).count(".report.txt.swp"));
  EXPECT_EQ(uploadCalls(*emulator_), 0u);

  syncAll();
  EXPECT_EQ(uploadCalls(*emulator_), 1u) << "one update of the original, nothing for the temp";
  EXPECT_EQ(xattrOf(at("docs/report.txt"), "user.fastio.id"), id);
  EXPECT_EQ(server_->content(id), edited);
  EXPECT_EQ(server_->versions(id).size(), 2u);
  EXPECT_EQ(server_->idAt("docs/.report.txt.swp"), "");
  EXPECT_TRUE(server_->trashIds().empty()) << "the temp never reached the server";
}

// `sed -i`: a temp file in the same folder, chmod/chown to the original's, rename over
TEST_F(EditorPatternTest, SedInPlaceEditKeepsTheNodeIdAndAddsAVersion) {
  const std::string id = server_->idAt("docs/notes.md");
  std::string out;
  ASSERT_EQ(
      shell("sed -i 's/old line/new line/g' '" + at("docs/notes.md").string() + "' 2>&1", &out), 0)
      << out;
  const std::string expected = "# Notes\nnew line one\nnew line two\n";
  EXPECT_EQ(readFile(at("docs/notes.md")), expected);
  EXPECT_EQ(namesIn(at("docs")), (std::set<std::string>{"data.bin", "notes.md", "report.txt"}));

  syncAll();
  EXPECT_EQ(xattrOf(at("docs/notes.md"), "user.fastio.id"), id);
  EXPECT_EQ(server_->content(id), expected);
  EXPECT_EQ(server_->versions(id).size(), 2u);
  EXPECT_EQ(server_->children(server_->idAt("docs")).size(), 3u) << "no temp file left behind";
}

// Truncate and rewrite in place (what `>` in a shell and many programs do)
TEST_F(EditorPatternTest, TruncateAndRewriteUpdatesInPlace) {
  const std::string id = server_->idAt("top.txt");
  const fsys::path file = at("top.txt");
  ASSERT_EQ(::truncate(file.c_str(), 0), 0);
  EXPECT_EQ(readFile(file), "");
  ASSERT_EQ(shell("printf 'rewritten\\n' >> '" + file.string() + "'"), 0);
  ASSERT_EQ(shell("echo 'rewritten again' > '" + file.string() + "'"), 0);
  EXPECT_EQ(readFile(file), "rewritten again\n");

  syncAll();
  EXPECT_EQ(xattrOf(file, "user.fastio.id"), id);
  EXPECT_EQ(server_->content(id), "rewritten again\n");
  EXPECT_EQ(server_->versions(id).size(), 2u);
}

// An append-only log: many short appends (open, append, close) and a long-lived O_APPEND
// descriptor, across an upload
TEST_F(EditorPatternTest, AppendOnlyLogKeepsEveryLineInOrder) {
  const fsys::path log = at("other/app.log");
  std::string expected;
  const int keep = ::open(log.c_str(), O_CREAT | O_WRONLY | O_APPEND, 0644);
  ASSERT_GE(keep, 0);
  for (int i = 0; i < 400; ++i) {
    const std::string line = "line " + std::to_string(i) + " " + std::string(i % 37, 'x') + "\n";
    if (i % 3 == 0) {
      ASSERT_EQ(::write(keep, line.data(), line.size()), static_cast<ssize_t>(line.size()));
    } else {
      const int fd = ::open(log.c_str(), O_WRONLY | O_APPEND);
      ASSERT_GE(fd, 0) << i;
      ASSERT_EQ(::write(fd, line.data(), line.size()), static_cast<ssize_t>(line.size()));
      ASSERT_EQ(::close(fd), 0);
    }
    expected += line;
    if (i == 200) {
      EXPECT_EQ(readFile(log), expected);
      syncAll();  // the log goes on growing over its uploaded version
    }
  }
  ASSERT_EQ(::close(keep), 0);
  EXPECT_EQ(readFile(log), expected);
  EXPECT_EQ(fsys::file_size(log), expected.size());

  syncAll();
  const std::string id = server_->idAt("other/app.log");
  EXPECT_EQ(xattrOf(log, "user.fastio.id"), id);
  EXPECT_EQ(server_->content(id), expected);
  EXPECT_EQ(server_->versions(id).size(), 2u);
}

}  // namespace
}  // namespace fastio::integration
