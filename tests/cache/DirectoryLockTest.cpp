#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "cache/DirectoryLock.h"
#include "tests/support/TempDir.h"

namespace fastio::cache {
namespace {

using fastio::testing::TempDir;

// Runs acquire() in a child process; returns its error message ("" when it got the lock).
std::string acquireInChild(const std::filesystem::path& dir) {
  int fds[2];
  if (::pipe(fds) != 0) return "pipe failed";
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    auto lock = DirectoryLock::acquire(dir);
    std::string msg = lock.ok() ? "" : lock.error().message;
    if (!msg.empty()) (void)!::write(fds[1], msg.data(), msg.size());
    ::_exit(lock.ok() ? 0 : 1);
  }
  ::close(fds[1]);
  std::string msg;
  char buf[256];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof(buf))) > 0) msg.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return msg;
}

TEST(DirectoryLockTest, SecondProcessFailsWithAClearMessage) {
  TempDir tmp;
  auto dir = tmp.path() / "cache";
  auto lock = DirectoryLock::acquire(dir);
  ASSERT_TRUE(lock.ok()) << lock.error().describe();
  std::string msg = acquireInChild(dir);
  EXPECT_NE(msg.find(dir.string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("in use by another fastiofs process"), std::string::npos) << msg;
  EXPECT_NE(msg.find("pid " + std::to_string(::getpid())), std::string::npos) << msg;
}

TEST(DirectoryLockTest, ReleasedWhenTheHolderGoesAway) {
  TempDir tmp;
  {
    auto lock = DirectoryLock::acquire(tmp.path());
    ASSERT_TRUE(lock.ok());
  }
  EXPECT_EQ(acquireInChild(tmp.path()), "");
}

TEST(DirectoryLockTest, ASecondLockInTheSameProcessAlsoFails) {
  TempDir tmp;
  auto first = DirectoryLock::acquire(tmp.path());
  ASSERT_TRUE(first.ok());
  auto second = DirectoryLock::acquire(tmp.path());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kExists);
}

TEST(DirectoryLockTest, DirectoryIsMadePrivate) {
  TempDir tmp;
  auto dir = tmp.path() / "open";
  std::filesystem::create_directory(dir);
  ::chmod(dir.c_str(), 0755);
  auto lock = DirectoryLock::acquire(dir);
  ASSERT_TRUE(lock.ok());
  struct stat st {};
  ASSERT_EQ(::stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat((dir / "LOCK").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(DirectoryLockTest, AFileInsteadOfADirectoryIsAnError) {
  TempDir tmp;
  auto file = tmp.path() / "file";
  FILE* f = std::fopen(file.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fclose(f);
  auto lock = DirectoryLock::acquire(file);
  ASSERT_FALSE(lock.ok());
}

}  // namespace
}  // namespace fastio::cache
