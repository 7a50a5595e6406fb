#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "common/FdIo.h"
#include "tests/support/TempDir.h"

namespace fastio::fdio {
namespace {

class FdIoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fd_ = ::open((dir_.path() / "f").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    ASSERT_GE(fd_, 0);
  }
  void TearDown() override { ::close(fd_); }

  testing::TempDir dir_{"fastio-fdio"};
  int fd_ = -1;
};

TEST_F(FdIoTest, WholeBuffersGoOutAndComeBack) {
  const std::string data(1 << 20, 'q');
  EXPECT_EQ(writeAll(fd_, data).bytes, data.size());
  EXPECT_TRUE(pwriteAll(fd_, "XY", 10).ok());
  std::string back(data.size(), '\0');
  const Transfer got = preadFull(fd_, back, 0);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got.bytes, data.size());
  EXPECT_EQ(back.substr(8, 6), "qqXYqq");
}

TEST_F(FdIoTest, ReadingPastTheEndStopsShortWithoutAnError) {
  ASSERT_TRUE(writeAll(fd_, "hello").ok());
  ASSERT_EQ(::lseek(fd_, 0, SEEK_SET), 0);
  std::string out(10, '\0');
  const Transfer got = readFull(fd_, out);
  EXPECT_TRUE(got.ok());
  EXPECT_EQ(got.bytes, 5u);
  char c = 0;
  EXPECT_EQ(readOnce(fd_, &c, 1), 0);
  EXPECT_EQ(preadOnce(fd_, &c, 1, 4), 1);
  EXPECT_EQ(c, 'o');
}

TEST_F(FdIoTest, AFailedCallReportsItsErrno) {
  const int readOnly = ::open((dir_.path() / "f").c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(readOnly, 0);
  const Transfer t = writeAll(readOnly, "x");
  EXPECT_FALSE(t.ok());
  EXPECT_EQ(t.error, EBADF);
  EXPECT_EQ(t.bytes, 0u);
  ::close(readOnly);
}

}  // namespace
}  // namespace fastio::fdio
