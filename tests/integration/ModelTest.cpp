// Model-based test of the writable mount (docs/SEMANTICS.md "Writes", "Uploads", "Unmount and
// restart"; docs/TESTING.md): per seed, random file operations through a real mount against the
// emulator, compared after every step with an in-memory model, with remounts (drained, or
// kill -9 after every descriptor was closed) every 1,000 operations, and a final check through
// a fresh mount with an empty cache directory and through the API (no duplicate, no extra
// trash). Uploads run during the whole run (upload_delay=0.2).
//
// FASTIO_MODEL_SEEDS (default 3), FASTIO_MODEL_FIRST_SEED (default 1) and FASTIO_MODEL_OPS
// (default 3000) make the long runs; a failure prints the line that replays it.

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <random>
#include <string>

#include "tests/integration/ModelTestRun.h"
#include "tests/support/EmulatorProcess.h"

namespace fastio::integration::model {
namespace {

namespace fsys = std::filesystem;

uint64_t environmentNumber(const char* name, uint64_t fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  return std::stoull(text);
}

std::vector<uint64_t> seedsToRun() {
  const uint64_t first = environmentNumber("FASTIO_MODEL_FIRST_SEED", 1);
  const uint64_t count = environmentNumber("FASTIO_MODEL_SEEDS", 3);
  std::vector<uint64_t> seeds;
  for (uint64_t i = 0; i < count; ++i) seeds.push_back(first + i);
  return seeds;
}

// What the workspace holds before the run: a few server files the operations start from.
Tree seededTree() {
  std::mt19937_64 rng(42);
  auto bytes = [&rng](size_t n) {
    std::string s(n, '\0');
    for (auto& c : s) c = static_cast<char>(rng() & 0xFF);
    return s;
  };
  Tree t;
  t[""] = folderEntry();
  t["docs"] = folderEntry();
  t["docs/readme.txt"] = fileEntry("a file that was on the server before the mount\n");
  t["docs/data.bin"] = fileEntry(bytes(150000));
  t["top.txt"] = fileEntry(bytes(3000));
  return t;
}

class ModelTest : public ::testing::TestWithParam<uint64_t> {};

// SEMANTICS "Writes", "Uploads", "Unmount and restart"
TEST_P(ModelTest, RandomOperationsMatchTheModelThroughRemountsCrashesAndTheServer) {
  const uint64_t seed = GetParam();
  ModelRunOptions options;
  options.seed = seed;
  options.operations = static_cast<int>(environmentNumber("FASTIO_MODEL_OPS", 3000));
  const Tree seeded = seededTree();
  const fsys::path seedDir =
      fsys::temp_directory_path() /
      ("fastiofs-model-seed-" + std::to_string(::getpid()) + "-" + std::to_string(seed));
  struct RemoveDir {
    fsys::path dir;
    ~RemoveDir() {
      std::error_code ec;
      fsys::remove_all(dir, ec);
    }
  } removeSeed{seedDir};
  for (const auto& [path, entry] : seeded) {
    if (entry.folder) {
      fsys::create_directories(seedDir / options.workspace / path);
    } else {
      writeFile(seedDir / options.workspace / path, entry.content);
    }
  }
  testing::EmulatorOptions emulatorOptions;
  emulatorOptions.seedDir = seedDir;
  emulatorOptions.extraArgs = {"--ai-delay-ms", "0"};
  testing::EmulatorProcess emulator(emulatorOptions);

  const auto started = std::chrono::steady_clock::now();
  ModelRun run(emulator, seeded, options);
  const std::string failure = run.run();
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started)
          .count();
  if (!failure.empty()) ADD_FAILURE() << failure;
  std::cout << run.summary() << "; " << seconds << " s" << std::endl;
}

INSTANTIATE_TEST_SUITE_P(Seeds, ModelTest, ::testing::ValuesIn(seedsToRun()),
                         [](const ::testing::TestParamInfo<uint64_t>& param) {
                           return "seed" + std::to_string(param.param);
                         });

}  // namespace
}  // namespace fastio::integration::model
