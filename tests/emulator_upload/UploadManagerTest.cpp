// The upload engine without HTTP: a fake storage records what would be stored.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include "common/Clock.h"
#include "common/ContentDigest.h"
#include "emulator/upload/UploadErrors.h"
#include "emulator/upload/UploadManager.h"
#include "tests/support/TempDir.h"

namespace fastio::emu {
namespace {

namespace fs = std::filesystem;
constexpr std::uint64_t kMiB = 1024 * 1024;

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string randomBytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string out(n, '\0');
  for (auto& c : out) c = static_cast<char>(rng() & 0xff);
  return out;
}

std::string hashOf(const std::string& bytes, HashAlgorithm algo) {
  return digestHex(algo, bytes);
}

class FakeStorage : public UploadStorage {
 public:
  Status checkTarget(const UploadTarget& target) override {
    if (target.instanceId == "missing") return notFound("no such workspace");
    return okStatus();
  }
  Result<StoredFile> store(const UploadTarget& target, const fs::path& content, std::uint64_t size,
                           const std::string& md5) override {
    std::lock_guard lock(mu);
    if (failNext) {
      failNext = false;
      return internalError("disk on fire");
    }
    if (target.ifVersionId == "stale") {
      return apiError(ErrorCode::kConflict, 409, code::kConflict, "CONFLICT_VERSION_MISMATCH:v9");
    }
    std::string bytes = readFile(content);
    EXPECT_EQ(bytes.size(), size);
    if (!md5.empty()) {
      EXPECT_EQ(md5, hashOf(bytes, HashAlgorithm::kMd5));
    }
    std::string id =
        target.action == UploadAction::kUpdate ? target.fileId : "f" + std::to_string(++counter);
    files[id] = bytes;
    ++versions[id];
    return StoredFile{id, "v" + std::to_string(versions[id])};
  }
  std::mutex mu;
  std::map<std::string, std::string> files;
  std::map<std::string, int> versions;
  int counter = 0;
  bool failNext = false;
};

class UploadManagerTest : public ::testing::Test {
 protected:
  void SetUp() override { startManager(); }
  void TearDown() override {
    manager.reset();
    store.reset();
  }
  void startManager() {
    manager.reset();
    store = std::make_unique<UploadSessionStore>(root);
    manager = std::make_unique<UploadManager>(*store, storage, clock, limits);
    manager->setStatusListener([this](const UploadSession& s) {
      std::lock_guard lock(seenMu);
      seen.push_back(std::string(uploadStatusName(s.status)));
    });
    ASSERT_TRUE(manager->start(1).ok());
  }
  NewUpload request(std::uint64_t size, std::string name = "file.bin") {
    NewUpload r;
    r.target.userId = "user1";
    r.target.instanceId = "ws1";
    r.target.name = std::move(name);
    r.size = size;
    return r;
  }
  Result<UploadSession> sendChunk(const std::string& id, int order, const std::string& bytes,
                                  ChunkFields fields = {}) {
    auto receipt = manager->beginChunk("user1", id);
    if (!receipt.ok()) return receipt.error();
    (*receipt)->body().append(bytes.data(), bytes.size());
    fields.order = order;
    return manager->commitChunk(**receipt, fields);
  }
  UploadSession waitSettled(const std::string& id) {
    for (int i = 0; i < 200; ++i) {
      auto s = manager->details("user1", id, std::chrono::seconds(5));
      EXPECT_TRUE(s.ok());
      if (!s.ok() || isTerminal(s->status)) return s.ok() ? *s : UploadSession{};
    }
    ADD_FAILURE() << "session never settled";
    return {};
  }

  fastio::testing::TempDir tempDir{"upload-manager-test"};
  fs::path root = tempDir.path();
  RealClock clock;
  UploadLimits limits;
  FakeStorage storage;
  std::unique_ptr<UploadSessionStore> store;
  std::unique_ptr<UploadManager> manager;
  std::mutex seenMu;
  std::vector<std::string> seen;
};

TEST_F(UploadManagerTest, ChunkedUploadIsAssembledAndStored) {
  std::string data = randomBytes(2 * kMiB + 123, 1);
  auto session = manager->createSession(request(data.size()));
  ASSERT_TRUE(session.ok()) << session.error().describe();
  EXPECT_EQ(session->status, UploadStatus::kReady);
  ASSERT_TRUE(sendChunk(session->id, 2, data.substr(kMiB, kMiB)).ok());
  ASSERT_TRUE(sendChunk(session->id, 1, data.substr(0, kMiB)).ok());
  ASSERT_TRUE(sendChunk(session->id, 3, data.substr(2 * kMiB)).ok());
  auto done = manager->complete("user1", session->id);
  ASSERT_TRUE(done.ok()) << done.error().describe();
  UploadSession final = waitSettled(session->id);
  EXPECT_EQ(final.status, UploadStatus::kStored);
  ASSERT_FALSE(final.newFileId.empty());
  EXPECT_EQ(storage.files[final.newFileId], data);
  // The listener runs just after the status is visible to pollers.
  for (int i = 0; i < 500; ++i) {
    {
      std::lock_guard lock(seenMu);
      if (seen.size() >= 8) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::lock_guard lock(seenMu);
  std::vector<std::string> expected{"ready",    "uploading", "assemble", "assembling",
                                    "complete", "store",     "storing",  "stored"};
  EXPECT_EQ(seen, expected);
}

TEST_F(UploadManagerTest, ChunkHashIsVerified) {
  std::string data = randomBytes(kMiB, 2);
  auto session = manager->createSession(request(data.size()));
  ASSERT_TRUE(session.ok());
  for (HashAlgorithm algo : supportedHashAlgorithms()) {
    ChunkFields good{std::nullopt, data.size(), hashOf(data, algo),
                     std::string(hashAlgorithmName(algo))};
    EXPECT_TRUE(sendChunk(session->id, 1, data, good).ok()) << hashAlgorithmName(algo);
  }
  ChunkFields bad{std::nullopt, std::nullopt, hashOf("other", HashAlgorithm::kSha256), "sha256"};
  auto rejected = sendChunk(session->id, 1, data, bad);
  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.error().httpStatus, 406);
  ChunkFields unknownAlgo{std::nullopt, std::nullopt, "abc", "crc32"};
  EXPECT_EQ(sendChunk(session->id, 1, data, unknownAlgo).error().httpStatus, 406);
}

TEST_F(UploadManagerTest, ResentOrderReplacesTheChunk) {
  std::string first = randomBytes(kMiB, 3), second = randomBytes(kMiB, 4);
  auto session = manager->createSession(request(kMiB));
  ASSERT_TRUE(session.ok());
  ASSERT_TRUE(sendChunk(session->id, 1, first).ok());
  ASSERT_TRUE(sendChunk(session->id, 1, second).ok());
  ASSERT_TRUE(manager->complete("user1", session->id).ok());
  UploadSession final = waitSettled(session->id);
  ASSERT_EQ(final.status, UploadStatus::kStored);
  EXPECT_EQ(storage.files[final.newFileId], second);
}

TEST_F(UploadManagerTest, SizeMismatchFailsAssemblyWith10522) {
  auto session = manager->createSession(request(3 * kMiB));
  ASSERT_TRUE(session.ok());
  ASSERT_TRUE(sendChunk(session->id, 1, randomBytes(kMiB, 5)).ok());
  ASSERT_TRUE(manager->complete("user1", session->id).ok());
  UploadSession final = waitSettled(session->id);
  EXPECT_EQ(final.status, UploadStatus::kAssemblyFailed);
  EXPECT_EQ(final.errorCode, code::kUploadSizeMismatch);
  EXPECT_NE(final.statusMessage.find("declared size"), std::string::npos);
}

TEST_F(UploadManagerTest, OnlyTheLastChunkMayBeSmall) {
  auto session = manager->createSession(request(kMiB + 20));
  ASSERT_TRUE(session.ok());
  ASSERT_TRUE(sendChunk(session->id, 2, randomBytes(10, 6)).ok());
  auto second = sendChunk(session->id, 1, randomBytes(10, 7));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().httpStatus, 406);
}

TEST_F(UploadManagerTest, AGapInTheOrdersFailsAssembly) {
  auto session = manager->createSession(request(2 * kMiB));
  ASSERT_TRUE(session.ok());
  ASSERT_TRUE(sendChunk(session->id, 1, randomBytes(kMiB, 8)).ok());
  ASSERT_TRUE(sendChunk(session->id, 3, randomBytes(kMiB, 9)).ok());
  ASSERT_TRUE(manager->complete("user1", session->id).ok());
  UploadSession final = waitSettled(session->id);
  EXPECT_EQ(final.status, UploadStatus::kAssemblyFailed);
  EXPECT_NE(final.statusMessage.find("chunk 2 is missing"), std::string::npos);
}

TEST_F(UploadManagerTest, AFourthConcurrentChunkIsRefused) {
  auto session = manager->createSession(request(4 * kMiB));
  ASSERT_TRUE(session.ok());
  std::vector<std::unique_ptr<ChunkReceipt>> held;
  for (int i = 0; i < 3; ++i) {
    auto receipt = manager->beginChunk("user1", session->id);
    ASSERT_TRUE(receipt.ok());
    held.push_back(std::move(receipt).value());
  }
  auto fourth = manager->beginChunk("user1", session->id);
  ASSERT_FALSE(fourth.ok());
  EXPECT_EQ(fourth.error().httpStatus, 429);
  EXPECT_FALSE(manager->complete("user1", session->id).ok());  // chunks still in flight
  held.pop_back();
  EXPECT_TRUE(manager->beginChunk("user1", session->id).ok());
}

TEST_F(UploadManagerTest, ChunkOverTheCapIsRefusedAndLeavesNoFile) {
  limits.chunkSizeMax = 2 * kMiB;
  startManager();
  auto session = manager->createSession(request(3 * kMiB));
  ASSERT_TRUE(session.ok());
  auto result = sendChunk(session->id, 1, randomBytes(3 * kMiB, 10));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().httpStatus, 413);
  auto details = manager->details("user1", session->id);
  ASSERT_TRUE(details.ok());
  EXPECT_TRUE(details->chunks.empty());
  std::size_t files = 0;
  for (auto& e : fs::directory_iterator(store->sessionDir(session->id))) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 1u);  // the record only
}

TEST_F(UploadManagerTest, SessionsResumeAfterARestart) {
  std::string data = randomBytes(3 * kMiB, 11);
  auto session = manager->createSession(request(data.size()));
  ASSERT_TRUE(session.ok());
  ASSERT_TRUE(sendChunk(session->id, 1, data.substr(0, kMiB)).ok());
  ASSERT_TRUE(sendChunk(session->id, 2, data.substr(kMiB, kMiB)).ok());
  startManager();
  auto resumed = manager->details("user1", session->id);
  ASSERT_TRUE(resumed.ok());
  EXPECT_EQ(resumed->status, UploadStatus::kUploading);
  EXPECT_EQ(resumed->chunks.size(), 2u);
  EXPECT_EQ(resumed->chunks.at(2), kMiB);
  ASSERT_TRUE(sendChunk(session->id, 3, data.substr(2 * kMiB)).ok());
  ASSERT_TRUE(manager->complete("user1", session->id).ok());
  UploadSession final = waitSettled(session->id);
  ASSERT_EQ(final.status, UploadStatus::kStored);
  EXPECT_EQ(storage.files[final.newFileId], data);
}

TEST_F(UploadManagerTest, AnInterruptedAssemblyRunsAgainAtStartUp) {
  std::string data = randomBytes(kMiB, 12);
  auto session = manager->createSession(request(data.size()));
  ASSERT_TRUE(session.ok());
  ASSERT_TRUE(sendChunk(session->id, 1, data).ok());
  // Simulate a crash right after /complete/ was acknowledged.
  UploadSession record = *manager->details("user1", session->id);
  record.status = UploadStatus::kAssembling;
  manager.reset();
  ASSERT_TRUE(store->save(record).ok());
  startManager();
  UploadSession final = waitSettled(session->id);
  ASSERT_EQ(final.status, UploadStatus::kStored);
  EXPECT_EQ(storage.files[final.newFileId], data);
}

TEST_F(UploadManagerTest, LongPollWakesOnStatusChange) {
  auto session = manager->createSession(request(kMiB));
  ASSERT_TRUE(session.ok());
  std::thread sender([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ASSERT_TRUE(sendChunk(session->id, 1, randomBytes(kMiB, 13)).ok());
  });
  auto polled = manager->details("user1", session->id, std::chrono::seconds(30));
  sender.join();
  ASSERT_TRUE(polled.ok());
  EXPECT_EQ(polled->status, UploadStatus::kUploading);
}

TEST_F(UploadManagerTest, SessionsAreScopedToTheirUser) {
  auto session = manager->createSession(request(1));
  ASSERT_TRUE(session.ok());
  auto other = manager->details("user2", session->id);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().httpStatus, 404);
  EXPECT_TRUE(manager->list("user2").empty());
  EXPECT_EQ(manager->list("user1").size(), 1u);
}

TEST_F(UploadManagerTest, HyphenatedAndUpperCaseIdsResolve) {
  auto session = manager->createSession(request(1));
  ASSERT_TRUE(session.ok());
  std::string display;
  for (std::size_t i = 0; i < session->id.size(); ++i) {
    if (i > 0 && i % 5 == 0) display += '-';
    display += static_cast<char>(std::toupper(static_cast<unsigned char>(session->id[i])));
  }
  EXPECT_TRUE(manager->details("user1", display).ok());
}

TEST_F(UploadManagerTest, CancelRemovesTheSessionAndItsFiles) {
  auto session = manager->createSession(request(kMiB));
  ASSERT_TRUE(session.ok());
  ASSERT_TRUE(sendChunk(session->id, 1, randomBytes(kMiB, 14)).ok());
  ASSERT_TRUE(manager->cancel("user1", session->id).ok());
  EXPECT_FALSE(fs::exists(store->sessionDir(session->id)));
  EXPECT_EQ(manager->details("user1", session->id).error().httpStatus, 404);
}

TEST_F(UploadManagerTest, DeletedChunkIsGoneFromTheMap) {
  auto session = manager->createSession(request(kMiB));
  ASSERT_TRUE(session.ok());
  ASSERT_TRUE(sendChunk(session->id, 1, randomBytes(kMiB, 15)).ok());
  auto after = manager->deleteChunk("user1", session->id, 1);
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->chunks.empty());
  EXPECT_EQ(manager->deleteChunk("user1", session->id, 1).error().httpStatus, 404);
}

TEST_F(UploadManagerTest, SingleCallStoresAtOnce) {
  for (std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{4 * kMiB}}) {
    std::string data = randomBytes(size, 16);
    auto body = manager->newSingleCallBody();
    ASSERT_TRUE(body.ok());
    (*body)->append(data.data(), data.size());
    auto session = manager->storeSingleCall(request(size), **body);
    ASSERT_TRUE(session.ok()) << session.error().describe();
    EXPECT_EQ(session->status, UploadStatus::kStored);
    EXPECT_EQ(storage.files[session->newFileId], data);
  }
}

TEST_F(UploadManagerTest, SingleCallRejectsAWrongSizeAndTooManyBytes) {
  auto body = manager->newSingleCallBody();
  ASSERT_TRUE(body.ok());
  (*body)->append("abc", 3);
  auto wrong = manager->storeSingleCall(request(4), **body);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().remoteCode, code::kUploadSizeMismatch);

  auto big = manager->newSingleCallBody();
  ASSERT_TRUE(big.ok());
  std::string data = randomBytes(4 * kMiB + 1, 17);
  EXPECT_FALSE((*big)->append(data.data(), data.size()));
  auto tooBig = manager->storeSingleCall(request(data.size()), **big);
  ASSERT_FALSE(tooBig.ok());
  EXPECT_EQ(tooBig.error().httpStatus, 413);
}

TEST_F(UploadManagerTest, UpdateKeepsTheNodeId) {
  NewUpload r = request(3);
  r.target.action = UploadAction::kUpdate;
  r.target.fileId = "f-existing";
  auto body = manager->newSingleCallBody();
  ASSERT_TRUE(body.ok());
  (*body)->append("new", 3);
  auto session = manager->storeSingleCall(r, **body);
  ASSERT_TRUE(session.ok());
  EXPECT_EQ(session->newFileId, "f-existing");
}

TEST_F(UploadManagerTest, BadRequestsAreRefusedClearly) {
  NewUpload noSize = request(1);
  noSize.size.reset();
  EXPECT_EQ(manager->createSession(noSize).error().httpStatus, 406);
  EXPECT_EQ(manager->createSession(request(1, "a/b")).error().httpStatus, 406);
  EXPECT_EQ(manager->createSession(request(1, "..")).error().httpStatus, 406);
  EXPECT_EQ(manager->createSession(request(1, std::string("a\0b", 3))).error().httpStatus, 406);
  NewUpload update = request(1);
  update.target.action = UploadAction::kUpdate;
  EXPECT_EQ(manager->createSession(update).error().httpStatus, 406);
  NewUpload missing = request(1);
  missing.target.instanceId = "missing";
  EXPECT_EQ(manager->createSession(missing).error().httpStatus, 404);
  NewUpload badAlgo = request(1);
  badAlgo.hash = "00";
  badAlgo.hashAlgo = "crc";
  EXPECT_EQ(manager->createSession(badAlgo).error().httpStatus, 406);
  EXPECT_EQ(manager->createSession(request(limits.fileSizeMax + 1)).error().httpStatus, 413);
}

TEST_F(UploadManagerTest, WholeFileHashMismatchFailsAssembly) {
  std::string data = randomBytes(kMiB, 18);
  NewUpload r = request(data.size());
  r.hash = hashOf("something else", HashAlgorithm::kSha256);
  r.hashAlgo = "sha256";
  auto session = manager->createSession(r);
  ASSERT_TRUE(session.ok());
  ASSERT_TRUE(sendChunk(session->id, 1, data).ok());
  ASSERT_TRUE(manager->complete("user1", session->id).ok());
  EXPECT_EQ(waitSettled(session->id).status, UploadStatus::kAssemblyFailed);
}

TEST_F(UploadManagerTest, AStorageFailureIsStoreFailed) {
  storage.failNext = true;
  auto session = manager->createSession(request(1));
  ASSERT_TRUE(session.ok());
  ASSERT_TRUE(sendChunk(session->id, 1, "x").ok());
  ASSERT_TRUE(manager->complete("user1", session->id).ok());
  UploadSession final = waitSettled(session->id);
  EXPECT_EQ(final.status, UploadStatus::kStoreFailed);
  EXPECT_NE(final.statusMessage.find("disk on fire"), std::string::npos);
}

TEST_F(UploadManagerTest, ALostVersionCheckEndsAssemblyFailedWithTheCurrentVersion) {
  NewUpload r = request(1);
  r.target.action = UploadAction::kUpdate;
  r.target.fileId = "f-existing";
  r.target.ifVersionId = "stale";
  auto session = manager->createSession(r);
  ASSERT_TRUE(session.ok()) << session.error().describe();
  ASSERT_TRUE(sendChunk(session->id, 1, "x").ok());
  ASSERT_TRUE(manager->complete("user1", session->id).ok());
  UploadSession final = waitSettled(session->id);
  EXPECT_EQ(final.status, UploadStatus::kAssemblyFailed);
  EXPECT_EQ(final.statusMessage, "CONFLICT_VERSION_MISMATCH:v9");
  NewUpload createWithCas = request(1);
  createWithCas.target.ifVersionId = "v1";
  EXPECT_EQ(manager->createSession(createWithCas).error().httpStatus, 406);
}

TEST_F(UploadManagerTest, FinishedSessionsAreForgottenAfterTheRetention) {
  FakeClock fake;
  manager.reset();
  store = std::make_unique<UploadSessionStore>(root);
  limits.finishedRetentionSec = 3600;
  manager = std::make_unique<UploadManager>(*store, storage, fake, limits);
  ASSERT_TRUE(manager->start(1).ok());
  auto session = manager->createSession(request(1));
  ASSERT_TRUE(session.ok());
  ASSERT_TRUE(sendChunk(session->id, 1, "x").ok());
  ASSERT_TRUE(manager->complete("user1", session->id).ok());
  ASSERT_EQ(waitSettled(session->id).status, UploadStatus::kStored);
  auto open = manager->createSession(request(1));  // unfinished: must survive
  ASSERT_TRUE(open.ok());
  fake.advance(std::chrono::hours(2));
  ASSERT_TRUE(manager->createSession(request(1)).ok());  // triggers the pruning
  EXPECT_EQ(manager->details("user1", session->id).error().httpStatus, 404);
  EXPECT_FALSE(fs::exists(store->sessionDir(session->id)));
  EXPECT_TRUE(manager->details("user1", open->id).ok());
}

}  // namespace
}  // namespace fastio::emu
