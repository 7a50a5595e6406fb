// Restart persistence (kill -9) and --seed.

#include <filesystem>
#include <fstream>

#include "tests/emulator/CoreFixture.h"
#include "tests/support/TempDir.h"

namespace fastio::emu::testing {
namespace {

TEST_F(CoreTest, KilledEmulatorRestartsWithEverythingAcknowledged) {
  std::string folder = mkdir("root", "kept");
  std::string file = upload(folder, "data.txt", "version one");
  ASSERT_EQ(upload(folder, "data.txt", "version two"), file);
  std::string trashed = upload("root", "trashed.txt", "t");
  api().del(storage(trashed + "/delete/"));
  std::string userId = api().get("/current/user/auth/check/").json["id"];

  emulator->kill9();
  emulator->restart();

  EXPECT_EQ(api().get("/current/user/auth/check/").json["id"], userId);
  EXPECT_EQ(details(folder)["name"], "kept");
  EXPECT_EQ(read(file), "version two");
  auto versions = api().get(storage(file + "/versions/"));
  EXPECT_EQ(versions.json["versions"].size(), 2u);
  std::string old = versions.json["versions"][1]["version_id"];
  EXPECT_EQ(read(file, "?version_id=" + old), "version one");
  EXPECT_EQ(details(trashed)["deleted"], true);
  EXPECT_EQ(api().get("/current/workspace/core-ws/details/").status, 200);
}

TEST(CoreSeedTest, SeedCreatesWorkspacesOnceAcrossRestarts) {
  namespace fs = std::filesystem;
  fastio::testing::TempDir seedDir("fastio-seed");
  const fs::path seed = seedDir.path();
  fs::create_directories(seed / "seed-alpha" / "docs");
  fs::create_directories(seed / "seed-beta");
  std::ofstream(seed / "seed-alpha" / "readme.txt") << "alpha readme";
  std::ofstream(seed / "seed-alpha" / "docs" / "guide.md") << "# guide";
  std::ofstream(seed / "seed-beta" / "b.csv") << "a,b\n1,2\n";
  EmulatorOptions options;
  options.seedDir = seed;
  EmulatorProcess emu(options);
  ApiClient api(emu.port(), emu.token());
  auto all = api.get("/current/workspaces/all/");
  ASSERT_EQ(all.status, 200);
  ASSERT_EQ(all.json["workspaces"].size(), 2u);
  EXPECT_EQ(all.json["workspaces"][0]["intelligence"], true);
  auto root = api.get("/current/workspace/seed-alpha/storage/root/list/?sort_by=name");
  ASSERT_EQ(root.status, 200);
  ASSERT_EQ(root.json["nodes"]["count"], 2);
  EXPECT_EQ(root.json["nodes"]["items"][0]["name"], "docs");
  std::string readme = root.json["nodes"]["items"][1]["id"];
  EXPECT_EQ(api.get("/current/workspace/seed-alpha/storage/" + readme + "/read/").body,
            "alpha readme");

  emu.kill9();
  emu.restart();
  ApiClient again(emu.port(), emu.token());
  auto after = again.get("/current/workspace/seed-alpha/storage/root/list/");
  EXPECT_EQ(after.json["nodes"]["count"], 2) << "seeding twice must not duplicate";
  EXPECT_EQ(again.get("/current/workspaces/all/").json["workspaces"].size(), 2u);
}

}  // namespace
}  // namespace fastio::emu::testing
