// Large files on a real mount (docs/SEMANTICS.md "Uploads", "Writes": the dirty limit;
// PRODUCT.md section 5: the cache directory never exceeds --cache-size, resident memory stays
// bounded). Contents are generated per 1 MiB block from (seed, block number), so a file of any
// size is checked byte for byte without a local copy.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>
#include <thread>

#include "tests/integration/WriteHarness.h"
#include "tests/support/EmulatorCounters.h"

namespace fastio::integration {
namespace {

namespace fsys = std::filesystem;
constexpr uint64_t kGiB = 1024ull * 1024 * 1024;

// Block `index` of the file with `seed`: 1 MiB of splitmix64 output.
void fillBlock(std::string& block, uint64_t seed, uint64_t index) {
  block.resize(kMiB);
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + index;
  for (size_t i = 0; i < kMiB; i += 8) {
    uint64_t z = (x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    std::memcpy(&block[i], &z, 8);
  }
}

// Writes `size` bytes (a multiple of 1 MiB) of the pattern with `seed`; returns errno or 0.
int writePattern(const fsys::path& file, uint64_t size, uint64_t seed) {
  const int fd = ::open(file.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0644);
  if (fd < 0) return errno;
  std::string block;
  for (uint64_t b = 0; b < size / kMiB; ++b) {
    fillBlock(block, seed, b);
    size_t done = 0;
    while (done < block.size()) {
      const ssize_t n = ::write(fd, block.data() + done, block.size() - done);
      if (n <= 0) {
        const int e = errno;
        ::close(fd);
        return e;
      }
      done += static_cast<size_t>(n);
    }
  }
  return ::close(fd) == 0 ? 0 : errno;
}

// "" when the file holds exactly the pattern, else where it differs.
std::string comparePattern(const fsys::path& file, uint64_t size, uint64_t seed) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return "cannot open " + file.string();
  std::string expected, actual(kMiB, '\0');
  for (uint64_t b = 0; b < size / kMiB; ++b) {
    fillBlock(expected, seed, b);
    in.read(actual.data(), static_cast<std::streamsize>(kMiB));
    if (static_cast<size_t>(in.gcount()) != kMiB) return "short at block " + std::to_string(b);
    if (actual != expected) return "differs in block " + std::to_string(b);
  }
  if (in.peek() != std::char_traits<char>::eof()) return "longer than " + std::to_string(size);
  return "";
}

// Calls `sample` every `interval` on a thread until destroyed; keeps the largest answer.
class PeakSampler {
 public:
  PeakSampler(std::function<uint64_t()> sample, std::chrono::milliseconds interval)
      : sample_(std::move(sample)), thread_([this, interval] {
          while (!stop_.load()) {
            const uint64_t v = sample_();
            if (v > peak_.load()) peak_.store(v);
            std::this_thread::sleep_for(interval);
          }
        }) {}
  ~PeakSampler() {
    stop_.store(true);
    thread_.join();
  }
  uint64_t peak() const { return peak_.load(); }

 private:
  std::function<uint64_t()> sample_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> peak_{0};
  std::thread thread_;
};

uint64_t residentBytes(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
}

uint64_t duBytes(const fsys::path& dir) {
  std::string out;
  shell("du -sb '" + dir.string() + "' 2>/dev/null | cut -f1", &out);
  return out.empty() ? 0 : std::stoull(out);
}

bool dropPageCache() {
  std::ofstream drop("/proc/sys/vm/drop_caches");
  if (!drop) return false;
  ::sync();
  drop << "3\n";
  return static_cast<bool>(drop.flush());
}

using BigFileTest = WriteMountTest;

// SEMANTICS "Uploads": above 4 MiB a chunked session of 16 MiB chunks; read back from a mount
// with an empty cache directory
TEST_F(BigFileTest, OneGibFileIsUploadedInChunksAndReadsBackFromTheServer) {
  const fsys::path file = at("big/one-gib.bin");
  ASSERT_EQ(::mkdir(at("big").c_str(), 0755), 0);
  const int error = writePattern(file, kGiB, 1);
  ASSERT_EQ(error, 0) << std::strerror(error);
  EXPECT_EQ(fsys::file_size(file), kGiB);
  const auto before = testing::EmulatorCounters::read(*emulator_);

  syncAll();
  const auto after = testing::EmulatorCounters::read(*emulator_);
  EXPECT_EQ(after["upload_sessions_created"] - before["upload_sessions_created"], 1u);
  EXPECT_EQ(after["single_call_uploads"] - before["single_call_uploads"], 0u);
  EXPECT_GE(after["chunks_received"] - before["chunks_received"], 64u) << "16 MiB chunks";
  EXPECT_EQ(after["chunk_bytes_received"] - before["chunk_bytes_received"], kGiB);
  EXPECT_EQ(server_->nodeAt("big/one-gib.bin")["size"], kGiB);

  std::string out;
  ASSERT_EQ(unmountWithTimeout(*mount_, 60, &out), 0) << out;
  auto fresh = freshMount();
  EXPECT_EQ(comparePattern(fresh->path(std::string(kWorkspace) + "/big/one-gib.bin"), kGiB, 1), "");
}

// SEMANTICS "Uploads": after an upload the bytes are in the block cache; reading the file again
// (page cache dropped) downloads nothing
TEST_F(BigFileTest, RereadAfterTheUploadDownloadsNothing) {
  const fsys::path file = at("docs/reread.bin");
  const uint64_t size = 24 * kMiB;
  ASSERT_EQ(writePattern(file, size, 7), 0);
  syncAll();
  ASSERT_EQ(xattrOf(file, "user.fastio.sync"), "clean");
  if (!dropPageCache()) GTEST_SKIP() << "cannot write /proc/sys/vm/drop_caches (needs root)";
  const uint64_t fetched = daemonCounter(*mount_, "remote_bytes_fetched");
  const uint64_t downloads = testing::EmulatorCounters::read(*emulator_)["downloads"];
  const uint64_t readBefore = daemonCounter(*mount_, "bytes_read");

  EXPECT_EQ(comparePattern(file, size, 7), "");
  EXPECT_GE(daemonCounter(*mount_, "bytes_read") - readBefore, size) << "served by the daemon";
  EXPECT_EQ(daemonCounter(*mount_, "remote_bytes_fetched"), fetched);
  EXPECT_EQ(testing::EmulatorCounters::read(*emulator_)["downloads"], downloads);
}

class SmallCacheTest : public WriteMountTest {
 protected:
  // The log goes elsewhere: the cache directory holds the cache alone.
  std::string mountOptions() const override {
    return "cache_size=256M,upload_delay=0,log_file=" +
           (mount_->cacheDir().parent_path() / "daemon.log").string();
  }
};

// PRODUCT.md section 5: the cache directory never exceeds --cache-size; SEMANTICS "Writes":
// staged bytes are bounded by the dirty limit (a quarter of it), writes wait for uploads
TEST_F(SmallCacheTest, CacheDirectoryStaysWithinItsSizeWhileWritingThreeTimesAsMuch) {
  const uint64_t limit = 256 * kMiB;
  const int files = 24;
  const uint64_t fileSize = 32 * kMiB;  // under the 64 MiB dirty limit
  ASSERT_EQ(::mkdir(at("flood").c_str(), 0755), 0);
  uint64_t peak = 0;
  {
    PeakSampler du([&] { return duBytes(mount_->cacheDir()); }, std::chrono::seconds(1));
    for (int i = 0; i < files; ++i) {
      const int error = writePattern(at("flood/f" + std::to_string(i) + ".bin"), fileSize,
                                     100 + static_cast<uint64_t>(i));
      ASSERT_EQ(error, 0) << "file " << i << ": " << std::strerror(error);
    }
    syncAll();
    peak = std::max(du.peak(), duBytes(mount_->cacheDir()));
  }
  std::cout << "cache directory peak: " << peak << " bytes (limit " << limit << ")" << std::endl;
  EXPECT_LE(peak, limit);
  const auto stored = server_->children(server_->idAt("flood"));
  ASSERT_EQ(stored.size(), static_cast<size_t>(files));
  for (const auto& [name, node] : stored) EXPECT_EQ(node["size"], fileSize) << name;
  EXPECT_EQ(comparePattern(at("flood/f0.bin"), fileSize, 100), "") << "evicted, downloaded again";
  EXPECT_EQ(comparePattern(at("flood/f23.bin"), fileSize, 123), "");
}

class LongWriteTest : public WriteMountTest {
 protected:
  void SetUp() override {
    if (std::getenv("FASTIO_LONG_TESTS") == nullptr) {
      GTEST_SKIP() << "writes and uploads 4 GiB (about 16 GiB of disk); set FASTIO_LONG_TESTS=1";
    }
    WriteMountTest::SetUp();
  }
  // A 4 GiB file must fit the dirty limit.
  std::string mountOptions() const override { return "cache_size=20G,dirty_limit=5G"; }
};

// PRODUCT.md section 5: resident memory stays bounded while a 4 GiB file is written and
// uploaded. Long: FASTIO_LONG_TESTS=1.
TEST_F(LongWriteTest, DaemonMemoryStaysBoundedWhileWritingFourGib) {
  const pid_t pid = mount_->daemonPid();
  ASSERT_GT(pid, 0);
  const uint64_t size = 4 * kGiB;
  uint64_t writePeak = 0;
  uint64_t uploadPeak = 0;
  {
    PeakSampler rss([&] { return residentBytes(pid); }, std::chrono::milliseconds(100));
    ASSERT_EQ(writePattern(at("docs/four-gib.bin"), size, 4), 0);
    writePeak = rss.peak();
  }
  {
    PeakSampler rss([&] { return residentBytes(pid); }, std::chrono::milliseconds(100));
    syncAll();
    uploadPeak = rss.peak();
  }
  std::cout << "daemon VmRSS peak: " << writePeak / kMiB << " MiB while writing, "
            << uploadPeak / kMiB << " MiB while uploading" << std::endl;
  RecordProperty("rss_peak_write_bytes", std::to_string(writePeak));
  RecordProperty("rss_peak_upload_bytes", std::to_string(uploadPeak));
  EXPECT_LT(writePeak, 200 * 1000 * 1000u);
  EXPECT_LT(uploadPeak, 200 * 1000 * 1000u);
  EXPECT_EQ(server_->nodeAt("docs/four-gib.bin")["size"], size);
}

}  // namespace
}  // namespace fastio::integration
