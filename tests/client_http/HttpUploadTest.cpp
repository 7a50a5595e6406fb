// HttpRemoteStore uploads against a scripted transport (no network): the single call, chunked
// sessions (retries, resume, the observer), compare-and-swap, cancelling sessions we give up,
// and reading back a stored file that shows late.

#include <gtest/gtest.h>

#include <cstring>
#include <mutex>
#include <optional>
#include <set>

#include "common/ContentDigest.h"
#include "tests/client_http/HttpStoreFixture.h"

namespace fastio::http {
namespace {

using testing::ScriptedReply;
using testing::SentRequest;
using testsupport::Fixture;
using testsupport::html503;
using testsupport::nodeJson;
using testsupport::ok;
using testsupport::sampleContent;

ByteSource sourceOver(const std::string& data) {
  return [&data](uint64_t offset, char* out, size_t length) -> Result<size_t> {
    if (offset >= data.size()) return size_t{0};
    const size_t n = std::min<uint64_t>(length, data.size() - offset);
    std::memcpy(out, data.data() + offset, n);
    return n;
  };
}

class RecordingObserver : public UploadObserver {
 public:
  void onSessionCreated(const std::string& id, uint64_t chunkSize) override {
    std::lock_guard lock(mu);
    sessionId = id;
    this->chunkSize = chunkSize;
  }
  void onChunkAcknowledged(uint32_t order, uint64_t bytes) override {
    std::lock_guard lock(mu);
    acked[order] = bytes;
  }
  void onBytesSent(uint64_t total) override {
    std::lock_guard lock(mu);
    EXPECT_GE(total, lastTotal);
    lastTotal = total;
  }
  std::mutex mu;
  std::string sessionId;
  uint64_t chunkSize = 0;
  std::map<uint32_t, uint64_t> acked;
  uint64_t lastTotal = 0;
};

TEST(HttpStoreUpload, SmallFileIsOneMultipartCall) {
  const std::string data = sampleContent(1000);
  Fixture f([&](const SentRequest& r) {
    if (r.path() == "/upload/") {
      EXPECT_EQ(r.parts.at("name"), "notes.txt");
      EXPECT_EQ(r.parts.at("size"), "1000");
      EXPECT_EQ(r.parts.at("action"), "create");
      EXPECT_EQ(r.parts.at("instance_id"), "ws");
      EXPECT_EQ(r.parts.at("folder_id"), "d1");
      EXPECT_EQ(r.parts.at("profile_type"), "workspace");
      EXPECT_EQ(r.parts.at("chunk"), data);
      EXPECT_EQ(r.parts.count("file_id"), 0u);
      return ok(R"({"result":true,"id":"U1","new_file_id":"F1"})");
    }
    return ok(R"({"result":true,"node":)" + nodeJson("f1", "notes.txt", 1000) + "}");
  });
  UploadRequest req;
  req.workspaceId = "ws";
  req.parentId = "d1";
  req.name = "notes.txt";
  req.size = data.size();
  RecordingObserver obs;
  Result<UploadResult> r = f.store->upload(req, sourceOver(data), &obs, f.deadline());
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->node.id, "f1");
  EXPECT_EQ(r->node.version, "v-f1");
  EXPECT_TRUE(r->sessionId.empty());
  EXPECT_EQ(obs.lastTotal, 1000u);
}

TEST(HttpStoreUpload, ExactlyFourMiBIsStillOneCallAndUpdatesKeepTheNode) {
  const std::string data = sampleContent(4 * 1024 * 1024);
  Fixture f([&](const SentRequest& r) {
    if (r.path() == "/upload/") {
      EXPECT_EQ(r.parts.at("action"), "update");
      EXPECT_EQ(r.parts.at("file_id"), "f9");
      EXPECT_EQ(r.parts.at("chunk").size(), data.size());
      return ok(R"({"result":true,"response":{"id":"U1","new_file_id":"f9"}})");
    }
    return ok(R"({"result":true,"node":)" + nodeJson("f9", "big.bin", data.size()) + "}");
  });
  UploadRequest req;
  req.workspaceId = "ws";
  req.name = "big.bin";
  req.size = data.size();
  req.existingFileId = "f9";
  Result<UploadResult> r = f.store->upload(req, sourceOver(data), nullptr, f.deadline());
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(f.transport.count("/upload/"), 1u + 0u);
}

// A scripted upload service: sessions with a chunks map, optional failures.
struct FakeUploadService {
  std::mutex mu;
  std::string data;  // what the client should send
  std::map<uint32_t, std::string> chunks;
  std::set<uint32_t> failOnce;
  int detailsPolls = 0;
  bool completed = false;
  bool sessionGone = false;
  int sessionsCreated = 0;
  std::string createBody;                     // the form of the session creation
  std::optional<ScriptedReply> refuseCreate;  // the answer to the session creation instead
  std::set<uint32_t> failAlways;              // these orders always get a 503
  std::set<uint32_t> refuse;                  // these orders get a 406
  std::string failStatus;                     // the session ends in this state after complete
  std::string failMessage = "CONFLICT_VERSION_MISMATCH:v7";
  int hiddenNodeDetails = 0;  // node details answer 404 this many times after storing
  bool cancelled = false;     // DELETE /upload/S1/ was received

  ScriptedReply handle(const SentRequest& r) {
    std::lock_guard lock(mu);
    const std::string p = r.path();
    if (p == "/upload/limits/") return ok(R"({"result":true,"chunk_size":4194304,"chunks":550})");
    if (p == "/upload/" && r.method == http::HttpMethod::kPost) {
      ++sessionsCreated;
      createBody = r.body;
      EXPECT_NE(r.body.find("size=" + std::to_string(data.size())), std::string::npos);
      if (refuseCreate) return *refuseCreate;
      return ok(R"({"result":true,"id":"S1"})");
    }
    if (p == "/upload/S1/" && r.method == http::HttpMethod::kDelete) {
      cancelled = true;
      return ok(R"({"result":true,"id":"S1","status":"cancelled"})");
    }
    if (p == "/upload/S1/chunk/") {
      const uint32_t order = static_cast<uint32_t>(std::stoul(r.query("order")));
      EXPECT_EQ(r.query("size"), std::to_string(r.parts.at("chunk").size()));
      EXPECT_EQ(r.parts.at("hash"), digestHex(HashAlgorithm::kSha256, r.parts.at("chunk")));
      EXPECT_EQ(r.parts.at("hash_algo"), "sha256");
      if (failOnce.erase(order) || failAlways.count(order)) return html503();
      if (refuse.count(order)) {
        return ScriptedReply::json(406, R"({"result":false,"error":{"code":1605,"text":"no"}})");
      }
      chunks[order] = r.parts.at("chunk");
      return ok(R"({"result":true})");
    }
    if (p == "/upload/S1/complete/") {
      completed = true;
      return ok(R"({"result":true})");
    }
    if (p == "/upload/S1/details/") {
      if (sessionGone) {
        return ScriptedReply::json(404, R"({"result":false,"error":{"code":1609,"text":"gone"}})");
      }
      ++detailsPolls;
      std::string map;
      for (auto& [order, bytes] : chunks) {
        if (!map.empty()) map += ",";
        map += "\"" + std::to_string(order) + "\":" + std::to_string(bytes.size());
      }
      std::string status = completed ? (detailsPolls > 2 ? "stored" : "assembling") : "uploading";
      if (completed && !failStatus.empty()) status = failStatus;
      const std::string message = completed && !failStatus.empty() ? failMessage : "";
      return ok(R"({"result":true,"session":{"id":"S1","status":")" + status +
                R"(","status_message":")" + message + R"(","new_file_id":)" +
                (status == "stored" ? "\"F1\"" : "null") + R"(,"chunks":{)" + map + "}}}");
    }
    if (p.find("/details/") != std::string::npos) {
      if (hiddenNodeDetails > 0) {
        --hiddenNodeDetails;
        return ScriptedReply::json(404, R"({"result":"no","error":{"code":133123,"text":"no"}})");
      }
      return ok(R"({"result":true,"node":)" + nodeJson("f1", "big.bin", data.size()) + "}");
    }
    ADD_FAILURE() << "unexpected request " << p;
    return ScriptedReply::json(404, "{}");
  }
  std::string assembled() {
    std::lock_guard lock(mu);
    std::string out;
    for (auto& [order, bytes] : chunks) out += bytes;
    return out;
  }
};

UploadRequest bigRequest(const std::string& data) {
  UploadRequest req;
  req.workspaceId = "ws";
  req.name = "big.bin";
  req.size = data.size();
  return req;
}

TEST(HttpStoreUpload, ChunkedSessionWithAFailedChunkRetriedOnItsOwn) {
  FakeUploadService service;
  service.data = sampleContent(10 * 1024 * 1024 + 5);
  service.failOnce = {2};
  HttpRemoteStoreOptions options;
  options.preferredChunkSize = 4 * 1024 * 1024;
  Fixture f([&](const SentRequest& r) { return service.handle(r); }, options);
  RecordingObserver obs;
  Result<UploadResult> r =
      f.store->upload(bigRequest(service.data), sourceOver(service.data), &obs, f.deadline());
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->sessionId, "S1");
  EXPECT_EQ(r->node.id, "f1");
  EXPECT_EQ(service.assembled(), service.data);
  EXPECT_EQ(obs.sessionId, "S1");
  EXPECT_EQ(obs.chunkSize, 4u * 1024 * 1024);
  EXPECT_EQ(obs.acked.size(), 3u);
  EXPECT_EQ(obs.acked.at(3), 2u * 1024 * 1024 + 5);
  EXPECT_EQ(obs.lastTotal, service.data.size());
  EXPECT_EQ(f.transport.count("/upload/S1/chunk/"), 4u);
  EXPECT_EQ(f.transport.count("/upload/S1/complete/"), 1u);
}

TEST(HttpStoreUpload, ResumeSendsOnlyTheMissingChunks) {
  FakeUploadService service;
  service.data = sampleContent(9 * 1024 * 1024);
  service.chunks[1] = service.data.substr(0, 4 * 1024 * 1024);
  // A chunk whose acknowledged size is wrong is sent again.
  service.chunks[3] = "short";
  Fixture f([&](const SentRequest& r) { return service.handle(r); });
  UploadRequest req = bigRequest(service.data);
  req.resumeSessionId = "S1";
  req.resumeChunkSize = 4 * 1024 * 1024;
  Result<UploadResult> r = f.store->upload(req, sourceOver(service.data), nullptr, f.deadline());
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(service.assembled(), service.data);
  EXPECT_EQ(f.transport.count("/upload/S1/chunk/"), 2u);
  EXPECT_EQ(service.sessionsCreated, 0);
}

TEST(HttpStoreUpload, ResumeOfAVanishedSessionIsNotFound) {
  FakeUploadService service;
  service.data = sampleContent(5 * 1024 * 1024);
  service.sessionGone = true;
  Fixture f([&](const SentRequest& r) { return service.handle(r); });
  UploadRequest req = bigRequest(service.data);
  req.resumeSessionId = "S1";
  req.resumeChunkSize = 4 * 1024 * 1024;
  Result<UploadResult> r = f.store->upload(req, sourceOver(service.data), nullptr, f.deadline());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service.sessionsCreated, 0);
  EXPECT_EQ(f.transport.count("/upload/S1/chunk/"), 0u);
}

TEST(HttpStoreUpload, AVersionConflictAtAssemblyIsAConflict) {
  FakeUploadService service;
  service.data = sampleContent(5 * 1024 * 1024);
  service.failStatus = "assembly_failed";
  Fixture f([&](const SentRequest& r) { return service.handle(r); });
  Result<UploadResult> r =
      f.store->upload(bigRequest(service.data), sourceOver(service.data), nullptr, f.deadline());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  EXPECT_TRUE(service.cancelled) << "a failed session is cancelled";
}

TEST(HttpStoreUpload, AShortSourceFailsAndNeverCompletes) {
  FakeUploadService service;
  service.data = sampleContent(6 * 1024 * 1024);
  const std::string truncated = service.data.substr(0, 5 * 1024 * 1024);
  Fixture f([&](const SentRequest& r) { return service.handle(r); });
  Result<UploadResult> r =
      f.store->upload(bigRequest(service.data), sourceOver(truncated), nullptr, f.deadline());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kIo);
  EXPECT_FALSE(service.completed);
  EXPECT_TRUE(service.cancelled) << "a session whose source failed is cancelled";
}

TEST(HttpStoreUpload, ASourceErrorKeepsItsCode) {
  Fixture f([](const SentRequest&) { return ok(R"({"result":true})"); });
  ByteSource failing = [](uint64_t, char*, size_t) -> Result<size_t> {
    return makeError(ErrorCode::kStale, "file changed");
  };
  UploadRequest req;
  req.workspaceId = "ws";
  req.name = "x";
  req.size = 10;
  Result<UploadResult> r = f.store->upload(req, failing, nullptr, f.deadline());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kStale);
  EXPECT_TRUE(f.transport.sent().empty());
}

TEST(HttpStoreUpload, ChunkSizeRespectsPlanBoundsAndTheChunkLimit) {
  Fixture f([](const SentRequest&) { return ok("{}"); });
  UploadLimits limits;
  limits.chunkSize = 100ull << 20;
  limits.maxChunksPerSession = 35;
  // 1 GiB in at most 35 chunks: at least 30.7 MB each.
  Result<uint64_t> c = f.store->chooseChunkSize(1ull << 30, limits);
  ASSERT_TRUE(c.ok());
  EXPECT_GE(*c * 35, 1ull << 30);
  EXPECT_LE(*c, 100ull << 20);
  // Small files keep the preferred size.
  EXPECT_EQ(*f.store->chooseChunkSize(50ull << 20, limits), 16ull << 20);
  // A plan chunk size below the documented minimum is raised to 1 MiB.
  limits.chunkSize = 1000;
  limits.maxChunksPerSession = 550;
  EXPECT_EQ(*f.store->chooseChunkSize(10ull << 20, limits), 1ull << 20);
  // Too big for the chunk limit, or the plan's file size limit.
  limits.chunkSize = 100ull << 20;
  limits.maxChunksPerSession = 35;
  EXPECT_EQ(f.store->chooseChunkSize(4000ull << 20, limits).error().code, ErrorCode::kTooLarge);
  limits.maxFileSize = 1ull << 30;
  EXPECT_EQ(f.store->chooseChunkSize((1ull << 30) + 1, limits).error().code, ErrorCode::kTooLarge);
}

// --- compare-and-swap ---

UploadRequest casRequest(const std::string& data) {
  UploadRequest req = bigRequest(data);
  req.existingFileId = "f1";
  req.ifVersionId = "v-old";
  return req;
}

TEST(HttpStoreUploadCas, AChunkedSessionIsCreatedWithIfVersionId) {
  FakeUploadService service;
  service.data = sampleContent(5 * 1024 * 1024);
  Fixture f([&](const SentRequest& r) { return service.handle(r); });
  Result<UploadResult> r =
      f.store->upload(casRequest(service.data), sourceOver(service.data), nullptr, f.deadline());
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_NE(service.createBody.find("action=update"), std::string::npos);
  EXPECT_NE(service.createBody.find("file_id=f1"), std::string::npos);
  EXPECT_NE(service.createBody.find("if_version_id=v-old"), std::string::npos);
}

TEST(HttpStoreUploadCas, AStaleVersionRefusedAtSessionCreationIsAConflict) {
  FakeUploadService service;
  service.data = sampleContent(5 * 1024 * 1024);
  service.refuseCreate = ScriptedReply::json(
      409, R"({"result":false,"error":{"text":"changed","params":[{"name":"if_version_id",)"
           R"("reason":"conflict_version_mismatch","current_version_id":"v-new"}]}})");
  Fixture f([&](const SentRequest& r) { return service.handle(r); });
  RecordingObserver obs;
  Result<UploadResult> r =
      f.store->upload(casRequest(service.data), sourceOver(service.data), &obs, f.deadline());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  EXPECT_TRUE(obs.sessionId.empty());
  EXPECT_EQ(f.transport.count("/upload/S1/"), 0u);
}

TEST(HttpStoreUploadCas, ASingleCallCarriesIfVersionIdAndAStaleOneIsAConflict) {
  const std::string data = sampleContent(1000);
  Fixture f([&](const SentRequest& r) {
    if (r.path() == "/upload/") {
      EXPECT_EQ(r.parts.at("if_version_id"), "v-old");
      EXPECT_EQ(r.parts.at("file_id"), "f1");
      return ScriptedReply::json(409, R"({"result":false,"error":{"code":1660,"text":"changed"}})");
    }
    // The node holds someone else's bytes.
    return ok(R"({"result":true,"node":)" + nodeJson("f1", "big.bin", 999) + "}");
  });
  Result<UploadResult> r =
      f.store->upload(casRequest(data), sourceOver(data), nullptr, f.deadline());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
}

TEST(HttpStoreUploadCas, AReplayedSingleCallThatHadLandedIsNotAConflict) {
  const std::string data = sampleContent(1000);
  int uploads = 0;
  Fixture f([&](const SentRequest& r) {
    if (r.path() == "/upload/") {
      // The first try went through but its answer was lost; the replay meets our own version.
      if (uploads++ == 0) return ScriptedReply::failure(ErrorCode::kUnavailable, "reset");
      return ScriptedReply::json(409, R"({"result":false,"error":{"code":1660,"text":"changed"}})");
    }
    return ok(R"({"result":true,"node":{"id":"f1","name":"big.bin","type":"file","size":1000,)"
              R"("version":"v-ours","hash":")" +
              digestHex(HashAlgorithm::kMd5, data) + R"(","hash_algo":"md5"}})");
  });
  Result<UploadResult> r =
      f.store->upload(casRequest(data), sourceOver(data), nullptr, f.deadline());
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->node.version, "v-ours");
  EXPECT_EQ(uploads, 2);
}

TEST(HttpStoreUploadCas, NeedsAnExistingFile) {
  Fixture f([](const SentRequest&) { return ok(R"({"result":true})"); });
  UploadRequest req;
  req.workspaceId = "ws";
  req.name = "x";
  req.size = 1;
  req.ifVersionId = "v1";
  Result<UploadResult> r = f.store->upload(req, sourceOver("x"), nullptr, f.deadline());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalid);
  EXPECT_TRUE(f.transport.sent().empty());
}

// --- sessions we give up are cancelled; acknowledged means acknowledged ---

TEST(HttpStoreUploadCancel, ARefusedChunkEndsTheSessionAndIsNeverAcknowledged) {
  FakeUploadService service;
  service.data = sampleContent(10 * 1024 * 1024);
  service.refuse = {2};
  HttpRemoteStoreOptions options;
  options.preferredChunkSize = 4 * 1024 * 1024;
  options.chunksInFlight = 1;  // in order, so chunk 3 is never attempted
  Fixture f([&](const SentRequest& r) { return service.handle(r); }, options);
  RecordingObserver obs;
  Result<UploadResult> r =
      f.store->upload(bigRequest(service.data), sourceOver(service.data), &obs, f.deadline());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalid);
  EXPECT_EQ(obs.acked.count(1), 1u);
  EXPECT_EQ(obs.acked.count(2), 0u);
  EXPECT_EQ(obs.acked.count(3), 0u);
  EXPECT_TRUE(service.cancelled);
  EXPECT_FALSE(service.completed);
}

TEST(HttpStoreUploadCancel, ATransientChunkFailureKeepsTheSessionForAResume) {
  FakeUploadService service;
  service.data = sampleContent(10 * 1024 * 1024);
  service.failAlways = {2};
  HttpRemoteStoreOptions options;
  options.preferredChunkSize = 4 * 1024 * 1024;
  Fixture f([&](const SentRequest& r) { return service.handle(r); }, options);
  RecordingObserver obs;
  Result<UploadResult> r =
      f.store->upload(bigRequest(service.data), sourceOver(service.data), &obs, f.deadline());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(obs.acked.count(2), 0u);
  EXPECT_FALSE(service.cancelled);
  EXPECT_EQ(obs.sessionId, "S1");
}

TEST(HttpStoreUploadCancel, AFailedStoreCancelsTheSession) {
  FakeUploadService service;
  service.data = sampleContent(5 * 1024 * 1024);
  service.failStatus = "store_failed";
  service.failMessage = "the folder is gone";
  Fixture f([&](const SentRequest& r) { return service.handle(r); });
  Result<UploadResult> r =
      f.store->upload(bigRequest(service.data), sourceOver(service.data), nullptr, f.deadline());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(service.cancelled);
}

TEST(HttpStoreUploadCancel, AStoreFailedForAMissingNodeIsNotFoundNotOffline) {
  FakeUploadService service;
  service.data = sampleContent(5 * 1024 * 1024);
  service.failStatus = "store_failed";
  service.failMessage = "The node f3b27f8v5zts0zfwctqd9kcm047ba was not found.";
  Fixture f([&](const SentRequest& r) { return service.handle(r); });
  Result<UploadResult> r =
      f.store->upload(bigRequest(service.data), sourceOver(service.data), nullptr, f.deadline());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound) << r.error().describe();
  EXPECT_TRUE(service.cancelled);
}

TEST(HttpStoreUploadCancel, CancelDeletesTheSessionAndAnUnknownOneCountsAsDone) {
  Fixture f([](const SentRequest& r) {
    EXPECT_EQ(r.method, HttpMethod::kDelete);
    if (r.path() == "/upload/S1/") return ok(R"({"result":true,"status":"cancelled"})");
    return ScriptedReply::json(404, R"({"result":false,"error":{"code":1609,"text":"gone"}})");
  });
  EXPECT_TRUE(f.store->cancelUpload("S1", f.deadline()).ok());
  EXPECT_TRUE(f.store->cancelUpload("S2", f.deadline()).ok());
  EXPECT_EQ(f.transport.count("/upload/S"), 2u);
}

// --- a stored file is never a failure ---

TEST(HttpStoreUploadStored, ANodeThatShowsLateIsReadBackWithItsVersion) {
  FakeUploadService service;
  service.data = sampleContent(5 * 1024 * 1024);
  service.hiddenNodeDetails = 3;
  Fixture f([&](const SentRequest& r) { return service.handle(r); });
  Result<UploadResult> r =
      f.store->upload(bigRequest(service.data), sourceOver(service.data), nullptr, f.deadline());
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->node.version, "v-f1");
  EXPECT_EQ(f.transport.count("/workspace/ws/storage/f1/details/"), 4u);
  EXPECT_GT(f.clock.slept(), Duration::zero()) << "retries back off";
}

TEST(HttpStoreUploadStored, ANodeThatNeverShowsIsStillASuccessWithoutAVersion) {
  FakeUploadService service;
  service.data = sampleContent(5 * 1024 * 1024);
  service.hiddenNodeDetails = 1000000;
  Fixture f([&](const SentRequest& r) { return service.handle(r); });
  UploadRequest req = bigRequest(service.data);
  req.parentId = "d7";
  Result<UploadResult> r = f.store->upload(req, sourceOver(service.data), nullptr, f.deadline());
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->node.id, "f1");
  EXPECT_EQ(r->node.name, "big.bin");
  EXPECT_EQ(r->node.type, NodeType::kFile);
  EXPECT_EQ(r->node.size, service.data.size());
  EXPECT_EQ(r->node.parentId, "d7");
  EXPECT_TRUE(r->node.version.empty());
  EXPECT_EQ(r->sessionId, "S1");
  EXPECT_FALSE(service.cancelled);
}

TEST(HttpStoreUploadStored, ASingleCallStoredButNotVisibleBeforeTheDeadlineIsASuccess) {
  const std::string data = sampleContent(100);
  Fixture f([&](const SentRequest& r) {
    if (r.path() == "/upload/") return ok(R"({"result":true,"id":"U1","new_file_id":"F5"})");
    return ScriptedReply::json(404, R"({"result":"no","error":{"code":133123,"text":"no"}})");
  });
  UploadRequest req;
  req.workspaceId = "ws";
  req.name = "late.txt";
  req.size = data.size();
  req.existingFileId = "f5";
  Result<UploadResult> r = f.store->upload(req, sourceOver(data), nullptr, f.deadline());
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->node.id, "f5");
  EXPECT_TRUE(r->node.version.empty());
  EXPECT_TRUE(r->node.parentId.empty()) << "an update does not know the parent";
}

}  // namespace
}  // namespace fastio::http
