// Auth, envelope, orgs and workspaces.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <set>

#include "tests/emulator/CoreFixture.h"

namespace fastio::emu::testing {
namespace {

TEST_F(CoreTest, MissingOrWrongTokenIs401WithEnvelope) {
  for (const auto& client : {anonymous(), ApiClient(emulator->port(), "wrong-token")}) {
    auto r = client.get("/current/user/auth/check/");
    EXPECT_EQ(r.status, 401);
    ASSERT_TRUE(r.json.is_object()) << r.body;
    EXPECT_EQ(r.json["result"], false);
    EXPECT_TRUE(r.json["error"]["code"].is_number());
    EXPECT_FALSE(r.json["error"]["text"].get<std::string>().empty());
  }
}

TEST_F(CoreTest, AuthCheckAndUserDetails) {
  auto check = api().get("/current/user/auth/check/");
  ASSERT_EQ(check.status, 200);
  EXPECT_EQ(check.json["result"], true);
  std::string id = check.json["id"].get<std::string>();
  EXPECT_FALSE(id.empty());
  auto me = api().get("/current/user/me/details/");
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(me.json["user"]["id"], id);
  EXPECT_TRUE(me.json["user"]["email_address"].is_string());
  EXPECT_TRUE(me.json["user"]["first_name"].is_string());
  EXPECT_TRUE(me.json["user"]["last_name"].is_string());
}

TEST_F(CoreTest, EveryReplyCarriesServerDateAndRateHeaders) {
  for (const char* path : {"/current/user/auth/check/", "/current/no/such/route/"}) {
    auto r = api().get(path);
    ASSERT_TRUE(r.json.is_object()) << r.body;
    EXPECT_TRUE(r.json["server_date"].is_string()) << path;
    EXPECT_FALSE(r.header("x-ve-limit-avail").empty()) << path;
    EXPECT_FALSE(r.header("x-ve-limit-max").empty()) << path;
    EXPECT_FALSE(r.header("x-ve-limit-expires").empty()) << path;
  }
}

TEST_F(CoreTest, UnknownRouteIs404Code9992) {
  auto r = api().get("/current/storage/nothing/here/");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.json["error"]["code"], 9992);
  // Routes end with a slash; without it they are unknown.
  EXPECT_EQ(api().get("/current/user/auth/check").status, 404);
}

TEST_F(CoreTest, OrgsListsAndExternal) {
  auto r = api().get("/current/orgs/list/");
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(r.json["orgs"].size(), 1u);
  EXPECT_EQ(r.json["orgs"][0]["member"], true);
  EXPECT_EQ(r.json["pagination"]["total"], 1);
  auto ext = api().get("/current/orgs/list/external/");
  ASSERT_EQ(ext.status, 200);
  EXPECT_TRUE(ext.json["orgs"].empty());
  EXPECT_EQ(api().get("/current/orgs/list/?limit=0").status, 406);
  EXPECT_EQ(api().get("/current/orgs/list/?limit=abc").status, 406);
}

TEST_F(CoreTest, WorkspaceDetailsByIdAndFolderName) {
  auto byId = api().get("/current/workspace/" + wsId + "/details/");
  ASSERT_EQ(byId.status, 200);
  EXPECT_EQ(byId.json["workspace"]["folder_name"], "core-ws");
  auto byName = api().get("/current/workspace/CORE-WS/details/");
  ASSERT_EQ(byName.status, 200);
  EXPECT_EQ(byName.json["workspace"]["id"], wsId);
  EXPECT_EQ(api().get("/current/workspace/nope-nope/details/").status, 404);
}

TEST_F(CoreTest, CreateWorkspaceValidation) {
  std::string path = "/current/org/" + orgId() + "/create/workspace/";
  auto missing = api().postForm(path, {});
  ASSERT_EQ(missing.status, 406);
  EXPECT_EQ(missing.json["error"]["code"], 1605);
  std::set<std::string> missingNames;
  for (const auto& p : missing.json["error"]["params"]) {
    EXPECT_EQ(p["kind"], "missing");
    missingNames.insert(p["name"].get<std::string>());
  }
  EXPECT_EQ(missingNames,
            (std::set<std::string>{"folder_name", "name", "perm_join", "perm_member_manage"}));
  httplib::Params base = {{"name", "Good name"},
                          {"perm_join", "Member or above"},
                          {"perm_member_manage", "Admin or above"}};
  for (const char* bad : {"abc", "has space", "under_score", "x/y-z"}) {
    auto params = base;
    params.emplace("folder_name", bad);
    auto r = api().postForm(path, params);
    EXPECT_EQ(r.status, 406) << bad;
    EXPECT_EQ(r.json["error"]["params"][0]["name"], "folder_name") << bad;
    EXPECT_EQ(r.json["error"]["params"][0]["kind"], "invalid") << bad;
  }
  auto params = base;
  params.emplace("folder_name", "caf\xC3\xA9-\xE6\x97\xA5\xE6\x9C\xAC");  // Unicode letters allowed
  EXPECT_EQ(api().postForm(path, params).status, 200);
  auto dup = base;
  dup.emplace("folder_name", "Core-WS");  // globally unique, case-insensitively
  EXPECT_EQ(api().postForm(path, dup).status, 406);
  auto shortName = httplib::Params{{"folder_name", "short-name"},
                                   {"name", "x"},
                                   {"perm_join", "Member or above"},
                                   {"perm_member_manage", "Member or above"}};
  EXPECT_EQ(api().postForm(path, shortName).status, 406);
  auto badPerm = base;
  badPerm.emplace("folder_name", "perm-test");
  badPerm.erase("perm_join");
  badPerm.emplace("perm_join", "Everyone");
  EXPECT_EQ(api().postForm(path, badPerm).status, 406);
  EXPECT_EQ(api().postForm("/current/org/123/create/workspace/", base).status, 404);
}

TEST_F(CoreTest, WorkspacesAllPaginatesByOffset) {
  for (int i = 0; i < 4; ++i) createWorkspace("extra-ws-" + std::to_string(i));
  auto all = api().get("/current/workspaces/all/?limit=2&offset=1");
  ASSERT_EQ(all.status, 200);
  EXPECT_EQ(all.json["workspaces"].size(), 2u);
  EXPECT_EQ(all.json["pagination"]["total"], 5);
  EXPECT_EQ(all.json["pagination"]["has_more"], true);
  auto org = api().get("/current/org/" + orgId() + "/list/workspaces/");
  ASSERT_EQ(org.status, 200);
  EXPECT_EQ(org.json["workspaces"].size(), 5u);
}

TEST_F(CoreTest, TwoDetailLevelsAreRejected) {
  auto r = api().get(storage("root/list/?output=terse,full"));
  EXPECT_EQ(r.status, 406);
  EXPECT_EQ(api().get(storage("root/list/?output=standard,markdown")).status, 200);
  EXPECT_EQ(api().get(storage("root/list/?output=verbose")).status, 406);
}

// Sends raw bytes on a fresh connection and returns what arrives first (10 s timeout).
std::string rawExchange(int port, const std::string& request) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return {};
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string reply;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    timeval tv{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
        static_cast<ssize_t>(request.size())) {
      char buf[4096];
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n > 0) reply.assign(buf, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  return reply;
}

TEST_F(CoreTest, OversizedBodyIs413BeforeItIsRead) {
  // Announce a 2 MiB form body but send none: the emulator must answer 413 from the headers.
  std::string reply =
      rawExchange(emulator->port(), "POST " + storage("root/createfolder/") +
                                        " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                                        emulator->token() +
                                        "\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                                        "Content-Length: 2097152\r\n\r\nname=");
  EXPECT_EQ(reply.rfind("HTTP/1.1 413", 0), 0u) << reply;
  EXPECT_EQ(api().get("/current/user/auth/check/").status, 200);
}

TEST_F(CoreTest, PostWithoutLengthIsAnEmptyBodyNotAStall) {
  // No Content-Length, no Transfer-Encoding: HTTP/1.1 says no body; answer at once.
  auto start = std::chrono::steady_clock::now();
  std::string reply =
      rawExchange(emulator->port(), "POST /_emulator/reset HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 200", 0), 0u) << reply;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

}  // namespace
}  // namespace fastio::emu::testing
