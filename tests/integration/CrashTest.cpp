// kill -9 trials of the writable mount (PRODUCT.md §6; docs/SEMANTICS.md "Writes", "Uploads",
// "Unmount and restart"; docs/TESTING.md). Each trial crashes the daemon once — at a named
// fault point (FASTIO_FAULTS: during a staging write, a journal commit or write-ahead append,
// before or after a chunk, after `stored` before the journal records it, between the two calls
// of a rename over) or by an external kill -9 after a seeded delay during a mixed workload —
// then brings the mount back with ONE `fastiofs mount`, runs `fastiofs sync`, and checks the
// recovered mount, a fresh mount with an empty cache directory and the API: no byte that
// close() or fsync() acknowledged is lost, no file is duplicated, the trash holds only what
// the workload removed or replaced, and a rename over ends as documented.
//
// FASTIO_CRASH_RANDOM_TRIALS (default 6) sets the number of external-kill trials and
// FASTIO_CRASH_FIRST_SEED (default 1) their first seed, for long runs.

#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "tests/integration/CrashTestTrial.h"

namespace fastio::integration::crash {
namespace {

uint64_t environmentNumber(const char* name, uint64_t fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  return std::stoull(text);
}

CrashTrial at(std::string name, Workload workload, std::string faults, uint64_t seed) {
  CrashTrial t;
  t.name = std::move(name);
  t.workload = workload;
  t.faults = std::move(faults);
  t.seed = seed;
  return t;
}

std::vector<CrashTrial> trials() {
  std::vector<CrashTrial> out = {
      // During a write: the staging log's pwrite.
      at("staging_write_5", Workload::kMixed, "journal.staging_write=abort@5", 11),
      at("staging_write_17", Workload::kMixed, "journal.staging_write=abort@17", 12),
      at("staging_write_40", Workload::kMixed, "journal.staging_write=abort@40", 13),
      // During a journal commit: LMDB (fsync level, checkpoints) and the write-ahead log (close).
      at("commit_1", Workload::kMixed, "journal.commit=abort@1", 14),
      at("commit_3", Workload::kMixed, "journal.commit=abort@3", 15),
      at("wal_append_4", Workload::kMixed, "journal.wal_append=abort@4", 16),
      at("wal_append_9", Workload::kMixed, "journal.wal_append=abort@9", 17),
      at("wal_append_23", Workload::kMixed, "journal.wal_append=abort@23", 18),
      // Mid-chunk of a 36 MiB file (three chunks, three in flight).
      at("after_chunk_1", Workload::kBigFile, "upload.after_chunk=abort@1", 19),
      at("after_chunk_2", Workload::kBigFile, "upload.after_chunk=abort@2", 20),
      at("before_chunk_1", Workload::kBigFile, "upload.before_chunk=abort@1", 21),
      at("before_chunk_3", Workload::kBigFile, "upload.before_chunk=abort@3", 22),
      // Stored by the server, not recorded by the journal: adopted by hash, never twice.
      at("after_stored_new", Workload::kNewFileStored, "upload.after_stored=abort@1", 23),
      at("after_stored_update", Workload::kUpdateStored, "upload.after_stored=abort@1", 24),
      at("after_stored_mixed", Workload::kMixed, "upload.after_stored=abort@3", 25),
      // Between the two server calls of a rename over an existing file.
      at("before_trash_seeded", Workload::kRenameOverSeeded, "upload.before_trash=abort@1", 26),
      at("before_trash_uploaded", Workload::kRenameOverUploaded, "upload.before_trash=abort@1", 27),
  };
  // Random moments: an external kill -9 after a seeded delay during a mixed workload.
  const uint64_t first = environmentNumber("FASTIO_CRASH_FIRST_SEED", 1);
  const uint64_t count = environmentNumber("FASTIO_CRASH_RANDOM_TRIALS", 6);
  for (uint64_t seed = first; seed < first + count; ++seed) {
    std::mt19937_64 rng(seed);
    CrashTrial t = at("random_kill_" + std::to_string(seed), Workload::kMixed, "", 1000 + seed);
    t.killAfterMs = 50 + static_cast<int>(rng() % 2500);
    out.push_back(t);
  }
  return out;
}

class CrashTest : public ::testing::TestWithParam<CrashTrial> {};

// PRODUCT §6: kill -9 at any point loses no byte that close or fsync acknowledged.
TEST_P(CrashTest, AcknowledgedDataSurvivesKillNineAndNothingIsDuplicated) {
  const std::string failure = runCrashTrial(GetParam());
  if (!failure.empty()) ADD_FAILURE() << failure;
}

INSTANTIATE_TEST_SUITE_P(Trials, CrashTest, ::testing::ValuesIn(trials()),
                         [](const ::testing::TestParamInfo<CrashTrial>& param) {
                           return param.param.name;
                         });

}  // namespace
}  // namespace fastio::integration::crash
