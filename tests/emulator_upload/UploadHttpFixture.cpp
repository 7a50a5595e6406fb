#include "tests/emulator_upload/UploadHttpFixture.h"

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <random>
#include <thread>

#include "common/ContentDigest.h"

namespace fastio::emu::testing {

namespace fs = std::filesystem;

namespace {

Reply toReply(const httplib::Result& res) {
  Reply r;
  if (!res) return r;
  r.status = res->status;
  r.body = res->body;
  r.headers = res->headers;
  r.json = nlohmann::json::parse(res->body, nullptr, false);
  if (r.json.is_discarded()) r.json = nlohmann::json::object();
  return r;
}

}  // namespace

std::string randomBytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string out(n, '\0');
  for (auto& c : out) c = static_cast<char>(rng() & 0xff);
  return out;
}

std::string hexDigest(const std::string& bytes, const std::string& algo) {
  return digestHex(*parseHashAlgorithm(algo), bytes);
}

void UploadHttpTest::SetUp() {
  fs::create_directories(seedDir.path() / kWorkspace);
  std::ofstream(seedDir.path() / kWorkspace / "readme.txt") << "seeded\n";
  fastio::testing::EmulatorOptions options;
  options.token = token;
  options.seedDir = seedDir.path();
  options.extraArgs = {"--oauth-auto-approve", "--log-level", "warn"};
  emulator = std::make_unique<fastio::testing::EmulatorProcess>(options);
  ASSERT_TRUE(emulator->running());
}

void UploadHttpTest::TearDown() {
  emulator.reset();
}

void UploadHttpTest::crashAndRestart() {
  emulator->kill9();
  emulator->restart();
  ASSERT_TRUE(emulator->running());
}

std::unique_ptr<httplib::Client> UploadHttpTest::client() const {
  return emulator->client();
}

Reply UploadHttpTest::get(const std::string& path) const {
  return toReply(client()->Get(path.c_str()));
}

Reply UploadHttpTest::postForm(const std::string& path, const httplib::Params& form) const {
  return toReply(client()->Post(path.c_str(), form));
}

Reply UploadHttpTest::postMultipart(const std::string& path,
                                    const httplib::MultipartFormDataItems& items) const {
  return toReply(client()->Post(path.c_str(), items));
}

Reply UploadHttpTest::del(const std::string& path) const {
  return toReply(client()->Delete(path.c_str()));
}

Reply UploadHttpTest::postRoot(const std::string& path, const std::string& json) const {
  return toReply(client()->Post(path.c_str(), json, "application/json"));
}

std::string UploadHttpTest::createSession(const std::string& name, std::uint64_t size,
                                          const httplib::Params& extra) const {
  httplib::Params form{{"name", name},
                       {"size", std::to_string(size)},
                       {"instance_id", kWorkspace},
                       {"folder_id", "root"},
                       {"profile_type", "workspace"}};
  for (const auto& [k, v] : extra) form.emplace(k, v);
  if (!form.count("action")) form.emplace("action", "create");
  Reply r = postForm("/current/upload/", form);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(r.json.contains("new_file_id")) << "a session, not a single call";
  return r.json.value("id", "");
}

Reply UploadHttpTest::sendChunk(const std::string& id, int order, const std::string& bytes,
                                const std::string& hash, const std::string& algo) const {
  std::string path = "/current/upload/" + id + "/chunk/?order=" + std::to_string(order) +
                     "&size=" + std::to_string(bytes.size());
  if (!hash.empty()) path += "&hash=" + hash + "&hash_algo=" + algo;
  return postMultipart(path, {{"chunk", bytes, "chunk.bin", "application/octet-stream"}});
}

nlohmann::json UploadHttpTest::waitForTerminal(const std::string& id) const {
  for (int i = 0; i < 60; ++i) {
    Reply r = get("/current/upload/" + id + "/details/?wait=5");
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) return {};
    std::string status = r.json["session"].value("status", "");
    if (status == "stored" || status == "assembly_failed" || status == "store_failed") {
      return r.json["session"];
    }
  }
  ADD_FAILURE() << "upload " << id << " never finished";
  return {};
}

std::optional<std::string> UploadHttpTest::readFile(const std::string& nodeId) const {
  auto res = client()->Get(
      (std::string("/current/workspace/") + kWorkspace + "/storage/" + nodeId + "/read/").c_str());
  if (!res || res->status != 200) {
    ADD_FAILURE() << "read of " << nodeId << " failed: " << (res ? res->body : "no response");
    return std::nullopt;
  }
  return res->body;
}

}  // namespace fastio::emu::testing
