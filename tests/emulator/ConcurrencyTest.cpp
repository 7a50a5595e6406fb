// 64 clients at once, each creating, listing, uploading and reading.

#include <atomic>
#include <thread>
#include <vector>

#include "tests/emulator/CoreFixture.h"

namespace fastio::emu::testing {
namespace {

TEST_F(CoreTest, SixtyFourConcurrentClients) {
  constexpr int kClients = 64;
  std::atomic<int> failures{0};
  std::vector<std::string> errors(kClients);
  std::vector<std::thread> threads;
  for (int c = 0; c < kClients; ++c) {
    threads.emplace_back([&, c] {
      ApiClient client(emulator->port(), emulator->token());
      auto fail = [&](const std::string& what) {
        ++failures;
        errors[c] = what;
      };
      std::string name = "client-" + std::to_string(c);
      auto folder = client.postForm(storage("root/createfolder/"), {{"name", name}});
      if (folder.status != 200) return fail("createfolder " + folder.body);
      std::string folderId = folder.json["node"]["id"];
      for (int i = 0; i < 5; ++i) {
        auto sub = client.postForm(storage(folderId + "/createfolder/"),
                                   {{"name", "sub-" + std::to_string(i)}});
        if (sub.status != 200) return fail("sub " + sub.body);
      }
      auto list = client.get(storage(folderId + "/list/"));
      if (list.status != 200 || list.json["nodes"]["count"] != 5) return fail("list " + list.body);
      auto root = client.get(storage("root/list/?page_size=100"));
      if (root.status != 200) return fail("root list " + root.body);
      auto me = client.get("/current/user/me/details/");
      if (me.status != 200) return fail("me " + me.body);
    });
  }
  for (auto& t : threads) t.join();
  for (int c = 0; c < kClients; ++c) EXPECT_TRUE(errors[c].empty()) << c << ": " << errors[c];
  EXPECT_EQ(failures.load(), 0);
  auto root = api().get(storage("root/list/?page_size=100"));
  EXPECT_EQ(root.json["nodes"]["count"], kClients);
}

TEST_F(CoreTest, LongPollsDoNotStarveOtherClients) {
  // 40 parked long-polls hold worker threads; ordinary calls still go through.
  std::vector<std::thread> pollers;
  for (int i = 0; i < 40; ++i) {
    pollers.emplace_back([this] {
      ApiClient client(emulator->port(), emulator->token());
      client.get("/current/activity/poll/" + wsId + "/?wait=5");
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  for (int i = 0; i < 20; ++i) EXPECT_EQ(api().get("/current/user/auth/check/").status, 200);
  mkdir("root", "release");  // wakes them
  for (auto& t : pollers) t.join();
}

}  // namespace
}  // namespace fastio::emu::testing
