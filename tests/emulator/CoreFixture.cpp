#include "tests/emulator/CoreFixture.h"

namespace fastio::emu::testing {

void CoreTest::SetUp() {
  emulator = std::make_unique<EmulatorProcess>(EmulatorOptions{});
  wsId = createWorkspace("core-ws");
  ASSERT_FALSE(wsId.empty());
}

std::string CoreTest::storage(const std::string& tail) const {
  return "/current/workspace/" + wsId + "/storage/" + tail;
}

std::string CoreTest::orgId() const {
  auto r = api().get("/current/orgs/list/");
  if (r.status != 200) return {};
  return r.json["orgs"][0]["id"].get<std::string>();
}

std::string CoreTest::createWorkspace(const std::string& folderName, bool intelligence) const {
  auto r = api().postForm("/current/org/" + orgId() + "/create/workspace/",
                          {{"folder_name", folderName},
                           {"name", "Workspace " + folderName},
                           {"perm_join", "Member or above"},
                           {"perm_member_manage", "Member or above"},
                           {"intelligence", intelligence ? "true" : "false"}});
  EXPECT_EQ(r.status, 200) << r.body;
  if (r.status != 200) return {};
  return r.json["workspace"]["id"].get<std::string>();
}

std::string CoreTest::upload(const std::string& parent, const std::string& name,
                             const std::string& bytes) const {
  auto client = emulator->client();
  httplib::MultipartFormDataItems items = {
      {"name", name, "", ""},
      {"size", std::to_string(bytes.size()), "", ""},
      {"action", "create", "", ""},
      {"instance_id", wsId, "", ""},
      {"folder_id", parent, "", ""},
      {"profile_type", "workspace", "", ""},
      {"chunk", bytes, name, "application/octet-stream"},
  };
  auto r = client->Post("/current/upload/", items);
  EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no response");
  if (!r || r->status != 200) return {};
  auto j = nlohmann::json::parse(r->body, nullptr, false);
  if (j.is_discarded() || !j.contains("new_file_id") || !j["new_file_id"].is_string()) return {};
  return j["new_file_id"].get<std::string>();
}

std::string CoreTest::mkdir(const std::string& parent, const std::string& name) const {
  auto r = api().postForm(storage(parent + "/createfolder/"), {{"name", name}});
  EXPECT_EQ(r.status, 200) << r.body;
  if (r.status != 200) return {};
  return r.json["node"]["id"].get<std::string>();
}

nlohmann::json CoreTest::details(const std::string& nodeId) const {
  auto r = api().get(storage(nodeId + "/details/"));
  EXPECT_EQ(r.status, 200) << r.body;
  return r.status == 200 ? r.json["node"] : nlohmann::json();
}

std::string CoreTest::read(const std::string& nodeId, const std::string& query) const {
  auto r = api().get(storage(nodeId + "/read/" + query));
  EXPECT_EQ(r.status, 200) << r.body;
  return r.body;
}

ApiReply CoreTest::setFaults(const std::string& json) const {
  return api().postJson("/_emulator/faults", json);
}

}  // namespace fastio::emu::testing
