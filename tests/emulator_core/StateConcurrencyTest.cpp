// State under concurrent use: stores from several threads while others list and read details;
// every store lands once, and no listing ever shows fewer files than an earlier one did.

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>
#include <vector>

#include "emulator/state/State.h"
#include "tests/support/TempDir.h"

namespace fastio::emu {
namespace {

TEST(StateConcurrencyTest, StoresAndReadsRunTogether) {
  constexpr int kWriters = 6;
  constexpr int kFilesEach = 20;
  testing::TempDir dir{"fastio-state-concurrency"};
  ActivityLog activity;
  StorageHooks hooks;
  auto opened = State::open(dir.path(), activity, hooks);
  ASSERT_TRUE(opened.ok()) << opened.error().describe();
  State& state = **opened;
  NewWorkspace spec;
  spec.orgId = state.identity().org().id;
  spec.folderName = "busy-ws";
  spec.name = "Busy";
  auto ws = state.workspaces().create(spec);
  ASSERT_TRUE(ws.ok()) << ws.error().describe();

  std::atomic<bool> writing{true};
  std::atomic<int> failures{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&] {
      std::size_t seen = 0;
      ListQuery query;
      query.pageSize = 500;
      while (writing) {
        auto page = state.nodes().listFolder(ws->id, "root", query);
        if (!page.ok() || page->nodes.size() < seen) ++failures;
        if (!page.ok()) continue;
        seen = page->nodes.size();
        if (!page->nodes.empty() && !state.nodes().node(ws->id, page->nodes.front().id).ok()) {
          ++failures;
        }
      }
    });
  }
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kFilesEach; ++i) {
        StoreFileRequest request;
        request.workspaceId = ws->id;
        request.name = "w" + std::to_string(w) + "-" + std::to_string(i) + ".txt";
        request.blobTempPath = state.files().newTempPath();
        std::ofstream(request.blobTempPath, std::ios::binary) << request.name;
        request.size = static_cast<std::int64_t>(request.name.size());
        if (!state.files().store(request).ok()) ++failures;
      }
    });
  }
  for (auto& t : writers) t.join();
  writing = false;
  for (auto& t : readers) t.join();

  EXPECT_EQ(failures.load(), 0);
  ListQuery query;
  query.pageSize = 500;
  auto all = state.nodes().listFolder(ws->id, "root", query);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->nodes.size(), static_cast<std::size_t>(kWriters * kFilesEach));
}

}  // namespace
}  // namespace fastio::emu
