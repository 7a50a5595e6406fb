// /current/upload/ over real HTTP against a started emulator.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "tests/emulator_upload/UploadHttpFixture.h"

namespace fastio::emu::testing {
namespace {

using std::chrono::steady_clock;

httplib::Params sessionForm(const std::string& name, std::uint64_t size) {
  return {{"name", name},        {"size", std::to_string(size)},
          {"action", "create"},  {"instance_id", kWorkspace},
          {"folder_id", "root"}, {"profile_type", "workspace"}};
}

// A copy of `form` with `key` set to `value` (replacing any earlier value).
httplib::Params with(httplib::Params form, const std::string& key, const std::string& value) {
  form.erase(key);
  form.emplace(key, value);
  return form;
}

Reply singleCall(const UploadHttpTest& t, const std::string& name, const std::string& bytes,
                 httplib::MultipartFormDataItems extra = {}) {
  httplib::MultipartFormDataItems items{{"name", name, "", ""},
                                        {"size", std::to_string(bytes.size()), "", ""},
                                        {"action", "create", "", ""},
                                        {"instance_id", kWorkspace, "", ""},
                                        {"folder_id", "root", "", ""},
                                        {"profile_type", "workspace", "", ""},
                                        {"chunk", bytes, name, "application/octet-stream"}};
  for (auto& item : extra) items.push_back(item);
  return t.postMultipart("/current/upload/", items);
}

using UploadRoutesTest = UploadHttpTest;

TEST_F(UploadRoutesTest, SingleCallStoresZeroOneAndFourMiB) {
  for (std::size_t size : {std::size_t{0}, std::size_t{1}, 4 * kMiB}) {
    std::string bytes = randomBytes(size, static_cast<unsigned>(size) + 1);
    std::string name = "single-" + std::to_string(size) + ".bin";
    Reply r = singleCall(*this, name, bytes);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json["result"], true);
    ASSERT_TRUE(r.json["new_file_id"].is_string()) << r.body;
    EXPECT_TRUE(r.json["id"].is_string());
    EXPECT_EQ(readFile(r.json["new_file_id"]), bytes) << name;
  }
}

TEST_F(UploadRoutesTest, SingleCallOverFourMiBIsRefused) {
  Reply r = singleCall(*this, "big.bin", randomBytes(4 * kMiB + 1, 3));
  EXPECT_EQ(r.status, 413) << r.body;
  EXPECT_EQ(r.json["result"], false);
}

TEST_F(UploadRoutesTest, SingleCallWithAWrongSizeIsRefused) {
  httplib::MultipartFormDataItems items{{"name", "x.bin", "", ""},
                                        {"size", "5", "", ""},
                                        {"instance_id", kWorkspace, "", ""},
                                        {"chunk", "abc", "x.bin", "application/octet-stream"}};
  Reply r = postMultipart("/current/upload/", items);
  EXPECT_EQ(r.status, 406) << r.body;
  EXPECT_EQ(r.json["error"]["code"], 10522);
}

TEST_F(UploadRoutesTest, ThreeChunksWithHashesAreAssembledAndStored) {
  std::string bytes = randomBytes(2 * kMiB + 777, 4);
  std::string c1 = bytes.substr(0, kMiB), c2 = bytes.substr(kMiB, kMiB),
              c3 = bytes.substr(2 * kMiB);
  std::string id = createSession("three.bin", bytes.size(),
                                 {{"hash", hexDigest(bytes, "sha256")}, {"hash_algo", "sha256"}});
  Reply wrong = sendChunk(id, 2, c2, hexDigest("not these bytes", "sha256"), "sha256");
  EXPECT_EQ(wrong.status, 406) << wrong.body;
  EXPECT_EQ(sendChunk(id, 1, c1, hexDigest(c1, "md5"), "md5").status, 200);
  EXPECT_EQ(sendChunk(id, 2, c2, hexDigest(c2, "sha1"), "sha1").status, 200);
  EXPECT_EQ(sendChunk(id, 3, c3, hexDigest(c3, "sha384"), "sha384").status, 200);

  Reply chunks = get("/current/upload/" + id + "/chunk/");
  ASSERT_EQ(chunks.status, 200) << chunks.body;
  EXPECT_EQ(chunks.json["chunks"]["1"], kMiB);
  EXPECT_EQ(chunks.json["chunks"]["3"], 777);

  Reply complete = postForm("/current/upload/" + id + "/complete/", {});
  ASSERT_EQ(complete.status, 200) << complete.body;
  nlohmann::json session = waitForTerminal(id);
  ASSERT_EQ(session["status"], "stored") << session.dump();
  EXPECT_EQ(readFile(session["new_file_id"]), bytes);
}

TEST_F(UploadRoutesTest, ChunkFieldsMayComeAsFormFields) {
  std::string bytes = randomBytes(1000, 5);
  std::string id = createSession("form-fields.bin", bytes.size());
  httplib::MultipartFormDataItems items{{"order", "1", "", ""},
                                        {"size", "1000", "", ""},
                                        {"hash", hexDigest(bytes, "md5"), "", ""},
                                        {"hash_algo", "md5", "", ""},
                                        {"chunk", bytes, "c", "application/octet-stream"}};
  Reply r = postMultipart("/current/upload/" + id + "/chunk/", items);
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(postForm("/current/upload/" + id + "/complete/", {}).status, 200);
  nlohmann::json session = waitForTerminal(id);
  ASSERT_EQ(session["status"], "stored");
  EXPECT_EQ(readFile(session["new_file_id"]), bytes);
}

TEST_F(UploadRoutesTest, ARawOctetStreamBodyIsAChunkToo) {
  std::string bytes = randomBytes(4321, 16);
  std::string id = createSession("raw.bin", bytes.size());
  auto res = client()->Post(("/current/upload/" + id + "/chunk/?order=1").c_str(), bytes,
                            "application/octet-stream");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  ASSERT_EQ(postForm("/current/upload/" + id + "/complete/", {}).status, 200);
  nlohmann::json session = waitForTerminal(id);
  ASSERT_EQ(session["status"], "stored");
  EXPECT_EQ(readFile(session["new_file_id"]), bytes);
}

TEST_F(UploadRoutesTest, ResentOrderReplacesTheChunk) {
  std::string first = randomBytes(kMiB, 6), second = randomBytes(kMiB, 7);
  std::string id = createSession("resent.bin", kMiB);
  ASSERT_EQ(sendChunk(id, 1, first).status, 200);
  ASSERT_EQ(sendChunk(id, 1, second).status, 200);
  ASSERT_EQ(postForm("/current/upload/" + id + "/complete/", {}).status, 200);
  nlohmann::json session = waitForTerminal(id);
  ASSERT_EQ(session["status"], "stored");
  EXPECT_EQ(readFile(session["new_file_id"]), second);
}

TEST_F(UploadRoutesTest, SessionResumesAfterAnEmulatorCrash) {
  std::string bytes = randomBytes(3 * kMiB - 5, 8);
  std::string id = createSession("resumed.bin", bytes.size());
  ASSERT_EQ(sendChunk(id, 1, bytes.substr(0, kMiB)).status, 200);
  ASSERT_EQ(sendChunk(id, 2, bytes.substr(kMiB, kMiB)).status, 200);

  crashAndRestart();

  Reply details = get("/current/upload/" + id + "/details/");
  ASSERT_EQ(details.status, 200) << details.body;
  const nlohmann::json& chunks = details.json["session"]["chunks"];
  EXPECT_EQ(chunks.size(), 2u) << details.body;
  EXPECT_EQ(chunks["2"], kMiB);
  ASSERT_EQ(sendChunk(id, 3, bytes.substr(2 * kMiB)).status, 200);
  ASSERT_EQ(postForm("/current/upload/" + id + "/complete/", {}).status, 200);
  nlohmann::json session = waitForTerminal(id);
  ASSERT_EQ(session["status"], "stored");
  EXPECT_EQ(readFile(session["new_file_id"]), bytes);
}

TEST_F(UploadRoutesTest, StoredUploadSurvivesACrash) {
  std::string bytes = randomBytes(kMiB + 1, 9);
  std::string id = createSession("durable.bin", bytes.size());
  ASSERT_EQ(sendChunk(id, 1, bytes.substr(0, kMiB)).status, 200);
  ASSERT_EQ(sendChunk(id, 2, bytes.substr(kMiB)).status, 200);
  ASSERT_EQ(postForm("/current/upload/" + id + "/complete/", {}).status, 200);
  nlohmann::json session = waitForTerminal(id);
  ASSERT_EQ(session["status"], "stored");
  crashAndRestart();
  EXPECT_EQ(readFile(session["new_file_id"]), bytes);
}

TEST_F(UploadRoutesTest, DeclaredSizeMismatchFailsWith10522) {
  std::string id = createSession("short.bin", 3 * kMiB);
  ASSERT_EQ(sendChunk(id, 1, randomBytes(kMiB, 10)).status, 200);
  ASSERT_EQ(sendChunk(id, 2, randomBytes(kMiB, 11)).status, 200);
  ASSERT_EQ(postForm("/current/upload/" + id + "/complete/", {}).status, 200);
  nlohmann::json session = waitForTerminal(id);
  EXPECT_EQ(session["status"], "assembly_failed");
  EXPECT_EQ(session["error_code"], 10522);
  EXPECT_FALSE(session["status_message"].get<std::string>().empty());
  EXPECT_TRUE(session["new_file_id"].is_null());
}

TEST_F(UploadRoutesTest, UpdateKeepsTheNodeIdAndAddsAVersion) {
  Reply first = singleCall(*this, "doc.txt", "version one");
  ASSERT_EQ(first.status, 200) << first.body;
  std::string nodeId = first.json["new_file_id"];

  // action=update + file_id, as a chunked session.
  std::string v2 = "version two, longer";
  std::string id = createSession("doc.txt", v2.size(), {{"action", "update"}, {"file_id", nodeId}});
  ASSERT_EQ(sendChunk(id, 1, v2).status, 200);
  ASSERT_EQ(postForm("/current/upload/" + id + "/complete/", {}).status, 200);
  nlohmann::json session = waitForTerminal(id);
  ASSERT_EQ(session["status"], "stored") << session.dump();
  EXPECT_EQ(session["new_file_id"], nodeId);
  EXPECT_EQ(readFile(nodeId), v2);

  // Same name in the same folder overwrites in place too.
  Reply third = singleCall(*this, "doc.txt", "version three");
  ASSERT_EQ(third.status, 200);
  EXPECT_EQ(third.json["new_file_id"], nodeId);
  EXPECT_EQ(readFile(nodeId), "version three");

  Reply versions =
      get(std::string("/current/workspace/") + kWorkspace + "/storage/" + nodeId + "/versions/");
  ASSERT_EQ(versions.status, 200) << versions.body;
  EXPECT_NE(versions.body.find("version"), std::string::npos);
  std::size_t count = 0;
  for (const auto& [key, value] : versions.json.items()) {
    if (value.is_array()) count = std::max(count, value.size());
  }
  EXPECT_EQ(count, 3u) << versions.body;
}

TEST_F(UploadRoutesTest, IfVersionIdGuardsAnUpdate) {
  auto versionOf = [&](const std::string& node) {
    Reply d =
        get(std::string("/current/workspace/") + kWorkspace + "/storage/" + node + "/details/");
    EXPECT_EQ(d.status, 200) << d.body;
    return d.json["node"].value("version", "");
  };
  Reply first = singleCall(*this, "cas.txt", "one");
  ASSERT_EQ(first.status, 200) << first.body;
  std::string nodeId = first.json["new_file_id"];
  std::string v1 = versionOf(nodeId);
  ASSERT_FALSE(v1.empty());

  std::string id = createSession(
      "cas.txt", 3, {{"action", "update"}, {"file_id", nodeId}, {"if_version_id", v1}});
  ASSERT_EQ(sendChunk(id, 1, "two").status, 200);
  ASSERT_EQ(singleCall(*this, "cas.txt", "someone else").status, 200);  // the version moves on
  std::string v2 = versionOf(nodeId);
  ASSERT_NE(v1, v2);
  ASSERT_EQ(postForm("/current/upload/" + id + "/complete/", {}).status, 200);
  nlohmann::json session = waitForTerminal(id);
  EXPECT_EQ(session["status"], "assembly_failed");
  EXPECT_EQ(session["status_message"], "CONFLICT_VERSION_MISMATCH:" + v2);
  EXPECT_EQ(readFile(nodeId), "someone else");

  // A stale version is refused before any bytes are sent.
  Reply stale = postForm("/current/upload/", {{"name", "cas.txt"},
                                              {"size", "1"},
                                              {"action", "update"},
                                              {"file_id", nodeId},
                                              {"if_version_id", v1},
                                              {"instance_id", kWorkspace}});
  EXPECT_EQ(stale.status, 409) << stale.body;
  EXPECT_EQ(stale.json["error"]["params"][0]["reason"], "conflict_version_mismatch") << stale.body;
  EXPECT_EQ(stale.json["error"]["params"][0]["current_version_id"], v2) << stale.body;

  // So is a single call, and nothing is stored.
  Reply staleSingle = singleCall(
      *this, "cas.txt", "late",
      {{"action", "update", "", ""}, {"file_id", nodeId, "", ""}, {"if_version_id", v1, "", ""}});
  EXPECT_EQ(staleSingle.status, 409) << staleSingle.body;
  EXPECT_EQ(staleSingle.json["error"]["params"][0]["reason"], "conflict_version_mismatch");
  EXPECT_EQ(readFile(nodeId), "someone else");
  EXPECT_EQ(versionOf(nodeId), v2);

  // The current version passes, on both paths.
  Reply fresh = singleCall(
      *this, "cas.txt", "mine",
      {{"action", "update", "", ""}, {"file_id", nodeId, "", ""}, {"if_version_id", v2, "", ""}});
  ASSERT_EQ(fresh.status, 200) << fresh.body;
  EXPECT_EQ(fresh.json["new_file_id"], nodeId);
  EXPECT_EQ(readFile(nodeId), "mine");
  const std::string v3 = versionOf(nodeId);
  std::string ok = createSession(
      "cas.txt", 3, {{"action", "update"}, {"file_id", nodeId}, {"if_version_id", v3}});
  ASSERT_EQ(sendChunk(ok, 1, "abc").status, 200);
  ASSERT_EQ(postForm("/current/upload/" + ok + "/complete/", {}).status, 200);
  nlohmann::json stored = waitForTerminal(ok);
  EXPECT_EQ(stored["status"], "stored");
  EXPECT_EQ(stored["new_file_id"], nodeId);
  EXPECT_EQ(readFile(nodeId), "abc");
}

TEST_F(UploadRoutesTest, IfVersionIdNeedsAnUpdateAndCannotBeBlank) {
  Reply first = singleCall(*this, "plain.txt", "one");
  ASSERT_EQ(first.status, 200) << first.body;
  std::string nodeId = first.json["new_file_id"];
  Reply withCreate =
      postForm("/current/upload/", with(sessionForm("plain.txt", 3), "if_version_id", "v1"));
  EXPECT_EQ(withCreate.status, 406) << withCreate.body;
  httplib::Params update =
      with(with(sessionForm("plain.txt", 3), "action", "update"), "file_id", nodeId);
  Reply blank = postForm("/current/upload/", with(update, "if_version_id", ""));
  EXPECT_EQ(blank.status, 406) << blank.body;
  EXPECT_EQ(blank.json["error"]["code"], 207092) << blank.body;
}

TEST_F(UploadRoutesTest, ACreateWithAnExistingNameOverwritesThatFileInPlaceOnBothPaths) {
  Reply first = singleCall(*this, "same.bin", "first");
  ASSERT_EQ(first.status, 200) << first.body;
  const std::string nodeId = first.json["new_file_id"];
  Reply again = singleCall(*this, "same.bin", "second");
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json["new_file_id"], nodeId);
  const std::string bytes = randomBytes(kMiB + 5, 77);
  std::string id = createSession("same.bin", bytes.size());
  ASSERT_EQ(sendChunk(id, 1, bytes.substr(0, kMiB)).status, 200);
  ASSERT_EQ(sendChunk(id, 2, bytes.substr(kMiB)).status, 200);
  ASSERT_EQ(postForm("/current/upload/" + id + "/complete/", {}).status, 200);
  nlohmann::json session = waitForTerminal(id);
  ASSERT_EQ(session["status"], "stored") << session.dump();
  EXPECT_EQ(session["new_file_id"], nodeId);
  EXPECT_EQ(readFile(nodeId), bytes);
  Reply listing = get(std::string("/current/workspace/") + kWorkspace + "/storage/root/list/");
  ASSERT_EQ(listing.status, 200) << listing.body;
  int named = 0;
  for (const auto& item : listing.json["nodes"]["items"]) named += item["name"] == "same.bin";
  EXPECT_EQ(named, 1) << "a copy was made instead of a new version";
}

TEST_F(UploadRoutesTest, UpdateOfAnUnknownFileIsNotFound) {
  httplib::Params form = with(sessionForm("ghost.txt", 3), "action", "update");
  Reply r = postForm("/current/upload/", with(form, "file_id", "f3b10qttec67075s3kgtmkyf8emxf"));
  EXPECT_EQ(r.status, 404) << r.body;
}

// Opens a chunk request and sends only part of its body, so the server holds it in flight.
class HeldChunk {
 public:
  HeldChunk(int port, const std::string& token, const std::string& id, int order) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    body_ =
        "--XyZ\r\nContent-Disposition: form-data; name=\"chunk\"; filename=\"c\"\r\n"
        "Content-Type: application/octet-stream\r\n\r\n" +
        std::string(kMiB, 'h') + "\r\n--XyZ--\r\n";
    std::string head = "POST /current/upload/" + id + "/chunk/?order=" + std::to_string(order) +
                       " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token +
                       "\r\nContent-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: " +
                       std::to_string(body_.size()) + "\r\nConnection: close\r\n\r\n";
    sendAll(head + body_.substr(0, 1000));
  }
  ~HeldChunk() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool connected() const { return connected_; }
  // Sends the rest and returns the status line.
  std::string finish() {
    sendAll(body_.substr(1000));
    std::string reply;
    char buf[4096];
    ssize_t n;
    while ((n = ::recv(fd_, buf, sizeof buf, 0)) > 0) reply.append(buf, static_cast<size_t>(n));
    return reply.substr(0, reply.find("\r\n"));
  }

 private:
  void sendAll(const std::string& data) {
    std::size_t off = 0;
    while (off < data.size()) {
      ssize_t n = ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return;
      off += static_cast<std::size_t>(n);
    }
  }
  int fd_ = -1;
  bool connected_ = false;
  std::string body_;
};

TEST_F(UploadRoutesTest, AFourthConcurrentChunkIsRefusedWith429) {
  std::string id = createSession("parallel.bin", 4 * kMiB);
  std::vector<std::unique_ptr<HeldChunk>> held;
  for (int order = 1; order <= 3; ++order) {
    held.push_back(std::make_unique<HeldChunk>(emulator->port(), token, id, order));
    ASSERT_TRUE(held.back()->connected());
  }
  // The three requests hold their slots once the server has read their headers.
  Reply fourth;
  auto until = steady_clock::now() + std::chrono::seconds(20);
  do {
    fourth = sendChunk(id, 4, std::string(kMiB, 'x'));
    if (fourth.status == 429) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  } while (steady_clock::now() < until);
  EXPECT_EQ(fourth.status, 429) << fourth.body;
  auto retryAfter = fourth.headers.find("Retry-After");
  ASSERT_NE(retryAfter, fourth.headers.end());
  EXPECT_EQ(retryAfter->second, "1");
  for (auto& h : held) EXPECT_NE(h->finish().find(" 200 "), std::string::npos);
  held.clear();
  EXPECT_EQ(sendChunk(id, 4, std::string(kMiB, 'x')).status, 200);
  Reply details = get("/current/upload/" + id + "/details/");
  EXPECT_EQ(details.json["session"]["chunks"].size(), 4u) << details.body;
}

TEST_F(UploadRoutesTest, FailChunkOrderRejectsThatOrderOnce) {
  ASSERT_EQ(postRoot("/_emulator/faults", R"({"fail_chunk_order": 2})").status, 200);
  std::string bytes = randomBytes(2 * kMiB, 12);
  std::string id = createSession("faulty.bin", bytes.size());
  EXPECT_EQ(sendChunk(id, 1, bytes.substr(0, kMiB)).status, 200);
  Reply failed = sendChunk(id, 2, bytes.substr(kMiB));
  EXPECT_EQ(failed.status, 503) << failed.body;
  Reply details = get("/current/upload/" + id + "/details/");
  EXPECT_EQ(details.json["session"]["chunks"].size(), 1u);
  EXPECT_EQ(sendChunk(id, 2, bytes.substr(kMiB)).status, 200);
  ASSERT_EQ(postForm("/current/upload/" + id + "/complete/", {}).status, 200);
  nlohmann::json session = waitForTerminal(id);
  ASSERT_EQ(session["status"], "stored");
  EXPECT_EQ(readFile(session["new_file_id"]), bytes);
}

TEST_F(UploadRoutesTest, DetailsLongPollWakesOnAStatusChange) {
  std::string id = createSession("polled.bin", 10);
  Reply polled;
  std::thread poller([&] { polled = get("/current/upload/" + id + "/details/?wait=60"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto sent = steady_clock::now();
  ASSERT_EQ(sendChunk(id, 1, "0123456789").status, 200);
  poller.join();
  auto woke = steady_clock::now() - sent;
  ASSERT_EQ(polled.status, 200) << polled.body;
  EXPECT_EQ(polled.json["session"]["status"], "uploading");
  // Woken by the change, not by the 60 s wait running out.
  EXPECT_LT(woke, std::chrono::seconds(30));
}

TEST_F(UploadRoutesTest, StoppingTheServerEndsUploadLongPolls) {
  std::string id = createSession("stopping.bin", 10);
  auto c = client();  // made before the stop: the port goes away with the process
  std::thread poller([&] { c->Get(("/current/upload/" + id + "/details/?wait=120").c_str()); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  // stop() answers -1 when SIGTERM did not end the process within 10 s and it had to be killed.
  EXPECT_EQ(emulator->stop(), 0);
  poller.join();
}

TEST_F(UploadRoutesTest, StatusChangesPublishUploadActivityKeys) {
  Reply me = get("/current/user/me/details/");
  ASSERT_EQ(me.status, 200) << me.body;
  std::string userId = me.json.contains("user") ? me.json["user"]["id"].get<std::string>()
                                                : me.json["id"].get<std::string>();
  std::string since = me.json["server_date"];
  std::string id = createSession("activity.bin", 1);
  bool seen = false;
  for (int i = 0; i < 5 && !seen; ++i) {
    Reply poll = get("/current/activity/poll/" + userId + "/?wait=5&lastactivity=" + since);
    ASSERT_EQ(poll.status, 200) << poll.body;
    seen = poll.body.find("upload:" + id) != std::string::npos;
  }
  EXPECT_TRUE(seen);
}

TEST_F(UploadRoutesTest, CancelForgetsTheSession) {
  std::string id = createSession("cancelled.bin", kMiB);
  ASSERT_EQ(sendChunk(id, 1, randomBytes(kMiB, 13)).status, 200);
  Reply cancelled = del("/current/upload/" + id + "/");
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_EQ(get("/current/upload/" + id + "/details/").status, 404);
  EXPECT_EQ(sendChunk(id, 1, "x").status, 404);
}

TEST_F(UploadRoutesTest, DeleteChunkResetsOneOrder) {
  std::string id = createSession("reset.bin", 2 * kMiB);
  ASSERT_EQ(sendChunk(id, 1, randomBytes(kMiB, 14)).status, 200);
  ASSERT_EQ(sendChunk(id, 2, randomBytes(kMiB, 15)).status, 200);
  Reply r = del("/current/upload/" + id + "/chunk/?order=2");
  ASSERT_EQ(r.status, 200) << r.body;
  Reply details = get("/current/upload/" + id + "/details/");
  EXPECT_EQ(details.json["session"]["chunks"].size(), 1u);
  EXPECT_EQ(del("/current/upload/" + id + "/chunk/?order=2").status, 404);
}

TEST_F(UploadRoutesTest, HyphenatedSessionIdsResolve) {
  std::string id = createSession("hyphen.bin", 1);
  std::string display;
  for (std::size_t i = 0; i < id.size(); ++i) {
    if (i > 0 && i % 5 == 0) display += '-';
    display += static_cast<char>(std::toupper(static_cast<unsigned char>(id[i])));
  }
  EXPECT_EQ(get("/current/upload/" + display + "/details/").status, 200);
}

TEST_F(UploadRoutesTest, ListLimitsAndAlgos) {
  std::string id = createSession("listed.bin", 1);
  Reply list = get("/current/upload/details/");
  ASSERT_EQ(list.status, 200);
  EXPECT_NE(list.body.find(id), std::string::npos);
  Reply limits = get("/current/upload/limits/");
  ASSERT_EQ(limits.status, 200);
  EXPECT_EQ(limits.json["chunk_size"], 100 * kMiB);
  EXPECT_EQ(limits.json["chunks"], 550);
  EXPECT_TRUE(limits.json["size"].is_number());
  EXPECT_TRUE(limits.json["sessions"].is_number());
  EXPECT_TRUE(limits.json["sessions_size_max"].is_number());
  Reply algos = get("/current/upload/algos/");
  ASSERT_EQ(algos.status, 200);
  EXPECT_EQ(algos.json["algos"], nlohmann::json({"md5", "sha1", "sha256", "sha384"}));
}

TEST_F(UploadRoutesTest, BadRequestsGetClearErrors) {
  httplib::Params noName = sessionForm("", 5);
  Reply r = postForm("/current/upload/", noName);
  EXPECT_EQ(r.status, 406) << r.body;
  EXPECT_EQ(r.json["error"]["code"], 1605);

  Reply badSize = postForm("/current/upload/", sessionForm("x", 0));
  EXPECT_EQ(badSize.status, 200);  // an empty file is fine
  EXPECT_EQ(postForm("/current/upload/", with(sessionForm("x", 0), "size", "-4")).status, 406);

  EXPECT_EQ(postForm("/current/upload/", sessionForm("a/b", 3)).status, 406);
  EXPECT_EQ(
      postForm("/current/upload/", with(sessionForm("x", 3), "instance_id", "no-such-ws")).status,
      404);

  EXPECT_EQ(get("/current/upload/unknownsession/details/").status, 404);
  std::string id = createSession("nochunk.bin", 3);
  Reply noChunk =
      postMultipart("/current/upload/" + id + "/chunk/?order=1", {{"something", "else", "", ""}});
  EXPECT_EQ(noChunk.status, 406) << noChunk.body;
  Reply noOrder =
      postMultipart("/current/upload/" + id + "/chunk/", {{"chunk", "abc", "c", "a/b"}});
  EXPECT_EQ(noOrder.status, 406) << noOrder.body;
  EXPECT_EQ(get("/current/upload/" + id + "/details/?wait=soon").status, 406);

  httplib::Client anonymous("127.0.0.1", emulator->port());
  auto res = anonymous.Get("/current/upload/details/");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
}

TEST_F(UploadRoutesTest, CompletingTwiceIsHarmlessAndChunksAfterCompleteConflict) {
  std::string id = createSession("twice.bin", 3);
  ASSERT_EQ(sendChunk(id, 1, "abc").status, 200);
  ASSERT_EQ(postForm("/current/upload/" + id + "/complete/", {}).status, 200);
  nlohmann::json session = waitForTerminal(id);
  ASSERT_EQ(session["status"], "stored");
  EXPECT_EQ(postForm("/current/upload/" + id + "/complete/", {}).status, 200);
  EXPECT_EQ(sendChunk(id, 1, "xyz").status, 409);
}

}  // namespace
}  // namespace fastio::emu::testing
