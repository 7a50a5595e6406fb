// The content operations of docs/SEMANTICS.md "Writes" on a real mount: every write is
// visible at once through the mount (reads, stat, listings), and `fastiofs sync` stores exactly
// those bytes on the server. Uploads wait for `fastiofs sync` (upload_delay=600).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include "tests/integration/WriteHarness.h"

namespace fastio::integration {
namespace {

namespace fsys = std::filesystem;

// An open descriptor, closed when it goes out of scope.
struct Fd {
  int fd;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int release() {
    const int f = fd;
    fd = -1;
    return f;
  }
};

void writeAll(int fd, uint64_t offset, const std::string& data) {
  ASSERT_EQ(::pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset)),
            static_cast<ssize_t>(data.size()))
      << std::strerror(errno);
}

std::string readAt(int fd, uint64_t offset, size_t size) {
  std::string out(size, '\0');
  size_t done = 0;
  while (done < size) {
    const ssize_t n =
        ::pread(fd, out.data() + done, size - done, static_cast<off_t>(offset + done));
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  out.resize(done);
  return out;
}

using WriteOpsTest = WriteMountTest;

// SEMANTICS "Writes": create, write at any offset, holes read as zeros, visible at once
TEST_F(WriteOpsTest, WritesAtAnyOffsetAreReadBackAtOnceWithHolesAsZeros) {
  const fsys::path file = at("docs/sparse.bin");
  Fd w(::open(file.c_str(), O_CREAT | O_EXCL | O_RDWR, 0644));
  ASSERT_GE(w.fd, 0) << std::strerror(errno);
  const uint64_t far = 3 * kMiB + 5;
  writeAll(w.fd, 0, "head");
  writeAll(w.fd, far, "tail");
  writeAll(w.fd, 1000, "middle");

  std::string expected(far + 4, '\0');
  expected.replace(0, 4, "head");
  expected.replace(far, 4, "tail");
  expected.replace(1000, 6, "middle");
  // Before close: another descriptor, stat and the listing all see the local state.
  Fd r(::open(file.c_str(), O_RDONLY));
  ASSERT_GE(r.fd, 0);
  EXPECT_EQ(readAt(r.fd, 0, expected.size() + 10), expected);
  EXPECT_EQ(fsys::file_size(file), expected.size());
  EXPECT_TRUE(namesIn(at("docs")).count("sparse.bin"));
  std::string listing;
  ASSERT_EQ(shell("ls -l '" + at("docs").string() + "'", &listing), 0);
  EXPECT_NE(listing.find(" " + std::to_string(expected.size()) + " "), std::string::npos)
      << "ls -l shows the local size: " << listing;
  EXPECT_EQ(xattrOf(file, "user.fastio.sync"), "pending");
  EXPECT_EQ(xattrOf(file, "user.fastio.id"), "") << "not uploaded yet: no node id";
  ASSERT_EQ(::close(w.release()), 0);

  syncAll();
  EXPECT_EQ(xattrOf(file, "user.fastio.sync"), "clean");
  const std::string id = server_->idAt("docs/sparse.bin");
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(xattrOf(file, "user.fastio.id"), id);
  EXPECT_TRUE(server_->content(id) == expected) << "server content differs";
}

// SEMANTICS "Writes": O_APPEND always writes at the end, whatever the offset
TEST_F(WriteOpsTest, AppendWritesAlwaysLandAtTheEnd) {
  const fsys::path file = at("docs/report.txt");
  const std::string original = seedFiles().at("docs/report.txt");
  Fd a(::open(file.c_str(), O_WRONLY | O_APPEND));
  Fd b(::open(file.c_str(), O_WRONLY | O_APPEND));
  ASSERT_GE(a.fd, 0);
  ASSERT_GE(b.fd, 0);
  ASSERT_EQ(::write(a.fd, "A1\n", 3), 3);
  ASSERT_EQ(::write(b.fd, "B1\n", 3), 3);
  ::lseek(a.fd, 0, SEEK_SET);
  ASSERT_EQ(::write(a.fd, "A2\n", 3), 3);
  ASSERT_EQ(::write(b.fd, "B2\n", 3), 3);
  const std::string expected = original + "A1\nB1\nA2\nB2\n";
  EXPECT_EQ(readFile(file), expected);
  EXPECT_EQ(fsys::file_size(file), expected.size()) << "stat shows the local size";
  ASSERT_EQ(shell("echo shell >> '" + file.string() + "'"), 0);
  EXPECT_EQ(readFile(file), expected + "shell\n");

  const std::string id = xattrOf(file, "user.fastio.id");
  syncAll();
  EXPECT_EQ(server_->content(id), expected + "shell\n");
  EXPECT_EQ(server_->versions(id).size(), 2u);
}

// SEMANTICS "Writes": O_TRUNC never downloads the base
TEST_F(WriteOpsTest, OTruncReplacesAFileWithoutDownloadingIt) {
  const fsys::path file = at("docs/data.bin");
  const std::string id = xattrOf(file, "user.fastio.id");
  ASSERT_FALSE(id.empty());
  const uint64_t fetched = daemonCounter(*mount_, "remote_bytes_fetched");
  {
    Fd w(::open(file.c_str(), O_WRONLY | O_TRUNC));
    ASSERT_GE(w.fd, 0) << std::strerror(errno);
    EXPECT_EQ(fsys::file_size(file), 0u);
    ASSERT_EQ(::write(w.fd, "new content", 11), 11);
  }
  EXPECT_EQ(readFile(file), "new content");
  EXPECT_EQ(daemonCounter(*mount_, "remote_bytes_fetched"), fetched);

  syncAll();
  EXPECT_EQ(server_->content(id), "new content");
  EXPECT_EQ(xattrOf(file, "user.fastio.id"), id) << "updated in place";
  EXPECT_EQ(server_->versions(id).size(), 2u);
}

// SEMANTICS "Writes": truncate down keeps the head of the base; up adds zeros
TEST_F(WriteOpsTest, TruncateDownThenUpKeepsTheHeadAndAddsZeros) {
  const fsys::path file = at("docs/data.bin");
  const std::string original = seedFiles().at("docs/data.bin");
  ASSERT_EQ(::truncate(file.c_str(), 5000), 0) << std::strerror(errno);
  EXPECT_EQ(fsys::file_size(file), 5000u);
  ASSERT_EQ(::truncate(file.c_str(), 2 * kMiB), 0);
  EXPECT_EQ(fsys::file_size(file), 2 * kMiB);
  const std::string expected = original.substr(0, 5000) + std::string(2 * kMiB - 5000, '\0');
  EXPECT_TRUE(readFile(file) == expected) << "local content differs";

  // The same on a file created here, through a descriptor (ftruncate).
  const fsys::path fresh = at("docs/grown.txt");
  Fd w(::open(fresh.c_str(), O_CREAT | O_RDWR, 0644));
  ASSERT_GE(w.fd, 0);
  writeAll(w.fd, 0, "0123456789");
  ASSERT_EQ(::ftruncate(w.fd, 4), 0);
  ASSERT_EQ(::ftruncate(w.fd, 8), 0);
  EXPECT_EQ(readAt(w.fd, 0, 100), std::string("0123") + std::string(4, '\0'));
  ASSERT_EQ(::close(w.release()), 0);

  syncAll();
  EXPECT_TRUE(server_->content(xattrOf(file, "user.fastio.id")) == expected);
  EXPECT_EQ(server_->content(server_->idAt("docs/grown.txt")),
            std::string("0123") + std::string(4, '\0'));
}

// SEMANTICS "Writes": fallocate mode 0 grows the size; other modes fail with EOPNOTSUPP
TEST_F(WriteOpsTest, FallocateGrowsTheSizeAndRefusesOtherModes) {
  const fsys::path file = at("docs/reserved.bin");
  Fd w(::open(file.c_str(), O_CREAT | O_RDWR, 0644));
  ASSERT_GE(w.fd, 0);
  writeAll(w.fd, 0, "abc");
  ASSERT_EQ(::fallocate(w.fd, 0, 0, static_cast<off_t>(kMiB)), 0) << std::strerror(errno);
  EXPECT_EQ(fsys::file_size(file), kMiB);
  ASSERT_EQ(::fallocate(w.fd, 0, 10, 20), 0) << "inside the size: nothing changes";
  EXPECT_EQ(fsys::file_size(file), kMiB);
  EXPECT_EQ(::fallocate(w.fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 2), -1);
  EXPECT_EQ(errno, EOPNOTSUPP);
  EXPECT_EQ(::fallocate(w.fd, FALLOC_FL_KEEP_SIZE, 0, static_cast<off_t>(2 * kMiB)), -1);
  EXPECT_EQ(errno, EOPNOTSUPP);
  EXPECT_EQ(fsys::file_size(file), kMiB);
  const std::string expected = "abc" + std::string(kMiB - 3, '\0');
  EXPECT_TRUE(readAt(w.fd, 0, 2 * kMiB) == expected);
  ASSERT_EQ(::close(w.release()), 0);

  syncAll();
  EXPECT_TRUE(server_->content(server_->idAt("docs/reserved.bin")) == expected);
}

// SEMANTICS "Writes": shared writable mmap and msync(MS_SYNC), on a new and a server file
TEST_F(WriteOpsTest, SharedMmapWritesAreVisibleAndStored) {
  const fsys::path fresh = at("docs/mapped.bin");
  const size_t size = 256 * 1024;
  const std::string pattern = bytesOf(size, 5);
  {
    Fd w(::open(fresh.c_str(), O_CREAT | O_RDWR, 0644));
    ASSERT_GE(w.fd, 0);
    ASSERT_EQ(::ftruncate(w.fd, static_cast<off_t>(size)), 0);
    void* map = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, w.fd, 0);
    ASSERT_NE(map, MAP_FAILED) << std::strerror(errno);
    std::memcpy(map, pattern.data(), size);
    EXPECT_EQ(::msync(map, size, MS_SYNC), 0) << std::strerror(errno);
    ASSERT_EQ(::munmap(map, size), 0);
  }
  EXPECT_TRUE(readFile(fresh) == pattern);

  // Over a server file: the bytes around the mapped change come from its version.
  const fsys::path notes = at("docs/notes.md");
  std::string expected = seedFiles().at("docs/notes.md");
  {
    Fd w(::open(notes.c_str(), O_RDWR));
    ASSERT_GE(w.fd, 0);
    void* map = ::mmap(nullptr, expected.size(), PROT_READ | PROT_WRITE, MAP_SHARED, w.fd, 0);
    ASSERT_NE(map, MAP_FAILED) << std::strerror(errno);
    std::memcpy(static_cast<char*>(map) + 8, "NEW", 3);
    EXPECT_EQ(::msync(map, expected.size(), MS_SYNC), 0) << std::strerror(errno);
    ASSERT_EQ(::munmap(map, expected.size()), 0);
  }
  expected.replace(8, 3, "NEW");
  EXPECT_EQ(readFile(notes), expected);

  syncAll();
  EXPECT_TRUE(server_->content(server_->idAt("docs/mapped.bin")) == pattern);
  EXPECT_EQ(server_->content(server_->idAt("docs/notes.md")), expected);
}

// SEMANTICS "Writes": fsync and fdatasync succeed (durable locally), the upload still waits
TEST_F(WriteOpsTest, FsyncAndFdatasyncSucceedAndTheFileStaysPendingUntilSync) {
  const fsys::path file = at("top.txt");
  Fd w(::open(file.c_str(), O_WRONLY | O_APPEND));
  ASSERT_GE(w.fd, 0);
  ASSERT_EQ(::write(w.fd, "synced\n", 7), 7);
  EXPECT_EQ(::fsync(w.fd), 0) << std::strerror(errno);
  ASSERT_EQ(::write(w.fd, "datasynced\n", 11), 11);
  EXPECT_EQ(::fdatasync(w.fd), 0) << std::strerror(errno);
  EXPECT_EQ(xattrOf(file, "user.fastio.sync"), "pending");
  Fd clean(::open(at("other/keep.txt").c_str(), O_RDONLY));
  ASSERT_GE(clean.fd, 0);
  EXPECT_EQ(::fsync(clean.fd), 0) << "fsync of a clean file";
  ASSERT_EQ(::close(w.release()), 0);

  syncAll();
  EXPECT_EQ(xattrOf(file, "user.fastio.sync"), "clean");
  EXPECT_EQ(server_->content(server_->idAt("top.txt")),
            seedFiles().at("top.txt") + "synced\ndatasynced\n");
}

// SEMANTICS "Writes": mknod of a regular file; "Errors": other node types are refused
TEST_F(WriteOpsTest, MknodMakesAnEmptyRegularFileAndRefusesFifos) {
  const fsys::path file = at("docs/made-by-mknod");
  ASSERT_EQ(::mknod(file.c_str(), S_IFREG | 0644, 0), 0) << std::strerror(errno);
  EXPECT_TRUE(fsys::is_regular_file(file));
  EXPECT_EQ(fsys::file_size(file), 0u);
  EXPECT_EQ(::mknod(at("docs/fifo").c_str(), S_IFIFO | 0644, 0), -1);
  EXPECT_EQ(errno, EPERM);
  syncAll();
  const nlohmann::json node = server_->nodeAt("docs/made-by-mknod");
  ASSERT_FALSE(node.is_null());
  EXPECT_EQ(node["size"], 0);
}

// SEMANTICS "Writes": a remount with the same cache directory lists and reads pending files
// at once (closed files survive kill -9 of the daemon; `fastiofs mount` clears the dead mount)
TEST_F(WriteOpsTest, PendingFilesAreListedAndReadableAfterARemount) {
  const std::string fresh = bytesOf(5 * kMiB + 17, 21);
  writeFile(at("docs/pending.bin"), fresh);
  writeFile(at("docs/to-rename.txt"), "renamed while pending\n");
  fsys::rename(at("docs/to-rename.txt"), at("other/renamed.txt"));
  ASSERT_EQ(shell("echo appended >> '" + at("docs/report.txt").string() + "'"), 0);
  ASSERT_EQ(shell("touch -d '2020-02-03 04:05:06' '" + at("docs/pending.bin").string() + "'"), 0);
  const auto mtime = fsys::last_write_time(at("docs/pending.bin"));
  EXPECT_EQ(xattrOf(at("docs/pending.bin"), "user.fastio.sync"), "pending");
  EXPECT_EQ(uploadCalls(*emulator_), 0u);

  killDaemon(*mount_);
  ASSERT_EQ(mount_->mount("upload_delay=600"), 0) << mount_->lastError();
  EXPECT_TRUE(namesIn(at("docs")).count("pending.bin"));
  EXPECT_FALSE(namesIn(at("docs")).count("to-rename.txt"));
  EXPECT_EQ(fsys::file_size(at("docs/pending.bin")), fresh.size());
  EXPECT_TRUE(readFile(at("docs/pending.bin")) == fresh);
  EXPECT_EQ(fsys::last_write_time(at("docs/pending.bin")), mtime) << "touch -d kept";
  EXPECT_EQ(readFile(at("other/renamed.txt")), "renamed while pending\n");
  const std::string report = seedFiles().at("docs/report.txt") + "appended\n";
  EXPECT_EQ(readFile(at("docs/report.txt")), report);

  syncAll();
  EXPECT_TRUE(server_->content(server_->idAt("docs/pending.bin")) == fresh);
  EXPECT_EQ(server_->content(server_->idAt("other/renamed.txt")), "renamed while pending\n");
  EXPECT_TRUE(server_->idAt("docs/to-rename.txt").empty());
  EXPECT_EQ(server_->content(server_->idAt("docs/report.txt")), report);
}

}  // namespace
}  // namespace fastio::integration
