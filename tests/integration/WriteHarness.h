#pragma once
// Support for the write-path integration tests (docs/SEMANTICS.md "Writes", "Uploads",
// "Unmount and restart"): a fixture that starts an emulator seeded with one small workspace
// and mounts it writable for each test, the server's view of that workspace through the API,
// the daemon's counters and commands, and polling with a deadline (never a bare sleep).

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "tests/integration/MountHarness.h"
#include "tests/support/EmulatorProcess.h"

namespace fastio::integration {

inline constexpr char kWorkspace[] = "write-space";
inline constexpr size_t kMiB = 1024 * 1024;

// n bytes that differ per seed.
std::string bytesOf(size_t n, unsigned seed);

// Polls `done` every 50 ms until it holds or `timeout` passes; returns whether it held.
bool eventually(const std::function<bool()>& done,
                std::chrono::milliseconds timeout = std::chrono::seconds(15));

// `fastiofs sync MOUNTPOINT`: its exit code; its stdout and stderr in *out.
int syncMount(const MountedFastio& m, int timeoutSeconds = 300, std::string* out = nullptr);
// `fastiofs unmount MOUNTPOINT --timeout T`: its exit code; its output in *out.
int unmountWithTimeout(const MountedFastio& m, int timeoutSeconds, std::string* out = nullptr);

// .fastio/stats.json of the mount, and one of its "counters".
nlohmann::json daemonStats(const MountedFastio& m);
uint64_t daemonCounter(const MountedFastio& m, const std::string& name);

// An extended attribute's value; "" when it has none (errno tells why).
std::string xattrOf(const std::filesystem::path& p, const std::string& name);

// The names in a directory of the mount (readdir), sorted.
std::set<std::string> namesIn(const std::filesystem::path& dir);

// Upload calls the emulator answered: chunked sessions created plus single-call uploads.
uint64_t uploadCalls(const testing::EmulatorProcess& emulator);

// Whether process pid is alive (a zombie counts as gone).
bool processAlive(pid_t pid);
// Kills the daemon of m with SIGKILL and waits until its mount is dead (ENOTCONN).
void killDaemon(const MountedFastio& m);

// The server's side of one workspace, read and changed through the API like another client.
class ServerView {
 public:
  ServerView(const testing::EmulatorProcess& emulator, std::string workspace);

  // Live children of a folder ("root": the workspace root), by name.
  std::map<std::string, nlohmann::json> children(const std::string& folderId) const;
  // The live node at a path below the workspace root ("docs/a.txt"); null when missing.
  nlohmann::json nodeAt(const std::string& path) const;
  std::string idAt(const std::string& path) const;  // "" when missing
  // details/ of any node, trashed ones too (they carry "deleted": true).
  nlohmann::json details(const std::string& nodeId) const;
  // versions/, newest first.
  std::vector<nlohmann::json> versions(const std::string& nodeId) const;
  std::set<std::string> trashIds() const;
  // The current content of a file.
  std::string content(const std::string& nodeId) const;
  // Stores `bytes` as a new version of an existing file (upload action=update).
  void updateFile(const std::string& nodeId, const std::string& name,
                  const std::string& bytes) const;

 private:
  nlohmann::json getJson(const std::string& path) const;
  const testing::EmulatorProcess& emulator_;
  std::string workspace_;
};

// Each test: a fresh emulator seeded with kWorkspace (seedFiles()) and a writable mount of it
// with mountOptions(). Both are cleaned up by their destructors, also after a failure.
class WriteMountTest : public ::testing::Test {
 protected:
  // The seeded workspace: path below the workspace root -> content (and an empty folder,
  // "empty-dir").
  static const std::map<std::string, std::string>& seedFiles();
  // Uploads wait for `fastiofs sync` unless a test says otherwise.
  virtual std::string mountOptions() const { return "upload_delay=600"; }

  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void SetUp() override;
  void TearDown() override;

  std::filesystem::path at(const std::string& rel) const {
    return mount_->path(std::string(kWorkspace) + (rel.empty() ? "" : "/" + rel));
  }
  // `fastiofs sync`, asserting it succeeded.
  void syncAll();
  // A second mount of the same emulator with an empty cache directory of its own.
  std::unique_ptr<MountedFastio> freshMount(const std::string& options = "upload_delay=600");
  // A scratch directory outside the mount, removed with the test.
  std::filesystem::path scratch() const { return scratch_; }

  static std::filesystem::path seedDir_;
  std::unique_ptr<testing::EmulatorProcess> emulator_;
  std::unique_ptr<MountedFastio> mount_;
  std::unique_ptr<ServerView> server_;
  std::filesystem::path scratch_;
};

}  // namespace fastio::integration
