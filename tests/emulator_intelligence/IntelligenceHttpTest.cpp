// The intelligence routes over real HTTP against a started fastio-emulator: a seeded workspace
// goes through ingestion to ai.state ready, search ranks and cites it, the agent answers with
// citations, and bad input gets the documented errors.

#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "TestPdf.h"
#include "tests/support/EmulatorProcess.h"
#include "tests/support/TempDir.h"

namespace fastio::emu::intelligence {
namespace {

using fastio::testing::TempDir;
using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kWs = "intel-test";
const std::string kApi = "/current/workspace/intel-test";

// Percent-encodes every byte but unreserved characters (query values may hold anything).
std::string encode(const std::string& s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(ch);
    } else {
      out += {'%', kHex[c >> 4], kHex[c & 15]};
    }
  }
  return out;
}

class IntelligenceHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto seed = dir_.path() / "seed" / kWs;
    std::filesystem::create_directories(seed / "finance");
    std::filesystem::create_directories(seed / "people");
    write(seed / "finance" / "q3-revenue.md",
          "# Q3 revenue\n\nQuarterly revenue grew 12 percent. Subscription revenue leads; "
          "quarterly revenue targets were met and revenue per customer rose.\n");
    write(seed / "people" / "picnic.txt",
          "The team picnic is on Friday. Food, games and music. Someone asked about revenue.\n");
    write(seed / "people" / "handbook.pdf",
          testing::makePdf({"Welcome to the handbook", "Expense policy: keep every receipt",
                            "The narwhal is our mascot"}));
    write(seed / "people" / "photo.bin", std::string("\x89PNG\0\0binary", 12));
    std::filesystem::create_directories(dir_.path() / "data");
    start();
  }

  void start() {
    fastio::testing::EmulatorOptions options;
    options.dataDir = dir_.path() / "data";
    options.seedDir = dir_.path() / "seed";
    options.extraArgs = {"--ai-delay-ms", "50"};
    emulator_ = std::make_unique<fastio::testing::EmulatorProcess>(options);
    client_ = emulator_->client();
  }

  // Stops the emulator and starts it again on the same data (no --seed the second time would
  // also work: seeding an existing workspace is skipped).
  void restart() {
    emulator_->stop();
    emulator_->restart();
    client_ = emulator_->client();
  }

  static void write(const std::filesystem::path& file, const std::string& bytes) {
    std::ofstream(file, std::ios::binary) << bytes;
  }

  json get(const std::string& path, int expectStatus = 200) {
    auto res = client_->Get(path);
    EXPECT_TRUE(res) << "no response for " << path;
    if (!res) return json();
    EXPECT_EQ(res->status, expectStatus) << path << " -> " << res->body;
    return json::parse(res->body, nullptr, false);
  }

  json post(const std::string& path, const httplib::Params& form, int expectStatus = 200) {
    auto res = client_->Post(path, form);
    EXPECT_TRUE(res) << "no response for " << path;
    if (!res) return json();
    EXPECT_EQ(res->status, expectStatus) << path << " -> " << res->body;
    return json::parse(res->body, nullptr, false);
  }

  json search(const std::string& query, const std::string& extra = "", int status = 200) {
    return get(kApi + "/storage/search/?search=" + encode(query) + extra, status);
  }

  // Waits until a search finds at least `count` files (indexing is asynchronous).
  json waitForHits(const std::string& query, const std::string& extra, size_t count) {
    json body;
    for (int i = 0; i < 600; ++i) {
      body = search(query, extra);
      if (body.contains("files") && body["files"].size() >= count) return body;
      std::this_thread::sleep_for(50ms);
    }
    ADD_FAILURE() << "search for '" << query << extra << "' never found " << count << " files";
    return body;
  }

  json waitForContentHits(const std::string& query, size_t count) {
    return waitForHits(query, "&search_in=content", count);
  }

  // Waits until a search returns exactly `count` files.
  json waitForExactly(const std::string& query, const std::string& extra, size_t count) {
    json body;
    for (int i = 0; i < 600; ++i) {
      body = search(query, extra);
      if (body.contains("files") && body["files"].size() == count) return body;
      std::this_thread::sleep_for(50ms);
    }
    ADD_FAILURE() << "search for '" << query << extra << "' never had " << count << " files";
    return body;
  }

  std::string workspaceId(const std::string& folderName = kWs) {
    return get("/current/workspace/" + folderName + "/details/")["workspace"]["id"];
  }

  // A single-call upload (multipart, part "chunk"); returns the new file id.
  std::string upload(const std::string& wsId, const std::string& name, const std::string& bytes) {
    httplib::MultipartFormDataItems items = {{"name", name, "", ""},
                                             {"size", std::to_string(bytes.size()), "", ""},
                                             {"action", "create", "", ""},
                                             {"instance_id", wsId, "", ""},
                                             {"folder_id", "root", "", ""},
                                             {"profile_type", "workspace", "", ""},
                                             {"chunk", bytes, name, "application/octet-stream"}};
    auto res = client_->Post("/current/upload/", items);
    EXPECT_TRUE(res && res->status == 200) << (res ? res->body : "no response");
    if (!res) return {};
    const json body = json::parse(res->body, nullptr, false);
    return body.value("new_file_id", "");
  }

  json waitAiState(const std::string& folderName, const std::string& nodeId,
                   const std::string& state) {
    json node;
    for (int i = 0; i < 600; ++i) {
      node = get("/current/workspace/" + folderName + "/storage/" + nodeId + "/details/")["node"];
      if (node.is_object() && node["ai"]["state"] == state) return node;
      std::this_thread::sleep_for(50ms);
    }
    ADD_FAILURE() << "node " << nodeId << " never reached ai.state " << state << ": " << node;
    return node;
  }

  static const json* hitNamed(const json& body, const std::string& name) {
    for (const auto& [id, hit] : body["files"].items()) {
      if (hit["name"] == name) return &hit;
    }
    return nullptr;
  }

  static std::string idNamed(const json& body, const std::string& name) {
    for (const auto& [id, hit] : body["files"].items()) {
      if (hit["name"] == name) return id;
    }
    return {};
  }

  json waitTurn(const std::string& thread, const std::string& turn) {
    json message;
    for (int i = 0; i < 600; ++i) {
      auto body = get(kApi + "/ai/agent/" + thread + "/message/" + turn + "/details/");
      message = body["message"];
      const std::string status = message.value("status", "");
      if (status != "pending" && status != "running") return message;
      std::this_thread::sleep_for(50ms);
    }
    ADD_FAILURE() << "turn " << turn << " never finished";
    return message;
  }

  TempDir dir_;
  std::unique_ptr<fastio::testing::EmulatorProcess> emulator_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(IntelligenceHttpTest, SearchRanksReadyFilesWithSnippetsAndPages) {
  waitForContentHits("narwhal", 1);
  const json body = waitForContentHits("quarterly revenue", 2);
  ASSERT_EQ(body["files"].size(), 2u) << body.dump();
  const json* report = hitNamed(body, "q3-revenue.md");
  const json* picnic = hitNamed(body, "picnic.txt");
  ASSERT_NE(report, nullptr);
  ASSERT_NE(picnic, nullptr);
  EXPECT_DOUBLE_EQ((*report)["relevance_score"].get<double>(), 1.0);
  EXPECT_LT((*picnic)["relevance_score"].get<double>(), 1.0);
  EXPECT_NE((*report)["content_snippet"].get<std::string>().find("Quarterly revenue"),
            std::string::npos);
  EXPECT_EQ((*report)["match_source"], "keyword");
  EXPECT_EQ((*report)["score_source"], "keyword");
  EXPECT_EQ((*report)["type"], "file");
  EXPECT_EQ((*report)["mimetype"], "text/markdown");
  EXPECT_EQ((*report)["page"]["start_page"], 1);
  EXPECT_TRUE((*report)["parent_id"].is_string());
  EXPECT_TRUE(body["search_metadata"]["intelligence_enabled"].get<bool>());
  EXPECT_FALSE(body["search_metadata"]["semantic_available"].get<bool>());
  EXPECT_TRUE(body["search_metadata"]["content_search_available"].get<bool>());

  const json pdf = search("narwhal mascot", "&details=true");
  const json* handbook = hitNamed(pdf, "handbook.pdf");
  ASSERT_NE(handbook, nullptr) << pdf.dump();
  EXPECT_EQ((*handbook)["page"]["start_page"], 3);
  EXPECT_EQ((*handbook)["node"]["ai"]["state"], "ready");
  EXPECT_EQ((*handbook)["node"]["summary"]["title"], "Welcome to the handbook");
}

TEST_F(IntelligenceHttpTest, SnippetSizeFollowsOutput) {
  waitForContentHits("revenue", 2);
  const json terse = search("revenue", "&output=terse");
  for (const auto& [id, hit] : terse["files"].items()) {
    if (hit["content_snippet"].is_string()) {
      EXPECT_LE(hit["content_snippet"].get<std::string>().size(), 200u);
    }
  }
  search("revenue", "&output=terse,full", 406);
}

TEST_F(IntelligenceHttpTest, FilenameSearchFindsFilesAndFolders) {
  waitForHits("picnic.txt", "&search_in=filename&name_match=exact", 1);
  waitForHits("fin", "&search_in=filename&name_match=prefix", 1);
  const json exact = search("picnic.txt", "&search_in=filename&name_match=exact");
  ASSERT_EQ(exact["files"].size(), 1u);
  const json& hit = exact["files"].begin().value();
  EXPECT_EQ(hit["score_source"], "filename");
  EXPECT_TRUE(hit["content_snippet"].is_null());
  EXPECT_TRUE(hit["page"].is_null());
  const json folders = search("fin", "&search_in=filename&name_match=prefix");
  ASSERT_EQ(folders["files"].size(), 1u);
  EXPECT_EQ(folders["files"].begin().value()["type"], "folder");
  EXPECT_EQ(search("*.PDF", "&search_in=filename&name_match=glob")["files"].size(), 1u);
  EXPECT_EQ(
      search("*.PDF", "&search_in=filename&name_match=glob&case_sensitive=true")["files"].size(),
      0u);
}

TEST_F(IntelligenceHttpTest, LimitAndOffsetPage) {
  waitForContentHits("revenue", 2);
  const json first = search("revenue", "&limit=1");
  EXPECT_EQ(first["files"].size(), 1u);
  EXPECT_TRUE(first["pagination"]["has_more"].get<bool>());
  const json second = search("revenue", "&limit=1&offset=1");
  ASSERT_EQ(second["files"].size(), 1u);
  EXPECT_NE(first["files"].begin().key(), second["files"].begin().key());
}

TEST_F(IntelligenceHttpTest, BadSearchInputGetsValidationErrors) {
  const json missing = get(kApi + "/storage/search/", 406);
  EXPECT_EQ(missing["result"], false);
  EXPECT_EQ(missing["error"]["code"], 1605);
  EXPECT_EQ(missing["error"]["params"][0]["name"], "search");
  EXPECT_EQ(missing["error"]["params"][0]["kind"], "missing");
  search("a", "", 406);
  search(std::string(1001, 'x'), "", 406);
  search("ok query", "&search_in=everywhere", 406);
  search("ok query", "&name_match=regex", 406);
  search("ok query", "&limit=0", 406);
  search("ok query", "&limit=501", 406);
  search("ok query", "&offset=-1", 406);
  search("ok query", "&case_sensitive=maybe", 406);
  search("**", "&name_match=glob", 406);
  search("ok query", "&files_scope=notanid", 406);
  get("/current/workspace/no-such-workspace/storage/search/?search=abc", 404);
}

TEST_F(IntelligenceHttpTest, HostileQueriesAreAnsweredNotCrashed) {
  waitForContentHits("revenue", 2);
  for (const std::string& q : std::vector<std::string>{
           std::string("\"revenue"), std::string("NEAR(revenue picnic)"), std::string("revenue OR"),
           std::string("a\0b", 3), std::string("'; DROP TABLE nodes; --"), std::string("\xFF\xFE"),
           std::string("rev*"), std::string("{name}: x"), std::string(999, '"')}) {
    search(q);
  }
  EXPECT_EQ(search("revenue", "&search_in=content")["files"].size(), 2u) << "the index survived";
}

TEST_F(IntelligenceHttpTest, AgentAnswersWithCitations) {
  waitForContentHits("revenue", 2);
  const json created = post(kApi + "/ai/agent/", {{"question", "How did quarterly revenue do?"}});
  ASSERT_TRUE(created.contains("thread")) << created.dump();
  const std::string thread = created["thread"]["thread_id"];
  const std::string turn = created["turn"]["turn_id"];
  EXPECT_EQ(created["turn"]["status"], "pending");
  const json message = waitTurn(thread, turn);
  EXPECT_EQ(message["status"], "complete");
  EXPECT_EQ(message["text"], "How did quarterly revenue do?");
  const std::string answer = message["response"]["text"];
  EXPECT_NE(answer.find("q3-revenue.md"), std::string::npos) << answer;
  const json& citations = message["response"]["citations"];
  ASSERT_GE(citations.size(), 1u);
  const json& first = citations[0];
  EXPECT_EQ(first["entries"][0]["page"], 1);
  EXPECT_NE(first["entries"][0]["snippet"].get<std::string>().find("revenue"), std::string::npos);
  // The citation names the node and its current version.
  const json details = get(kApi + "/storage/" + first["nodeId"].get<std::string>() + "/details/");
  ASSERT_TRUE(details.contains("node")) << details.dump();
  EXPECT_EQ(details["node"]["name"], "q3-revenue.md");
  EXPECT_EQ(details["node"]["version"], first["versionId"]);

  // A follow-up, the listings, cancel with nothing pending, delete.
  const json follow = post(kApi + "/ai/agent/" + thread + "/message/", {{"question", "picnic"}});
  EXPECT_EQ(follow["seq"], 2);
  waitTurn(thread, follow["turn_id"]);
  EXPECT_EQ(get(kApi + "/ai/agent/" + thread + "/messages/list/")["messages"].size(), 2u);
  EXPECT_EQ(get(kApi + "/ai/agent/" + thread + "/details/")["thread"]["messages"].size(), 2u);
  EXPECT_EQ(get(kApi + "/ai/agent/list/")["threads"].size(), 1u);
  const json cancel = post(kApi + "/ai/agent/" + thread + "/cancel/", {});
  EXPECT_EQ(cancel["success"], true);
  EXPECT_EQ(cancel["no_pending_message"], true);
  auto del = client_->Delete(kApi + "/ai/agent/" + thread + "/");
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 200);
  EXPECT_EQ(get(kApi + "/ai/agent/list/")["threads"].size(), 0u);
  EXPECT_EQ(get(kApi + "/ai/agent/list/deleted")["threads"].size(), 1u);
}

TEST_F(IntelligenceHttpTest, AgentIsHonestWhenNothingMatchesAndAsksWhenVague) {
  const json none = post(kApi + "/ai/agent/", {{"question", "Where is the submarine manual?"}});
  const json answered = waitTurn(none["thread"]["thread_id"], none["turn"]["turn_id"]);
  EXPECT_EQ(answered["status"], "complete");
  EXPECT_TRUE(answered["response"]["citations"].empty());
  EXPECT_NE(answered["response"]["text"].get<std::string>().find("no relevant content"),
            std::string::npos);
  const json vague = post(kApi + "/ai/agent/", {{"question", "help?"}});
  const json asked = waitTurn(vague["thread"]["thread_id"], vague["turn"]["turn_id"]);
  EXPECT_EQ(asked["status"], "needs_input");
  EXPECT_FALSE(asked["clarification"]["question"].get<std::string>().empty());
}

TEST_F(IntelligenceHttpTest, AgentScopeFromSubjects) {
  const json hits = waitForContentHits("revenue", 2);
  const std::string picnic = idNamed(hits, "picnic.txt");
  ASSERT_FALSE(picnic.empty());
  const json subjects =
      json::array({{{"type", "file"},
                    {"id", picnic},
                    {"file_details", {{"node_id", picnic}, {"version_id", ""}}}}});
  const json created =
      post(kApi + "/ai/agent/", {{"question", "revenue"}, {"subjects", subjects.dump()}});
  const json message = waitTurn(created["thread"]["thread_id"], created["turn"]["turn_id"]);
  ASSERT_EQ(message["response"]["citations"].size(), 1u);
  EXPECT_EQ(message["response"]["citations"][0]["nodeId"], picnic);
}

TEST_F(IntelligenceHttpTest, AgentValidation) {
  post(kApi + "/ai/agent/", {}, 406);
  post(kApi + "/ai/agent/", {{"question", "   "}}, 406);
  // Long questions come as multipart: httplib caps url-encoded bodies at 8 KiB (413).
  const auto multipart = [&](const std::string& question) {
    auto res = client_->Post(kApi + "/ai/agent/",
                             httplib::MultipartFormDataItems{{"question", question, "", ""}});
    return res ? res->status : 0;
  };
  EXPECT_EQ(multipart(std::string(32001, 'q')), 406);
  EXPECT_EQ(multipart("revenue " + std::string(20000, 'q')), 200);
  post(kApi + "/ai/agent/", {{"question", "revenue"}, {"references", "{not json"}}, 406);
  post(kApi + "/ai/agent/", {{"question", "revenue"}, {"references", "[{\"type\":\"file\"}]"}},
       406);
  post(kApi + "/ai/agent/", {{"question", "revenue"}, {"privacy", "public"}}, 403);
  post(kApi + "/ai/agent/", {{"question", "revenue"}, {"name", std::string(101, 'n')}}, 406);
  get(kApi + "/ai/agent/cnotachat0000000000000000000/details/", 404);
  get(kApi + "/ai/agent/../details/", 404);
  const json flat = post(kApi + "/ai/agent/cnotachat0000000000000000000/cancel/", {}, 406);
  EXPECT_EQ(flat["result"], false);
  EXPECT_TRUE(flat.contains("error_message"));
}

TEST_F(IntelligenceHttpTest, ActivityCarriesAiStateAndChatKeys) {
  const json created = post(kApi + "/ai/agent/", {{"question", "narwhal"}});
  const std::string workspaceId = created["thread"]["workspace_id"];
  const std::string thread = created["thread"]["thread_id"];
  waitTurn(thread, created["turn"]["turn_id"]);
  std::set<std::string> keys;
  std::string marker = "2000-01-01T00:00:00Z";
  for (int i = 0; i < 20 && !(keys.contains("ai_chat:" + thread)); ++i) {
    const json poll =
        get("/current/activity/poll/" + workspaceId + "/?wait=1&lastactivity=" + encode(marker));
    if (!poll.contains("activity")) break;
    for (const auto& k : poll["activity"]) keys.insert(k.get<std::string>());
    marker = poll.value("lastactivity", marker);
  }
  EXPECT_TRUE(keys.contains("ai_chat:" + thread));
  EXPECT_TRUE(std::any_of(keys.begin(), keys.end(),
                          [](const std::string& k) { return k.starts_with("ai_state:"); }));
}

TEST_F(IntelligenceHttpTest, IndexAndThreadsSurviveARestart) {
  waitForContentHits("narwhal", 1);
  const json created = post(kApi + "/ai/agent/", {{"question", "narwhal"}});
  const std::string thread = created["thread"]["thread_id"];
  waitTurn(thread, created["turn"]["turn_id"]);
  restart();
  EXPECT_EQ(search("narwhal", "&search_in=content")["files"].size(), 1u);
  EXPECT_EQ(get(kApi + "/ai/agent/" + thread + "/details/")["thread"]["messages"].size(), 1u);
}

TEST_F(IntelligenceHttpTest, ALostSearchDatabaseIsRebuiltAtStartUp) {
  waitForContentHits("narwhal", 1);
  emulator_->stop();
  for (const char* f : {"search.db", "search.db-wal", "search.db-shm"}) {
    std::filesystem::remove(dir_.path() / "data" / f);
  }
  emulator_->restart();
  client_ = emulator_->client();
  waitForContentHits("narwhal", 1);
}

TEST_F(IntelligenceHttpTest, AnUploadGoesThroughIngestionToSearch) {
  const std::string ws = workspaceId();
  const std::string id =
      upload(ws, "field-notes.md", "# Field notes\n\nThe okapi lives in the rainforest.\n");
  ASSERT_FALSE(id.empty());
  const json node = waitAiState(kWs, id, "ready");
  EXPECT_EQ(node["summary"]["title"], "Field notes");
  const json hits = waitForContentHits("okapi", 1);
  ASSERT_TRUE(hits["files"].contains(id)) << hits.dump();
  EXPECT_NE(hits["files"][id]["content_snippet"].get<std::string>().find("okapi"),
            std::string::npos);

  // A new version replaces the indexed text.
  const std::string again = upload(ws, "field-notes.md", "The ibex climbs the cliffs.\n");
  EXPECT_EQ(again, id) << "same name, same folder: a new version of the same node";
  waitForContentHits("ibex", 1);
  waitForExactly("okapi", "&search_in=content", 0);
}

TEST_F(IntelligenceHttpTest, RenameTrashAndRestoreFollowTheIndex) {
  const std::string ws = workspaceId();
  const std::string id = upload(ws, "capybara.txt", "The capybara swims.\n");
  waitAiState(kWs, id, "ready");
  post(kApi + "/storage/" + id + "/update/", {{"name", "water-pig.txt"}});
  waitForHits("water-pig", "&search_in=filename", 1);
  waitForExactly("capybara.txt", "&search_in=filename&name_match=exact", 0);
  EXPECT_EQ(search("capybara", "&search_in=content")["files"].size(), 1u)
      << "a rename keeps the indexed text";

  auto del = client_->Delete(kApi + "/storage/" + id + "/delete/");
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 200) << del->body;
  waitForExactly("capybara", "", 0);
  post(kApi + "/storage/" + id + "/restore/", {});
  waitForContentHits("capybara", 1);
}

TEST_F(IntelligenceHttpTest, IntelligenceOffMeansNamesOnly) {
  const json orgs = get("/current/orgs/list/");
  const std::string org = orgs["orgs"][0]["id"];
  const json created =
      post("/current/org/" + org + "/create/workspace/", {{"folder_name", "quiet-space"},
                                                          {"name", "Quiet space"},
                                                          {"perm_join", "Member or above"},
                                                          {"perm_member_manage", "Member or above"},
                                                          {"intelligence", "false"}});
  const std::string ws = created["id"];
  const std::string id = upload(ws, "tapir.txt", "The tapir forages at night.\n");
  ASSERT_FALSE(id.empty());
  const std::string api = "/current/workspace/quiet-space/storage/search/?search=";
  json body;
  for (int i = 0; i < 600; ++i) {
    body = get(api + "tapir");
    if (body["files"].size() == 1) break;
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_EQ(body["files"].size(), 1u) << "found by name";
  EXPECT_TRUE(body["files"][id]["content_snippet"].is_null());
  EXPECT_FALSE(body["search_metadata"]["intelligence_enabled"].get<bool>());
  EXPECT_FALSE(body["search_metadata"]["content_search_available"].get<bool>());
  EXPECT_EQ(body["search_metadata"]["reason"], "intelligence_disabled");
  std::this_thread::sleep_for(300ms);  // longer than the ingestion delay
  EXPECT_TRUE(get(api + "forages")["files"].empty()) << "no content leg";
  const json node = get("/current/workspace/quiet-space/storage/" + id + "/details/")["node"];
  EXPECT_EQ(node["ai"]["state"], "disabled");
}

TEST_F(IntelligenceHttpTest, MoveAndCopyReachTheIndex) {
  const json hits = waitForContentHits("narwhal", 1);
  const std::string handbook = idNamed(hits, "handbook.pdf");
  const json finance = waitForHits("finance", "&search_in=filename&name_match=exact", 1);
  const std::string financeId = finance["files"].begin().key();
  post(kApi + "/storage/" + handbook + "/move/", {{"parent", financeId}});
  for (int i = 0; i < 600; ++i) {
    if (search("narwhal", "&search_in=content")["files"][handbook]["parent_id"] == financeId) {
      break;
    }
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(search("narwhal", "&search_in=content")["files"][handbook]["parent_id"], financeId);
  post(kApi + "/storage/" + handbook + "/copy/", {{"parent", "root"}});
  const json both = waitForContentHits("narwhal", 2);
  EXPECT_EQ(both["files"].size(), 2u) << "the copy is ingested too";
}

TEST_F(IntelligenceHttpTest, ReadStreamsTheFinishedTurn) {
  const json created = post(kApi + "/ai/agent/", {{"question", "expense receipt"}});
  const std::string thread = created["thread"]["thread_id"];
  const std::string turn = created["turn"]["turn_id"];
  auto res = client_->Get(kApi + "/ai/agent/" + thread + "/message/" + turn + "/read/");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/event-stream");
  EXPECT_NE(res->body.find("event: message\ndata: {"), std::string::npos) << res->body;
  EXPECT_NE(res->body.find("event: done"), std::string::npos) << res->body;
  EXPECT_NE(res->body.find("\"status\":\"complete\""), std::string::npos) << res->body;
}

TEST_F(IntelligenceHttpTest, ExtractedTextByPageQueryAndCursor) {
  const json hits = waitForContentHits("narwhal", 1);
  const std::string handbook = idNamed(hits, "handbook.pdf");
  const std::string base = kApi + "/storage/" + handbook + "/content/";
  const json all = get(base);
  EXPECT_EQ(all["indexed"], true);
  EXPECT_EQ(all["num_pages"], 3);
  EXPECT_EQ(all["page_addressable"], true);
  ASSERT_EQ(all["chunks"].size(), 3u);
  EXPECT_EQ(all["chunks"][2]["start_page"], 3);
  EXPECT_NE(all["chunks"][2]["text"].get<std::string>().find("narwhal"), std::string::npos);
  const json page = get(base + "?page=2");
  ASSERT_EQ(page["chunks"].size(), 1u);
  EXPECT_NE(page["chunks"][0]["text"].get<std::string>().find("receipt"), std::string::npos);
  const json query = get(base + "?q=mascot");
  ASSERT_EQ(query["chunks"].size(), 1u);
  EXPECT_TRUE(query["chunks"][0]["score"].is_number());
  const json first = get(base + "?limit=2");
  ASSERT_EQ(first["chunks"].size(), 2u);
  ASSERT_TRUE(first["next_cursor"].is_string());
  const json rest = get(base + "?limit=2&cursor=" + first["next_cursor"].get<std::string>());
  ASSERT_EQ(rest["chunks"].size(), 1u);
  EXPECT_TRUE(rest["next_cursor"].is_null());
  get(base + "?q=x&page=1", 406);
  get(base + "?limit=21", 406);
  get(kApi + "/storage/fnotafile00000000000000000000/content/", 404);
}

}  // namespace
}  // namespace fastio::emu::intelligence
