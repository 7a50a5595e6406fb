#include "tests/integration/CrashTestTrial.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include "tests/integration/CrashTestWorkload.h"
#include "tests/integration/ModelTestDaemon.h"
#include "tests/integration/ModelTestServer.h"
#include "tests/integration/MountHarness.h"
#include "tests/support/EmulatorCounters.h"
#include "tests/support/EmulatorProcess.h"

namespace fastio::integration::crash {
namespace {

namespace fsys = std::filesystem;
using model::ApiView;
using model::diffServerTree;
using model::diffTrees;
using model::fileEntry;
using model::folderEntry;
using model::joinLines;
using model::readMountedTree;
using model::runSync;
using model::ServerNode;

constexpr char kWorkspace[] = "crash-space";
constexpr size_t kBigFileBytes = 36u << 20;  // 16 + 16 + 4 MiB: three chunks
constexpr uint64_t kBigFileChunks = 3;

Tree seededTree(uint64_t seed) {
  std::mt19937_64 rng(seed * 7919 + 1);
  auto bytes = [&rng](size_t n) {
    std::string s(n, '\0');
    for (auto& c : s) c = static_cast<char>(rng() & 0xFF);
    return s;
  };
  Tree t;
  t[""] = folderEntry();
  t["keep"] = folderEntry();
  t["fresh"] = folderEntry();
  for (int i = 1; i <= 4; ++i) {
    t["keep/old-" + std::to_string(i) + ".txt"] = fileEntry(bytes(2000 + rng() % 60000));
  }
  t["keep/target.txt"] = fileEntry("the target's first version\n");
  t["keep/source.txt"] = fileEntry("the source's first version\n");
  t["fresh/placeholder.txt"] = fileEntry("x");
  return t;
}

// Deletes a directory tree when it goes out of scope.
struct TempTree {
  fsys::path dir;
  ~TempTree() {
    std::error_code ec;
    fsys::remove_all(dir, ec);
  }
};

// Kills the daemon with SIGKILL after a delay, unless cancelled first.
class DelayedKill {
 public:
  DelayedKill(pid_t pid, std::chrono::milliseconds after)
      : thread_([this, pid, after] {
          std::unique_lock lock(mu_);
          if (!cv_.wait_for(lock, after, [this] { return cancelled_; })) ::kill(pid, SIGKILL);
        }) {}
  ~DelayedKill() { join(); }
  void join() {
    if (thread_.joinable()) thread_.join();
  }
  void cancel() {
    {
      std::lock_guard lock(mu_);
      cancelled_ = true;
    }
    cv_.notify_all();
    join();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool cancelled_ = false;
  std::thread thread_;
};

class TrialRun {
 public:
  explicit TrialRun(const CrashTrial& trial) : trial_(trial), seeded_(seededTree(trial.seed)) {}

  std::string run();

 private:
  bool fail(const std::string& what);
  std::string uploadDelay() const;
  bool runWorkload(CrashWorkload& workload);
  bool crashAndRecover(CrashWorkload& workload);
  int matchCandidate(const Tree& found, const std::vector<Tree>& candidates,
                     std::vector<std::string>& closest) const;
  bool checkServer(const CrashWorkload& workload, const Tree& expected);
  bool checkRenameOver(const ApiView& api, const Tree& expected);
  bool checkChunkedResume();

  const CrashTrial& trial_;
  Tree seeded_;
  std::unique_ptr<testing::EmulatorProcess> emulator_;
  std::unique_ptr<MountedFastio> mount_;
  std::string failure_;
  std::string workloadLog_;
  ServerNode targetBefore_;
  ServerNode sourceBefore_;
};

bool TrialRun::fail(const std::string& what) {
  if (failure_.empty()) failure_ = what;
  return false;
}

std::string TrialRun::uploadDelay() const {
  // The mix uploads while it runs; the others upload when `fastiofs sync` asks, so that the
  // crash lands in the upload the trial is about.
  return trial_.workload == Workload::kMixed ? "upload_delay=0.2" : "upload_delay=30";
}

bool TrialRun::runWorkload(CrashWorkload& w) {
  switch (trial_.workload) {
    case Workload::kMixed:
      return w.runMixed(trial_.mixedSteps);
    case Workload::kBigFile:
      return w.writeNewFile("fresh/big.bin", kBigFileBytes);
    case Workload::kNewFileStored:
      return w.writeNewFile("fresh/new.txt", 70000);
    case Workload::kUpdateStored:
      return w.appendTo("keep/old-2.txt", 5000);
    case Workload::kRenameOverSeeded:
      return w.replaceContent("keep/source.txt", 9000) &&
             w.renameOver("keep/source.txt", "keep/target.txt");
    case Workload::kRenameOverUploaded: {
      if (!w.writeNewFile("fresh/edited.txt", 12000)) return false;
      std::string out;
      // The new file is stored before the rename: the rename over then trashes it.
      if (runSync(*mount_, &out) != 0) return fail("the sync before the rename failed: " + out);
      return w.renameOver("fresh/edited.txt", "keep/target.txt");
    }
  }
  return false;
}

int TrialRun::matchCandidate(const Tree& found, const std::vector<Tree>& candidates,
                             std::vector<std::string>& closest) const {
  for (size_t i = 0; i < candidates.size(); ++i) {
    std::vector<std::string> diff = diffTrees(candidates[i], found);
    if (diff.empty()) return static_cast<int>(i);
    if (i == 0 || diff.size() < closest.size()) closest = diff;
  }
  return -1;
}

bool TrialRun::crashAndRecover(CrashWorkload& workload) {
  const pid_t pid = mount_->daemonPid();
  if (pid <= 0) return fail("no daemon pid after the mount");
  std::unique_ptr<DelayedKill> killer;
  if (trial_.faults.empty()) {
    killer = std::make_unique<DelayedKill>(pid, std::chrono::milliseconds(trial_.killAfterMs));
  }
  const bool completed = runWorkload(workload);
  if (!failure_.empty()) return false;
  workloadLog_ = workload.log();
  if (!trial_.faults.empty() && !model::processGone(pid)) {
    // The workload is done and acknowledged: the upload it starts reaches the fault point.
    std::string out;
    runSync(*mount_, &out, 120);
  }
  if (killer) killer->join();
  if (!model::waitProcessGone(pid, std::chrono::seconds(30))) {
    return fail(trial_.faults.empty() ? "the daemon survived kill -9"
                                      : "the fault point was never reached: the daemon lives");
  }
  if (!model::waitMountDead(*mount_, std::chrono::seconds(20))) {
    return fail("the daemon is gone but its mount still answers");
  }
  if (completed && !workload.failedCall().empty()) return fail("inconsistent workload state");
  // ONE `fastiofs mount` brings the mount back over the dead one.
  if (mount_->mount(uploadDelay()) != 0) {
    return fail("fastiofs mount after the crash failed: " + mount_->lastError());
  }
  if (mount_->lastError().find("cleared the dead mount") == std::string::npos) {
    return fail("fastiofs mount did not clear the dead mount: " + mount_->lastError());
  }
  std::string out;
  if (const int rc = runSync(*mount_, &out); rc != 0) {
    return fail("fastiofs sync after the crash exited " + std::to_string(rc) + ": " + out);
  }
  return true;
}

std::string TrialRun::run() {
  TempTree seedDir{fsys::temp_directory_path() /
                   ("fastiofs-crash-seed-" + std::to_string(::getpid()) + "-" + trial_.name)};
  for (const auto& [path, entry] : seeded_) {
    if (entry.folder) {
      fsys::create_directories(seedDir.dir / kWorkspace / path);
    } else {
      writeFile(seedDir.dir / kWorkspace / path, entry.content);
    }
  }
  testing::EmulatorOptions emulatorOptions;
  emulatorOptions.seedDir = seedDir.dir;
  emulatorOptions.extraArgs = {"--ai-delay-ms", "0"};
  emulator_ = std::make_unique<testing::EmulatorProcess>(emulatorOptions);
  {
    ApiView api(*emulator_, kWorkspace);
    const model::ServerTree before = api.liveTree();
    targetBefore_ = before.nodes.at("keep/target.txt");
    sourceBefore_ = before.nodes.at("keep/source.txt");
  }
  mount_ = std::make_unique<MountedFastio>(*emulator_);
  MountedFastio::Environment environment;
  if (!trial_.faults.empty()) environment.emplace_back("FASTIO_FAULTS", trial_.faults);
  if (mount_->mount(uploadDelay(), environment) != 0) {
    return "the first mount failed: " + mount_->lastError();
  }
  CrashWorkload workload(mount_->path(kWorkspace), seeded_, trial_.seed);
  bool ok = crashAndRecover(workload);
  workloadLog_ = workload.log();
  int matched = -1;
  if (ok) {
    std::vector<std::string> problems;
    const Tree found = readMountedTree(mount_->path(kWorkspace), true, &problems);
    std::vector<std::string> closest;
    matched = matchCandidate(found, workload.candidates(), closest);
    if (!problems.empty() || matched < 0) {
      problems.insert(problems.end(), closest.begin(), closest.end());
      ok = fail("after the crash the mount shows none of the " +
                std::to_string(workload.candidates().size()) +
                " acceptable states; against the closest:\n" + joinLines(problems));
    }
  }
  if (ok && mount_->unmount() != 0) ok = fail("fastiofs unmount after the recovery failed");
  const Tree expected = matched >= 0 ? workload.candidates()[static_cast<size_t>(matched)] : Tree{};
  if (ok) ok = checkServer(workload, expected);
  if (ok) {
    MountedFastio fresh(*emulator_);
    if (fresh.mount() != 0) {
      ok = fail("the fresh mount failed: " + fresh.lastError());
    } else {
      std::vector<std::string> problems;
      const Tree found = readMountedTree(fresh.path(kWorkspace), true, &problems);
      std::vector<std::string> diff = diffTrees(expected, found);
      problems.insert(problems.end(), diff.begin(), diff.end());
      if (!problems.empty()) {
        ok = fail("a fresh mount with an empty cache differs:\n" + joinLines(problems));
      }
    }
  }
  mount_.reset();
  if (ok) return "";
  std::ostringstream out;
  out << "trial " << trial_.name << " (seed " << trial_.seed << ", FASTIO_FAULTS='" << trial_.faults
      << "'"
      << (trial_.faults.empty() ? ", kill -9 after " + std::to_string(trial_.killAfterMs) + " ms"
                                : std::string())
      << "): " << failure_ << "\nworkload:\n"
      << workloadLog_ << "replay: ctest -R 'CrashTest.*/" << trial_.name
      << "$' --output-on-failure\n";
  return out.str();
}

bool TrialRun::checkServer(const CrashWorkload& workload, const Tree& expected) {
  ApiView api(*emulator_, kWorkspace);
  const model::ServerTree live = api.liveTree();
  std::vector<std::string> diff = diffServerTree(expected, live);
  if (!diff.empty())
    return fail("the server differs from the recovered state:\n" + joinLines(diff));
  const FsModel& m = workload.model();
  size_t files = 0;
  std::vector<std::string> problems;
  for (const ServerNode& n : api.trash()) {
    if (n.folder) {
      problems.push_back("the trash holds folder '" + n.name + "': the workload removed none");
      continue;
    }
    ++files;
    if (m.removedNames().count(n.name) == 0) {
      problems.push_back("the trash holds '" + n.name + "' (" + n.id +
                         "), which the workload neither removed nor replaced");
    }
  }
  if (files > m.maxTrashedFiles()) {
    problems.push_back("the trash holds " + std::to_string(files) +
                       " files; the workload removed "
                       "or replaced at most " +
                       std::to_string(m.maxTrashedFiles()));
  }
  if (!problems.empty()) return fail("the trash:\n" + joinLines(problems));
  if (trial_.workload == Workload::kRenameOverSeeded ||
      trial_.workload == Workload::kRenameOverUploaded) {
    if (!checkRenameOver(api, expected)) return false;
  }
  if (trial_.workload == Workload::kBigFile) return checkChunkedResume();
  return true;
}

// SEMANTICS "Writes", rename over an existing file: the target keeps its node id and has the
// new content; the source is in the trash, not live.
bool TrialRun::checkRenameOver(const ApiView& api, const Tree& expected) {
  const model::ServerTree live = api.liveTree();
  auto target = live.nodes.find("keep/target.txt");
  if (target == live.nodes.end()) return fail("keep/target.txt is gone");
  if (target->second.id != targetBefore_.id) {
    return fail("keep/target.txt changed its node id from " + targetBefore_.id + " to " +
                target->second.id + " (the rename over must keep the target's node)");
  }
  if (target->second.hash != model::md5Hex(expected.at("keep/target.txt").content)) {
    return fail("keep/target.txt does not have the renamed file's content");
  }
  if (trial_.workload == Workload::kRenameOverSeeded) {
    bool inTrash = false;
    for (const ServerNode& n : api.trash()) inTrash = inTrash || n.id == sourceBefore_.id;
    if (!inTrash) return fail("the rename's source " + sourceBefore_.id + " is not in the trash");
  } else {
    size_t inTrash = 0;
    for (const ServerNode& n : api.trash()) inTrash += n.name == "edited.txt" ? 1 : 0;
    if (inTrash != 1) {
      return fail("the trash holds " + std::to_string(inTrash) +
                  " copies of the rename's source edited.txt, expected 1");
    }
  }
  return true;
}

// SEMANTICS "Uploads": a chunked session resumes after a restart from its acknowledged chunks.
bool TrialRun::checkChunkedResume() {
  const auto counters = testing::EmulatorCounters::read(*emulator_);
  if (counters["upload_sessions_created"] != 1) {
    return fail("the chunked upload created " +
                std::to_string(counters["upload_sessions_created"]) +
                " sessions; the resume must go on with the first");
  }
  if (counters["chunks_received"] != kBigFileChunks) {
    return fail("the server received " + std::to_string(counters["chunks_received"]) +
                " chunks for a file of " + std::to_string(kBigFileChunks) +
                ": an acknowledged chunk was sent again");
  }
  return true;
}

}  // namespace

void PrintTo(const CrashTrial& trial, std::ostream* out) {
  *out << trial.name;
}

std::string runCrashTrial(const CrashTrial& trial) {
  TrialRun run(trial);
  return run.run();
}

}  // namespace fastio::integration::crash
