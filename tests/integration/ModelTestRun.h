#pragma once
// One seeded run of the model-based test (tests/integration/ModelTest.cpp): random file
// operations through a real mount, each applied to the model too, and the mount compared with
// the model after every step. Remounts every `remountEvery` operations (a drained unmount, or
// kill -9 of the daemon after every descriptor was closed), then a final check through a fresh
// mount with an empty cache directory and through the API.

#include <cstdint>
#include <deque>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "tests/integration/ModelTestModel.h"
#include "tests/integration/MountHarness.h"
#include "tests/support/EmulatorProcess.h"

namespace fastio::integration::model {

struct ModelRunOptions {
  uint64_t seed = 1;
  int operations = 3000;
  int remountEvery = 1000;
  int fullCheckEvery = 100;  // contents of every file (listings and sizes: every step)
  std::string workspace = "model-space";
  std::string mountOptions = "upload_delay=0.2";
};

class ModelRun {
 public:
  ModelRun(testing::EmulatorProcess& emulator, const Tree& seeded, ModelRunOptions options);
  ~ModelRun();

  // Runs every operation and the final checks; returns "" or what went wrong (with the
  // operations that led there and how to replay).
  std::string run();
  // Counts for the log line of a passing run.
  const std::string& summary() const { return summary_; }

 private:
  enum class Op {
    kCreate,
    kOpen,
    kWrite,
    kAppend,
    kTruncate,
    kRenameFile,
    kRenameOver,
    kRenameFolder,
    kUnlink,
    kMkdir,
    kRmdir,
    kRead,
    kClose,
    kFsync,
    kCount
  };

  // --- the operations (each records what it did; returns false after a mismatch)
  bool doOperation(Op op);
  bool create();
  bool openExisting();
  bool write();
  bool append();
  bool truncateFile();
  bool renameFile();
  bool renameOver();
  bool renameFolder();
  bool unlinkFile();
  bool makeFolder();
  bool removeFolder();
  bool readBack();
  bool closeHandle();
  bool fsyncHandle();

  // --- checks
  bool checkListings();
  // checkListings(); after a difference, looks again once the caches' timeouts passed and
  // says whether the difference lasted.
  bool checkListingsOrDiagnose();
  bool checkContent(const std::string& path);
  bool fullCheck(const std::string& when);
  bool closeAll();
  bool remount(bool kill);
  bool finalChecks();
  bool checkServer();

  // --- helpers
  bool fail(const std::string& what);
  bool failErrno(const std::string& what);
  // After a failure: ends the daemon and copies its log where it stays for reading.
  void keepDaemonLog();
  void note(const std::string& what);
  std::string at(const std::string& rel) const;
  std::string randomFolder();
  std::string randomFile();
  std::string freeName(const std::string& folder, bool forFolder);
  std::string randomBytes(size_t n);
  size_t pick(size_t n);
  uint64_t below(uint64_t n);
  bool coin(int percent);

  testing::EmulatorProcess& emulator_;
  ModelRunOptions options_;
  std::mt19937_64 rng_;
  FsModel model_;
  std::vector<ModelHandle> handles_;
  std::unique_ptr<MountedFastio> mount_;
  std::deque<std::string> recent_;
  std::string history_;  // every operation, written out after a failure
  std::vector<std::string> touched_;
  std::string failure_;
  std::string summary_;
  int step_ = 0;
  int counts_[static_cast<int>(Op::kCount)] = {};
  int kills_ = 0;
  int drains_ = 0;
};

}  // namespace fastio::integration::model
