// GET /_emulator/stats and POST /_emulator/stats/reset: every counter moves exactly when the
// emulator is asked to do its thing, and only then.

#include <string>

#include "tests/emulator/CoreFixture.h"
#include "tests/support/EmulatorCounters.h"

namespace fastio::emu::testing {
namespace {

using fastio::testing::EmulatorCounters;

class StatsTest : public CoreTest {
 protected:
  // POST /upload/ without a chunk: a session of `size` bytes in the root; returns its id.
  std::string createSession(const std::string& name, std::size_t size) const {
    ApiReply r = api().postForm("/current/upload/", {{"name", name},
                                                     {"size", std::to_string(size)},
                                                     {"action", "create"},
                                                     {"instance_id", wsId},
                                                     {"folder_id", "root"},
                                                     {"profile_type", "workspace"}});
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? r.json["id"].get<std::string>() : std::string();
  }
  int sendChunk(const std::string& session, int order, const std::string& bytes) const {
    httplib::MultipartFormDataItems items = {{"chunk", bytes, "c", "application/octet-stream"}};
    auto r = emulator->client()->Post(
        ("/current/upload/" + session + "/chunk/?order=" + std::to_string(order)).c_str(), items);
    return r ? r->status : 0;
  }
  std::string waitForTerminal(const std::string& session) const {
    for (int i = 0; i < 60; ++i) {
      ApiReply r = api().get("/current/upload/" + session + "/details/?wait=2");
      const std::string status = r.json["session"].value("status", "");
      if (status == "stored" || status.find("failed") != std::string::npos) return status;
    }
    return "timeout";
  }
};

TEST_F(StatsTest, CountersStartAtZeroAfterAResetAndNameEveryDocumentedCounter) {
  EmulatorCounters::reset(*emulator);
  const EmulatorCounters counters = EmulatorCounters::read(*emulator);
  for (const char* name :
       {"requests_total", "upload_sessions_created", "single_call_uploads", "chunks_received",
        "chunk_bytes_received", "uploads_completed", "uploads_stored", "uploads_cancelled",
        "storage_deletes", "storage_renames", "storage_moves", "folders_created",
        "details_requests", "list_requests", "downloads", "download_bytes"}) {
    EXPECT_EQ(counters[name], 0u) << name;
  }
  EXPECT_THROW(counters["no_such_counter"], std::out_of_range);
}

TEST_F(StatsTest, RequestsTotalCountsEveryApiRequestButNotTheControlRoutes) {
  EmulatorCounters::reset(*emulator);
  EXPECT_EQ(api().get("/current/orgs/list/").status, 200);
  EXPECT_EQ(api().get("/current/no/such/route/").status, 404);
  ASSERT_EQ(setFaults(R"({"error_rate": 1})").status, 200);
  EXPECT_EQ(api().get("/current/orgs/list/").status, 503);  // answered by the fault: counted
  ASSERT_EQ(api().postJson("/_emulator/reset", "{}").status, 200);
  EXPECT_EQ(EmulatorCounters::read(*emulator)["requests_total"], 3u);
  EmulatorCounters::reset(*emulator);
  EXPECT_EQ(EmulatorCounters::read(*emulator)["requests_total"], 0u);
}

TEST_F(StatsTest, StorageAndDownloadCountersFollowTheCalls) {
  EmulatorCounters::reset(*emulator);
  const std::string folder = mkdir("root", "box");
  mkdir("root", "box");  // idempotent, still a createfolder answered 200
  const std::string file = upload("root", "f.txt", "hello");
  ASSERT_FALSE(file.empty());
  EXPECT_EQ(api().postForm(storage(file + "/update/"), {{"name", "g.txt"}}).status, 200);
  EXPECT_EQ(api().postForm(storage(file + "/update/"), {{"name", "a/b"}}).status, 406);
  const std::string version = details(file).value("version", "");
  EXPECT_EQ(api().postForm(storage(file + "/update/"), {{"if_version_id", version}}).status, 200);
  EXPECT_EQ(api().postForm(storage(file + "/move/"), {{"parent", folder}}).status, 200);
  EXPECT_EQ(api().get(storage("root/list/")).status, 200);
  api().get(storage("no-such-folder/list/"));  // an error answer is a list request too
  EXPECT_EQ(read(file), "hello");
  ApiReply ranged = api().get(storage(file + "/read/"), {{"Range", "bytes=1-2"}});
  EXPECT_EQ(ranged.status, 206);
  EXPECT_EQ(ranged.body, "el");
  EXPECT_EQ(api().del(storage(file + "/delete/")).status, 200);
  EXPECT_EQ(api().del(storage(file + "/delete/")).status, 404);

  const EmulatorCounters c = EmulatorCounters::read(*emulator);
  EXPECT_EQ(c["folders_created"], 2u);
  EXPECT_EQ(c["single_call_uploads"], 1u);
  EXPECT_EQ(c["uploads_stored"], 1u);
  EXPECT_EQ(c["storage_renames"], 1u);
  EXPECT_EQ(c["storage_moves"], 1u);
  EXPECT_EQ(c["list_requests"], 2u);
  EXPECT_EQ(c["details_requests"], 1u);
  EXPECT_EQ(c["downloads"], 2u);
  EXPECT_EQ(c["download_bytes"], 7u);
  EXPECT_EQ(c["storage_deletes"], 1u);
  EXPECT_EQ(c["upload_sessions_created"], 0u);
}

TEST_F(StatsTest, UploadSessionCountersFollowTheCalls) {
  EmulatorCounters::reset(*emulator);
  const std::string first(1024 * 1024, 'a');
  const std::string session = createSession("big.bin", first.size() + 10);
  ASSERT_FALSE(session.empty());
  EXPECT_EQ(sendChunk(session, 1, first), 200);
  EXPECT_EQ(sendChunk(session, 2, std::string(10, 'b')), 200);
  EXPECT_EQ(sendChunk(session, 3, std::string(10, 'c')), 406);  // a second short chunk
  EXPECT_EQ(api().postForm("/current/upload/" + session + "/complete/", {}).status, 200);
  EXPECT_EQ(waitForTerminal(session), "stored");

  const std::string abandoned = createSession("gone.bin", 5);
  ASSERT_FALSE(abandoned.empty());
  EXPECT_EQ(api().del("/current/upload/" + abandoned + "/").status, 200);
  EXPECT_EQ(api().del("/current/upload/" + abandoned + "/").status, 404);

  const EmulatorCounters c = EmulatorCounters::read(*emulator);
  EXPECT_EQ(c["upload_sessions_created"], 2u);
  EXPECT_EQ(c["chunks_received"], 2u);
  EXPECT_EQ(c["chunk_bytes_received"], first.size() + 10);
  EXPECT_EQ(c["uploads_completed"], 1u);
  EXPECT_EQ(c["uploads_stored"], 1u);
  EXPECT_EQ(c["uploads_cancelled"], 1u);
  EXPECT_EQ(c["single_call_uploads"], 0u);
}

}  // namespace
}  // namespace fastio::emu::testing
