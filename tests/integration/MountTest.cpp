// Real mounts of fastiofs against the emulator (docs/SEMANTICS.md sections named per test).
// Every test leaves no mount and no process behind: MountedFastio and EmulatorProcess clean up
// in their destructors, also when an assertion fails.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/xattr.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>
#include <thread>

#include "tests/integration/MountHarness.h"
#include "tests/support/ApiClient.h"
#include "tests/support/EmulatorProcess.h"

namespace fastio::integration {
namespace {

namespace fsys = std::filesystem;

std::string bytesOf(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng() & 0xFF);
  return s;
}

constexpr size_t kMiB = 1024 * 1024;
constexpr int kTreeDirs = 20;
constexpr int kTreeFilesPerDir = 100;
constexpr int kWideEntries = 10000;

class MountTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    seed_ = fsys::temp_directory_path() / ("fastiofs-seed-" + std::to_string(::getpid()));
    const fsys::path ws = seed_ / "alpha-docs";
    writeFile(ws / "sizes/zero.bin", "");
    writeFile(ws / "sizes/one.bin", "x");
    writeFile(ws / "sizes/m4-minus.bin", bytesOf(4 * kMiB - 1, 1));
    writeFile(ws / "sizes/m4.bin", bytesOf(4 * kMiB, 2));
    writeFile(ws / "sizes/m4-plus.bin", bytesOf(4 * kMiB + 1, 3));
    writeFile(ws / "docs/report.txt",
              "The quarterly revenue grew twelve percent, driven by subscriptions.\n");
    for (int d = 0; d < kTreeDirs; ++d) {
      for (int f = 0; f < kTreeFilesPerDir; ++f) {
        const std::string body = "file " + std::to_string(d) + "/" + std::to_string(f) +
                                 (f == 42 ? " needle-in-the-tree\n" : "\n");
        writeFile(ws / ("tree/d" + std::to_string(d) + "/f" + std::to_string(f) + ".txt"), body);
      }
    }
    const fsys::path wide = seed_ / "wide-space";
    fsys::create_directories(wide / "many");
    for (int i = 0; i < kWideEntries; ++i) {
      writeFile(wide / "many" / ("e" + std::to_string(i)), "");
    }
    // Seeding 12,000 files takes longer than EmulatorProcess waits for a start, so the data
    // directory is seeded once by a first run, then served by EmulatorProcess without --seed.
    data_ = seed_.string() + "-data";
    preSeed(seed_, data_);
    testing::EmulatorOptions o;
    o.dataDir = data_;
    o.extraArgs = {"--ai-delay-ms", "0", "--threads", "32"};
    emulator_ = new testing::EmulatorProcess(o);
  }
  static void TearDownTestSuite() {
    delete emulator_;
    emulator_ = nullptr;
    std::error_code ec;
    fsys::remove_all(seed_, ec);
    fsys::remove_all(data_, ec);
  }
  static void preSeed(const fsys::path& seed, const fsys::path& data) {
    const fsys::path log = data.string() + ".log";
    std::string pid;
    shell("'" FASTIO_EMULATOR_BINARY "' --data '" + data.string() +
              "' --listen 127.0.0.1:0 --token test-token --seed '" + seed.string() + "' >'" +
              log.string() + "' 2>&1 & echo $!",
          &pid);
    const int emulatorPid = std::stoi(pid);
    bool listening = false;
    for (int i = 0; i < 6000 && !listening; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      listening = readFile(log).find("listening on") != std::string::npos;
    }
    ::kill(emulatorPid, SIGTERM);
    for (int i = 0; i < 100 && ::kill(emulatorPid, 0) == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (::kill(emulatorPid, 0) == 0) ::kill(emulatorPid, SIGKILL);
    shell("wait " + std::to_string(emulatorPid) + " 2>/dev/null");
    if (!listening) throw std::runtime_error("seeding the emulator failed:\n" + readFile(log));
  }
  void SetUp() override {
    ASSERT_NE(emulator_, nullptr);
    mount_ = std::make_unique<MountedFastio>(*emulator_);
    ASSERT_EQ(mount_->mount("search_ttl=1"), 0) << mount_->lastError() << mount_->daemonLog();
  }
  void TearDown() override {
    if (HasFailure() && mount_) std::cerr << "daemon log:\n" << mount_->daemonLog() << std::endl;
    mount_.reset();
  }
  fsys::path at(const std::string& rel) const { return mount_->path(rel); }

  static fsys::path seed_;
  static fsys::path data_;
  static testing::EmulatorProcess* emulator_;
  std::unique_ptr<MountedFastio> mount_;
};

fsys::path MountTest::seed_;
fsys::path MountTest::data_;
testing::EmulatorProcess* MountTest::emulator_ = nullptr;

// SEMANTICS "Layout", "Reads"
TEST_F(MountTest, WorkspacesAreListedAndFilesReadBackExactly) {
  std::string ls;
  ASSERT_EQ(shell("ls '" + mount_->mountpoint().string() + "'", &ls), 0);
  EXPECT_EQ(ls, "alpha-docs\nwide-space\n");
  for (const char* name : {"zero.bin", "one.bin", "m4-minus.bin", "m4.bin", "m4-plus.bin"}) {
    const fsys::path seeded = seed_ / "alpha-docs/sizes" / name;
    const fsys::path mounted = at(std::string("alpha-docs/sizes/") + name);
    EXPECT_EQ(fsys::file_size(mounted), fsys::file_size(seeded)) << name;
    EXPECT_EQ(md5Of(mounted), md5Of(seeded)) << name;
  }
}

// SEMANTICS "Reads": a large file, read sequentially by a plain tool
TEST_F(MountTest, LargeFileChecksumMatchesTheServer) {
  const std::string big = bytesOf(200 * kMiB, 7);
  const fsys::path local = mount_->cacheDir().parent_path() / "big.bin";
  writeFile(local, big);
  // Upload through the client commands of the same binary, then read through the mount.
  std::string out;
  const std::string put = "FASTIO_API_KEY='" + emulator_->token() + "' '" + mount_->binary() +
                          "' put '" + local.string() + "' alpha-docs/big.bin --api-url '" +
                          emulator_->baseUrl() + "/current' 2>&1";
  ASSERT_EQ(shell(put, &out), 0) << out;
  const fsys::path mounted = at("alpha-docs/big.bin");
  for (int i = 0; i < 100 && !fsys::exists(mounted); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(md5Of(mounted), md5Of(local));
}

// SEMANTICS "Attributes", "Reads": ordinary tools over a tree of 2,000 files
TEST_F(MountTest, StandardToolsWorkOnATreeOfTwoThousandFiles) {
  const std::string tree = at("alpha-docs/tree").string();
  std::string out;
  ASSERT_EQ(shell("ls -lR '" + tree + "' | grep -c '^-'", &out), 0);
  EXPECT_EQ(std::stoi(out), kTreeDirs * kTreeFilesPerDir);
  ASSERT_EQ(shell("find '" + tree + "' -type f | wc -l", &out), 0);
  EXPECT_EQ(std::stoi(out), kTreeDirs * kTreeFilesPerDir);
  ASSERT_EQ(shell("grep -rl needle-in-the-tree '" + tree + "' | wc -l", &out), 0);
  EXPECT_EQ(std::stoi(out), kTreeDirs);
  const fsys::path copy = mount_->cacheDir().parent_path() / "tree-copy";
  ASSERT_EQ(shell("cp -r '" + tree + "' '" + copy.string() + "'"), 0);
  EXPECT_EQ(
      shell("diff -r '" + copy.string() + "' '" + (seed_ / "alpha-docs/tree").string() + "'", &out),
      0)
      << out;
  ASSERT_EQ(shell("tar cf - -C '" + tree + "' . | tar tf - | grep -c '\\.txt$'", &out), 0);
  EXPECT_EQ(std::stoi(out), kTreeDirs * kTreeFilesPerDir);
}

// SEMANTICS "Freshness": listings are complete whatever their size
TEST_F(MountTest, TenThousandEntryFolderIsListedCompletely) {
  std::string out;
  ASSERT_EQ(shell("ls '" + at("wide-space/many").string() + "' | wc -l", &out), 0);
  EXPECT_EQ(std::stoi(out), kWideEntries);
  ASSERT_EQ(shell("ls -l '" + at("wide-space/many").string() + "' | grep -c '^-'", &out), 0);
  EXPECT_EQ(std::stoi(out), kWideEntries);
}

// SEMANTICS ".search"
TEST_F(MountTest, SearchResultsAndHitSymlinksLeadToTheRightFile) {
  const fsys::path query = at("alpha-docs/.search/quarterly revenue");
  std::string results;
  for (int i = 0; i < 40; ++i) {
    results = readFile(query / "results.txt");
    if (results.find("docs/report.txt") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // indexing, search_ttl=1
  }
  ASSERT_NE(results.find("docs/report.txt"), std::string::npos) << results;
  auto json = nlohmann::json::parse(readFile(query / "results.json"));
  std::string link;
  for (const auto& hit : json["hits"]) {
    if (hit["path"] == "docs/report.txt") link = hit["link"].get<std::string>();
  }
  ASSERT_FALSE(link.empty()) << json.dump(2);
  EXPECT_TRUE(fsys::is_symlink(query / link));
  EXPECT_EQ(fsys::read_symlink(query / link).string(), "../../docs/report.txt");
  EXPECT_EQ(readFile(query / link), readFile(seed_ / "alpha-docs/docs/report.txt"));
  std::string ls;
  shell("ls '" + at("alpha-docs/.search").string() + "'", &ls);
  EXPECT_NE(ls.find("quarterly revenue"), std::string::npos);
  std::string hidden;
  shell("ls -a '" + at("alpha-docs").string() + "'", &hidden);
  EXPECT_EQ(hidden.find(".search"), std::string::npos) << "hidden from readdir";
}

// SEMANTICS ".ask"
TEST_F(MountTest, AskAnswersWithCitations) {
  std::string answer;
  for (int i = 0; i < 20; ++i) {
    answer = readFile(at("alpha-docs/.ask/how did quarterly revenue change " + std::to_string(i)));
    if (answer.find("docs/report.txt") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  EXPECT_NE(answer.find("Sources:"), std::string::npos) << answer;
  EXPECT_NE(answer.find("docs/report.txt"), std::string::npos) << answer;
}

// SEMANTICS "Extended attributes", ".fastio", "Errors"
TEST_F(MountTest, XattrsControlFilesAndRefusedWrites) {
  const std::string file = at("alpha-docs/docs/report.txt").string();
  char value[256];
  ssize_t n = ::getxattr(file.c_str(), "user.fastio.sync", value, sizeof value);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(value, static_cast<size_t>(n)), "clean");
  n = ::getxattr(file.c_str(), "user.fastio.id", value, sizeof value);
  EXPECT_GT(n, 10);
  n = ::getxattr(file.c_str(), "user.fastio.nope", value, sizeof value);
  EXPECT_EQ(n, -1);
  EXPECT_EQ(errno, ENODATA);
  // Other namespaces are unsupported, which is what lets `ls -l` stop probing them per entry.
  n = ::lgetxattr(file.c_str(), "security.selinux", value, sizeof value);
  EXPECT_EQ(n, -1);
  EXPECT_EQ(errno, EOPNOTSUPP);
  n = ::getxattr(file.c_str(), "system.posix_acl_access", value, sizeof value);
  EXPECT_EQ(n, -1);
  EXPECT_EQ(errno, EOPNOTSUPP);
  const std::string status = readFile(at(".fastio/status"));
  EXPECT_NE(status.find("state:      online"), std::string::npos) << status;
  EXPECT_NE(readFile(at(".fastio/metrics")).find("fastiofs_online 1"), std::string::npos);
  std::string err;
  EXPECT_NE(shell("echo x > '" + at(".fastio/status").string() + "' 2>&1", &err), 0);
  EXPECT_NE(shell("ln '" + file + "' '" + at("alpha-docs/hard").string() + "' 2>/dev/null"), 0);
}

// SEMANTICS "Freshness": a change made through the API shows up within 2 s
TEST_F(MountTest, ChangeThroughTheApiIsVisibleWithinTwoSeconds) {
  std::string before;
  shell("ls '" + at("alpha-docs").string() + "'", &before);  // listing cached (TTL 5 s)
  testing::ApiClient api(emulator_->port(), emulator_->token());
  auto all = api.get("/current/workspaces/all/");
  ASSERT_EQ(all.status, 200) << all.body;
  std::string wsId;
  for (const auto& w : all.json["workspaces"]) {
    if (w.value("folder_name", "") == "alpha-docs") {
      wsId = w["id"].is_string() ? w["id"].get<std::string>()
                                 : std::to_string(w["id"].get<long long>());
    }
  }
  ASSERT_FALSE(wsId.empty()) << all.body;
  const std::string name = "fresh-" + std::to_string(::getpid());
  const auto started = std::chrono::steady_clock::now();
  auto made =
      api.postForm("/current/workspace/" + wsId + "/storage/root/createfolder/", {{"name", name}});
  ASSERT_EQ(made.status, 200) << made.body;
  bool seen = false;
  while (std::chrono::steady_clock::now() - started < std::chrono::seconds(2)) {
    std::string ls;
    shell("ls '" + at("alpha-docs").string() + "'", &ls);
    if (ls.find(name) != std::string::npos) {
      seen = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(seen) << "not visible 2 s after the change";
}

// SEMANTICS "Offline"
TEST_F(MountTest, RemountWithTheServerDownServesTheCache) {
  const std::string expected = readFile(seed_ / "alpha-docs/sizes/m4-plus.bin");
  ASSERT_EQ(readFile(at("alpha-docs/sizes/m4-plus.bin")), expected);
  ASSERT_EQ(readFile(at("alpha-docs/docs/report.txt")),
            readFile(seed_ / "alpha-docs/docs/report.txt"));
  ASSERT_EQ(mount_->unmount(), 0);
  testing::ApiClient control(emulator_->port(), "");
  auto faults = control.postJson("/_emulator/faults", R"({"error_rate": 1.0})");
  ASSERT_EQ(faults.status, 200) << faults.body;
  struct Reset {
    testing::ApiClient& c;
    ~Reset() { c.postJson("/_emulator/reset", "{}"); }
  } reset{control};

  ASSERT_EQ(mount_->mount("search_ttl=1"), 0) << mount_->lastError() << mount_->daemonLog();
  EXPECT_NE(mount_->lastError().find("offline"), std::string::npos) << mount_->lastError();
  EXPECT_EQ(readFile(at("alpha-docs/sizes/m4-plus.bin")), expected);
  EXPECT_EQ(readFile(at("alpha-docs/docs/report.txt")),
            readFile(seed_ / "alpha-docs/docs/report.txt"));
  EXPECT_NE(readFile(at(".fastio/status")).find("offline"), std::string::npos);
}

// The mount command's own errors (PRODUCT.md section 4)
TEST(MountCommand, FailsWithOneClearLine) {
  testing::EmulatorProcess emulator;
  MountedFastio badToken(emulator);
  // A missing mount point.
  std::string out;
  const std::string bin = badToken.binary();
  EXPECT_NE(shell("'" + bin + "' mount /nonexistent/fastiofs-mp 2>&1", &out), 0);
  EXPECT_NE(out.find("does not exist"), std::string::npos) << out;
  // A wrong token.
  const std::string cmd = "FASTIO_API_KEY=wrong '" + bin + "' mount '" +
                          badToken.mountpoint().string() + "' --api-url '" + emulator.baseUrl() +
                          "/current' --cache-dir '" + badToken.cacheDir().string() + "' 2>&1";
  EXPECT_NE(shell(cmd, &out), 0);
  EXPECT_NE(out.find("token"), std::string::npos) << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  // A second mount on the same cache directory.
  ASSERT_EQ(badToken.mount(), 0) << badToken.lastError();
  MountedFastio second(emulator, badToken.cacheDir());
  EXPECT_NE(second.mount(), 0);
  EXPECT_NE(second.lastError().find("in use"), std::string::npos) << second.lastError();
  // The mount point already mounted.
  EXPECT_NE(
      shell("FASTIO_API_KEY=x '" + bin + "' mount '" + badToken.mountpoint().string() + "' 2>&1",
            &out),
      0);
  EXPECT_NE(out.find("busy"), std::string::npos) << out;
}

}  // namespace
}  // namespace fastio::integration
