#pragma once
// The workloads of the crash test (tests/integration/CrashTest.cpp) and what they were
// acknowledged: each call runs through the mount and through a model, and the workload keeps
// the trees the mount may show after a kill -9 at any moment. The first candidate is the state
// that close(), fsync() and the namespace calls acknowledged; the others are the states after
// each call of the step in progress (a write may be committed by a journal checkpoint before
// its close). A call that fails (the daemon died) ends the workload.

#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "tests/integration/ModelTestModel.h"

namespace fastio::integration::crash {

using model::FsModel;
using model::Tree;

class CrashWorkload {
 public:
  CrashWorkload(std::filesystem::path workspaceRoot, const Tree& seeded, uint64_t seed);

  // A seeded mix of creates, writes at any offset, appends, truncates, fsyncs, closes,
  // renames (also over existing files), unlinks and mkdirs. False when a call failed.
  bool runMixed(int steps);
  // Steps of the mix, one by one (the caller decides how many).
  bool mixedStep();
  // A new file of `bytes` seeded bytes, fsync'd and closed (a crash while it is written may
  // leave any prefix, which is not a candidate: for trials that crash later).
  bool writeNewFile(const std::string& path, size_t bytes);
  // New content for an existing file (O_TRUNC, write, close).
  bool replaceContent(const std::string& path, size_t bytes);
  bool appendTo(const std::string& path, size_t bytes);
  bool renameOver(const std::string& from, const std::string& to);

  const std::vector<Tree>& candidates() const { return candidates_; }
  const FsModel& model() const { return model_; }
  // What ran, one call a line (for failure messages).
  const std::string& log() const { return log_; }
  // The call that failed, with its errno ("" when none did).
  const std::string& failedCall() const { return failedCall_; }

 private:
  std::string at(const std::string& rel) const;
  std::string bytes(size_t n);
  std::string randomFile();
  std::string freshName(const std::string& folder);
  // Before a call: its outcome becomes a candidate (it may or may not have happened).
  void mayHappen();
  // After a call that acknowledges durability: only the state now is acceptable.
  void acknowledged();
  bool failed(const std::string& call);
  void note(const std::string& line);

  bool newFileStep();
  bool modifyStep();
  bool appendStep();
  bool truncateStep();
  bool renameStep();
  bool renameOverStep();
  bool unlinkStep();
  bool mkdirStep();
  // Writes through fd: returns false (after failed()) when the call failed.
  bool writeAt(int fd, model::ModelFile& file, uint64_t offset, const std::string& data,
               bool append);
  // fsync (acknowledged) / close (acknowledged); on failure the fd is closed and false returned.
  bool fsyncFd(int fd, const std::string& path);
  bool closeFd(int fd, const std::string& path);

  std::filesystem::path root_;
  std::mt19937_64 rng_;
  FsModel model_;
  std::vector<Tree> candidates_;
  std::vector<std::string> folders_;
  int counter_ = 0;
  std::string log_;
  std::string failedCall_;
};

}  // namespace fastio::integration::crash
