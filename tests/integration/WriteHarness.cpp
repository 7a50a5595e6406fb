#include "tests/integration/WriteHarness.h"

#include <signal.h>
#include <sys/statfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <stdexcept>
#include <thread>

#include "tests/support/ApiClient.h"
#include "tests/support/EmulatorCounters.h"
#include "tests/support/RandomBytes.h"

namespace fastio::integration {

namespace fsys = std::filesystem;

std::string bytesOf(size_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  return testing::randomBytes(rng, n);
}

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

int syncMount(const MountedFastio& m, int timeoutSeconds, std::string* out) {
  return shell("'" + m.binary() + "' sync '" + m.mountpoint().string() + "' --timeout " +
                   std::to_string(timeoutSeconds) + " 2>&1",
               out);
}

int unmountWithTimeout(const MountedFastio& m, int timeoutSeconds, std::string* out) {
  return shell("'" + m.binary() + "' unmount '" + m.mountpoint().string() + "' --timeout " +
                   std::to_string(timeoutSeconds) + " 2>&1",
               out);
}

nlohmann::json daemonStats(const MountedFastio& m) {
  return nlohmann::json::parse(readFile(m.mountpoint() / ".fastio/stats.json"));
}

uint64_t daemonCounter(const MountedFastio& m, const std::string& name) {
  const nlohmann::json stats = daemonStats(m);
  if (!stats["counters"].contains(name)) throw std::out_of_range("no daemon counter " + name);
  return stats["counters"][name].get<uint64_t>();
}

std::string xattrOf(const fsys::path& p, const std::string& name) {
  char value[4096];
  const ssize_t n = ::getxattr(p.c_str(), name.c_str(), value, sizeof value);
  return n < 0 ? std::string() : std::string(value, static_cast<size_t>(n));
}

std::set<std::string> namesIn(const fsys::path& dir) {
  std::set<std::string> names;
  for (const auto& e : fsys::directory_iterator(dir)) names.insert(e.path().filename().string());
  return names;
}

uint64_t uploadCalls(const testing::EmulatorProcess& emulator) {
  const auto c = testing::EmulatorCounters::read(emulator);
  return c["upload_sessions_created"] + c["single_call_uploads"];
}

bool processAlive(pid_t pid) {
  if (pid <= 0 || ::kill(pid, 0) != 0) return false;
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("State:", 0) == 0) return line.find('Z') == std::string::npos;
  }
  return false;
}

void killDaemon(const MountedFastio& m) {
  ASSERT_GT(m.daemonPid(), 0);
  ASSERT_EQ(::kill(m.daemonPid(), SIGKILL), 0);
  // The connection ends when the last thread of the daemon has exited. (statfs asks the
  // daemon; stat may be answered from the kernel's attribute cache for attr_timeout.)
  EXPECT_TRUE(eventually([&] {
    struct statfs fsInfo {};
    return ::statfs(m.mountpoint().c_str(), &fsInfo) != 0 && errno == ENOTCONN;
  }));
}

// ---------------------------------------------------------------- ServerView

ServerView::ServerView(const testing::EmulatorProcess& emulator, std::string workspace)
    : emulator_(emulator), workspace_(std::move(workspace)) {}

nlohmann::json ServerView::getJson(const std::string& path) const {
  testing::ApiClient api(emulator_.port(), emulator_.token());
  auto reply = api.get("/current/workspace/" + workspace_ + "/storage/" + path);
  if (reply.status != 200 || reply.json.is_discarded()) {
    throw std::runtime_error("GET " + path + ": " + std::to_string(reply.status) + " " +
                             reply.body);
  }
  return reply.json;
}

std::map<std::string, nlohmann::json> ServerView::children(const std::string& folderId) const {
  std::map<std::string, nlohmann::json> out;
  std::string cursor;
  do {
    const nlohmann::json page =
        getJson(folderId + "/list/?page_size=500" + (cursor.empty() ? "" : "&cursor=" + cursor));
    for (const auto& item : page["nodes"]["items"]) out[item["name"].get<std::string>()] = item;
    cursor = page["next_cursor"].is_string() ? page["next_cursor"].get<std::string>() : "";
  } while (!cursor.empty());
  return out;
}

nlohmann::json ServerView::nodeAt(const std::string& path) const {
  std::string folder = "root";
  nlohmann::json node;
  size_t start = 0;
  while (start <= path.size()) {
    const size_t slash = path.find('/', start);
    const std::string part = path.substr(start, slash == std::string::npos ? slash : slash - start);
    const auto kids = children(folder);
    auto it = kids.find(part);
    if (it == kids.end()) return nullptr;
    node = it->second;
    if (slash == std::string::npos) break;
    folder = node["id"].get<std::string>();
    start = slash + 1;
  }
  return node;
}

std::string ServerView::idAt(const std::string& path) const {
  const nlohmann::json node = nodeAt(path);
  return node.is_null() ? std::string() : node["id"].get<std::string>();
}

nlohmann::json ServerView::details(const std::string& nodeId) const {
  return getJson(nodeId + "/details/")["node"];
}

std::vector<nlohmann::json> ServerView::versions(const std::string& nodeId) const {
  const nlohmann::json reply = getJson(nodeId + "/versions/");
  return std::vector<nlohmann::json>(reply["versions"].begin(), reply["versions"].end());
}

std::set<std::string> ServerView::trashIds() const {
  std::set<std::string> ids;
  std::string cursor;
  do {
    const nlohmann::json page =
        getJson("trash/list/?page_size=500" + (cursor.empty() ? "" : "&cursor=" + cursor));
    for (const auto& item : page["nodes"]["items"]) ids.insert(item["id"].get<std::string>());
    cursor = page["next_cursor"].is_string() ? page["next_cursor"].get<std::string>() : "";
  } while (!cursor.empty());
  return ids;
}

std::string ServerView::content(const std::string& nodeId) const {
  auto reply = emulator_.client()->Get(
      ("/current/workspace/" + workspace_ + "/storage/" + nodeId + "/read/").c_str());
  if (!reply || reply->status != 200) {
    throw std::runtime_error("read of " + nodeId + " failed: " +
                             (reply ? std::to_string(reply->status) : std::string("no reply")));
  }
  return reply->body;
}

void ServerView::updateFile(const std::string& nodeId, const std::string& name,
                            const std::string& bytes) const {
  if (bytes.size() > 4 * kMiB) throw std::invalid_argument("updateFile: a single call only");
  httplib::MultipartFormDataItems items{{"name", name, "", ""},
                                        {"size", std::to_string(bytes.size()), "", ""},
                                        {"action", "update", "", ""},
                                        {"file_id", nodeId, "", ""},
                                        {"instance_id", workspace_, "", ""},
                                        {"profile_type", "workspace", "", ""},
                                        {"chunk", bytes, name, "application/octet-stream"}};
  auto reply = emulator_.client()->Post("/current/upload/", items);
  if (!reply || reply->status != 200) {
    throw std::runtime_error(
        "upload update of " + nodeId + " failed: " +
        (reply ? std::to_string(reply->status) + " " + reply->body : std::string("no reply")));
  }
}

// ---------------------------------------------------------------- WriteMountTest

fsys::path WriteMountTest::seedDir_;

const std::map<std::string, std::string>& WriteMountTest::seedFiles() {
  static const std::map<std::string, std::string> files = {
      {"docs/report.txt", "The quarterly report, first draft.\n"},
      {"docs/notes.md", "# Notes\nold line one\nold line two\n"},
      {"docs/data.bin", bytesOf(6 * kMiB + 123, 11)},
      {"other/keep.txt", "stays where it is\n"},
      {"projects/alpha/plan.txt", "the plan\n"},
      {"projects/alpha/todo.txt", "1. write tests\n"},
      {"projects/beta/readme.txt", "beta\n"},
      {"top.txt", "at the top\n"},
  };
  return files;
}

void WriteMountTest::SetUpTestSuite() {
  std::random_device rd;
  seedDir_ = fsys::temp_directory_path() /
             ("fastiofs-write-seed-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
  for (const auto& [path, content] : seedFiles()) {
    writeFile(seedDir_ / kWorkspace / path, content);
  }
  fsys::create_directories(seedDir_ / kWorkspace / "empty-dir");
}

void WriteMountTest::TearDownTestSuite() {
  std::error_code ec;
  fsys::remove_all(seedDir_, ec);
}

void WriteMountTest::SetUp() {
  testing::EmulatorOptions o;
  o.seedDir = seedDir_;
  o.extraArgs = {"--ai-delay-ms", "0"};
  emulator_ = std::make_unique<testing::EmulatorProcess>(o);
  server_ = std::make_unique<ServerView>(*emulator_, kWorkspace);
  mount_ = std::make_unique<MountedFastio>(*emulator_);
  scratch_ = mount_->cacheDir().parent_path() / "scratch";
  fsys::create_directories(scratch_);
  ASSERT_EQ(mount_->mount(mountOptions()), 0) << mount_->lastError() << mount_->daemonLog();
}

void WriteMountTest::TearDown() {
  if (HasFailure() && mount_) {
    mount_->forceCleanup();  // a daemon flushes its log as it exits
    std::cerr << "daemon log (tail):\n";
    const std::string log = mount_->daemonLog();
    std::cerr << (log.size() > 20000 ? log.substr(log.size() - 20000) : log) << std::endl;
  }
  mount_.reset();
  server_.reset();
  emulator_.reset();
}

void WriteMountTest::syncAll() {
  std::string out;
  ASSERT_EQ(syncMount(*mount_, 300, &out), 0) << out;
}

std::unique_ptr<MountedFastio> WriteMountTest::freshMount(const std::string& options) {
  auto m = std::make_unique<MountedFastio>(*emulator_);
  if (m->mount(options) != 0) {
    ADD_FAILURE() << "fresh mount failed: " << m->lastError() << m->daemonLog();
  }
  return m;
}

}  // namespace fastio::integration
