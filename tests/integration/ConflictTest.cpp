// A conflict on a real mount (docs/SEMANTICS.md "Uploads", "Conflicts"): the file changed on the
// server after it was written here. Both versions are kept: the original keeps the server's,
// a "(conflict <host> <date>)" copy next to it holds ours, and both show in the mount.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <regex>
#include <string>

#include "tests/integration/WriteHarness.h"

namespace fastio::integration {
namespace {

namespace fsys = std::filesystem;

std::string hostName() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

std::string regexEscaped(const std::string& s) {
  static const std::regex special(R"([.^$|()\[\]{}*+?\\])");
  return std::regex_replace(s, special, R"(\$&)");
}

using ConflictTest = WriteMountTest;

TEST_F(ConflictTest, ServerChangeDuringALocalEditKeepsBothVersions) {
  const fsys::path report = at("docs/report.txt");
  const std::string id = server_->idAt("docs/report.txt");
  const std::string ours = seedFiles().at("docs/report.txt") + "our local addition\n";
  const std::string theirs = "Rewritten by another client.\n";
  ASSERT_EQ(shell("echo 'our local addition' >> '" + report.string() + "'"), 0);
  const int fd = ::open(report.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  server_->updateFile(id, "report.txt", theirs);

  syncAll();
  // The server: the original keeps their version; a new node holds ours.
  EXPECT_EQ(server_->content(id), theirs);
  const std::regex copyName("report \\(conflict " + regexEscaped(hostName()) +
                            " \\d{4}-\\d{2}-\\d{2} \\d{6}\\)\\.txt");
  std::string copy;
  for (const auto& [name, node] : server_->children(server_->idAt("docs"))) {
    if (std::regex_match(name, copyName)) copy = name;
  }
  ASSERT_FALSE(copy.empty()) << "no conflict copy on the server";
  EXPECT_EQ(server_->content(server_->idAt("docs/" + copy)), ours);

  // The mount shows both, each with its content.
  EXPECT_TRUE(eventually([&] {
    const auto names = namesIn(at("docs"));
    return names.count("report.txt") && names.count(copy);
  })) << "both are listed";
  EXPECT_TRUE(eventually([&] { return readFile(report) == theirs; }))
      << "the original shows the server's version: " << readFile(report);
  EXPECT_EQ(readFile(at("docs/" + copy)), ours);
  EXPECT_EQ(xattrOf(at("docs/" + copy), "user.fastio.sync"), "clean");
  EXPECT_EQ(xattrOf(report, "user.fastio.id"), id);

  // An open descriptor follows the local content to the copy.
  char buf[256] = {};
  EXPECT_EQ(::pread(fd, buf, sizeof buf, 0), static_cast<ssize_t>(ours.size()));
  EXPECT_EQ(std::string(buf, ours.size()), ours);
  ::close(fd);

  EXPECT_EQ(daemonCounter(*mount_, "upload_conflicts"), 1u);
  EXPECT_EQ(daemonStats(*mount_)["uploads"]["conflicts"], 1);
  EXPECT_NE(readFile(mount_->path(".fastio/status")).find("conflicts:  1"), std::string::npos)
      << readFile(mount_->path(".fastio/status"));
}

}  // namespace
}  // namespace fastio::integration
