#include "emulator/upload/UploadManager.h"

#include <algorithm>

#include "common/ContentDigest.h"
#include "common/Log.h"
#include "common/NameRules.h"
#include "emulator/http/OpaqueId.h"
#include "emulator/upload/ChunkAssembler.h"
#include "emulator/upload/UploadErrors.h"

namespace fastio::emu {

namespace fs = std::filesystem;

namespace {

bool isAssemblyStage(UploadStatus s) {
  return s == UploadStatus::kAssemble || s == UploadStatus::kAssembling;
}

bool isStoreStage(UploadStatus s) {
  return s == UploadStatus::kComplete || s == UploadStatus::kStore || s == UploadStatus::kStoring;
}

std::string statusConflictMessage(const UploadSession& s) {
  return "upload session " + s.id + " is " + std::string(uploadStatusName(s.status));
}

Status validateName(const std::string& name) {
  if (name.empty()) return invalidInput("name is required");
  if (auto problem = names::nodeNameProblem(name)) return invalidInput(problem->reason);
  return okStatus();
}

}  // namespace

std::string normalizeUploadId(std::string_view id) {
  if (auto normalized = normalizeOpaqueId(id)) return *normalized;
  return std::string(id);  // not an id at all: it will simply not be found
}

std::string newUploadId() {
  return newOpaqueId('u');
}

// ---- ChunkReceipt ------------------------------------------------------------------------

ChunkReceipt::ChunkReceipt(UploadManager* manager, std::string userId, std::string sessionId,
                           std::unique_ptr<ChunkFileWriter> body)
    : manager_(manager),
      userId_(std::move(userId)),
      sessionId_(std::move(sessionId)),
      body_(std::move(body)) {}

ChunkReceipt::~ChunkReceipt() {
  body_.reset();  // removes an uncommitted temp file
  manager_->releaseSlot(sessionId_);
}

// ---- life cycle --------------------------------------------------------------------------

UploadManager::UploadManager(UploadSessionStore& store, UploadStorage& storage, Clock& clock,
                             UploadLimits limits)
    : store_(store), storage_(storage), clock_(clock), limits_(limits) {}

UploadManager::~UploadManager() {
  stop();
}

void UploadManager::setStatusListener(StatusListener listener) {
  listener_ = std::move(listener);
}

Status UploadManager::start(int assemblyWorkers) {
  FASTIO_TRY(store_.open());
  FASTIO_TRY_ASSIGN(auto loaded, store_.loadAll());
  {
    std::lock_guard lock(mu_);
    for (auto& session : loaded) {
      if (session.status == UploadStatus::kReady && !session.chunks.empty()) {
        session.status = UploadStatus::kUploading;
      }
      bool assembledKept = fs::exists(store_.assembledPath(session.id));
      if (isStoreStage(session.status) && !assembledKept && !stopsAtComplete(session)) {
        session.status = UploadStatus::kAssemble;  // assembled file lost: assemble again
      }
      bool resume = isAssemblyStage(session.status) ||
                    (isStoreStage(session.status) && !stopsAtComplete(session));
      auto entry = std::make_shared<Entry>();
      entry->session = std::move(session);
      if (resume) assemblyQueue_.push_back(entry->session.id);
      sessions_[entry->session.id] = std::move(entry);
    }
    stopping_ = false;
  }
  FASTIO_LOG_INFO("upload sessions loaded: {} ({} resuming assembly)", loaded.size(),
                  assemblyQueue_.size());
  for (int i = 0; i < std::max(1, assemblyWorkers); ++i) {
    workers_.emplace_back([this] { workerLoop(); });
  }
  return okStatus();
}

void UploadManager::stop() {
  std::lock_guard stopLock(stopMu_);
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  changed_.notify_all();
  queued_.notify_all();
  for (auto& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
  workers_.clear();
}

// ---- helpers -----------------------------------------------------------------------------

std::int64_t UploadManager::nowEpoch() const {
  return std::chrono::duration_cast<std::chrono::seconds>(clock_.wallNow().time_since_epoch())
      .count();
}

bool UploadManager::stopsAtComplete(const UploadSession& session) const {
  return session.target.instanceId.empty();
}

Result<UploadManager::EntryPtr> UploadManager::find(const std::string& userId,
                                                    std::string_view sessionId) {
  std::string id = normalizeUploadId(sessionId);
  std::lock_guard lock(mu_);
  auto it = sessions_.find(id);
  if (it == sessions_.end() || it->second->session.target.userId != userId) {
    return sessionNotFound(std::string(sessionId));
  }
  return it->second;
}

Status UploadManager::validateNew(const NewUpload& request, bool singleCall) {
  const UploadTarget& t = request.target;
  FASTIO_TRY(validateName(t.name));
  if (!request.size) return invalidInput("size is required (the file's total bytes)");
  if (*request.size > limits_.fileSizeMax) {
    return uploadLimit(ErrorCode::kTooLarge, 413,
                       "size " + std::to_string(*request.size) + " is over the " +
                           std::to_string(limits_.fileSizeMax) + "-byte file limit");
  }
  if (singleCall && *request.size > limits_.singleCallMax) {
    return uploadLimit(ErrorCode::kTooLarge, 413,
                       "a single-call upload holds at most " +
                           std::to_string(limits_.singleCallMax) + " bytes; use a chunked session");
  }
  if (!singleCall &&
      *request.size > limits_.chunkSizeMax * static_cast<std::uint64_t>(limits_.maxChunks)) {
    return uploadLimit(ErrorCode::kTooLarge, 413,
                       "size does not fit in " + std::to_string(limits_.maxChunks) + " chunks");
  }
  if (t.profileType != "workspace") {
    return invalidInput("profile_type must be workspace (shares are not emulated)");
  }
  if (t.action == UploadAction::kUpdate && t.fileId.empty()) {
    return invalidInput("file_id is required with action=update");
  }
  if (!t.ifVersionId.empty() && t.action != UploadAction::kUpdate) {
    return invalidInput("if_version_id needs action=update and file_id");
  }
  if ((singleCall || t.action == UploadAction::kUpdate) && t.instanceId.empty()) {
    return invalidInput("instance_id is required");
  }
  if (!request.hash.empty() && !parseHashAlgorithm(request.hashAlgo)) {
    return invalidInput("hash_algo must be one of md5, sha1, sha256, sha384");
  }
  return okStatus();
}

Status UploadManager::checkUserQuota(const std::string& userId, std::uint64_t size) {
  int open = 0;
  std::uint64_t declared = 0;
  for (const auto& [id, entry] : sessions_) {
    const UploadSession& s = entry->session;
    if (s.target.userId != userId || isTerminal(s.status)) continue;
    ++open;
    declared += s.size;
  }
  if (open >= limits_.sessionsMax) {
    return uploadLimit(ErrorCode::kQuota, 429,
                       "too many unfinished upload sessions (" + std::to_string(open) + ")");
  }
  if (declared + size > limits_.sessionsSizeMax) {
    return uploadLimit(ErrorCode::kQuota, 429,
                       "unfinished upload sessions would exceed sessions_size_max");
  }
  return okStatus();
}

UploadSession UploadManager::makeSession(const NewUpload& request, bool singleCall) {
  UploadSession s;
  s.id = newUploadId();
  s.target = request.target;
  if (s.target.folderId.empty()) s.target.folderId = "root";
  s.size = request.size.value_or(0);
  if (!request.hash.empty()) {
    s.hash = request.hash;
    s.hashAlgo = std::string(hashAlgorithmName(*parseHashAlgorithm(request.hashAlgo)));
  }
  s.singleCall = singleCall;
  s.createdEpoch = s.updatedEpoch = nowEpoch();
  return s;
}

UploadSession UploadManager::setStatus(Entry& entry, UploadStatus status, std::string message,
                                       long long errorCode) {
  UploadSession snapshot;
  {
    std::lock_guard lock(mu_);
    if (entry.session.status == UploadStatus::kCancelled) return entry.session;
    entry.session.status = status;
    entry.session.statusMessage = std::move(message);
    entry.session.errorCode = errorCode;
    entry.session.updatedEpoch = nowEpoch();
    snapshot = entry.session;
  }
  if (!snapshot.singleCall) {
    Status saved = store_.save(snapshot, isTerminal(status));
    if (!saved.ok()) {
      FASTIO_LOG_WARN("upload {}: cannot persist status {}: {}", snapshot.id,
                      uploadStatusName(status), saved.error().describe());
    }
  }
  changed_.notify_all();
  return snapshot;
}

void UploadManager::announce(const UploadSession& snapshot) {
  if (listener_) listener_(snapshot);
}

void UploadManager::releaseSlot(const std::string& sessionId) {
  std::lock_guard lock(mu_);
  auto it = sessions_.find(sessionId);
  if (it != sessions_.end() && it->second->inFlight > 0) --it->second->inFlight;
}

// ---- session creation --------------------------------------------------------------------

void UploadManager::pruneFinished() {
  std::vector<EntryPtr> expired;
  {
    std::lock_guard lock(mu_);
    std::int64_t now = nowEpoch();
    if (now - lastPruneEpoch_ < 60) return;
    lastPruneEpoch_ = now;
    for (auto it = sessions_.begin(); it != sessions_.end();) {
      const UploadSession& s = it->second->session;
      if (isTerminal(s.status) && now - s.updatedEpoch > limits_.finishedRetentionSec) {
        if (!s.singleCall) expired.push_back(it->second);
        it = sessions_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (const auto& entry : expired) {
    std::lock_guard io(entry->io);  // a worker may still be cleaning up after the last status
    store_.removeSession(entry->session.id);
  }
}

Result<UploadSession> UploadManager::createSession(const NewUpload& request) {
  pruneFinished();
  FASTIO_TRY(validateNew(request, false));
  if (!request.target.instanceId.empty()) FASTIO_TRY(storage_.checkTarget(request.target));
  UploadSession session = makeSession(request, false);
  {
    std::lock_guard lock(mu_);
    FASTIO_TRY(checkUserQuota(request.target.userId, session.size));
  }
  FASTIO_TRY(store_.createSessionDir(session.id));
  Status saved = store_.save(session);
  if (!saved.ok()) {
    store_.removeSession(session.id);
    return saved.error();
  }
  auto entry = std::make_shared<Entry>();
  entry->session = session;
  {
    std::lock_guard lock(mu_);
    sessions_[session.id] = entry;
  }
  announce(session);
  return session;
}

Result<std::unique_ptr<ChunkFileWriter>> UploadManager::newSingleCallBody() {
  auto body = ChunkFileWriter::create(store_.newIncomingPath(), limits_.singleCallMax);
  if (body.ok()) (*body)->hashWith(HashAlgorithm::kMd5);
  return body;
}

Result<UploadSession> UploadManager::storeSingleCall(const NewUpload& request,
                                                     ChunkFileWriter& body) {
  if (body.exceededCap()) {
    return uploadLimit(ErrorCode::kTooLarge, 413,
                       "the chunk part is larger than the single-call limit of " +
                           std::to_string(limits_.singleCallMax) + " bytes");
  }
  pruneFinished();
  FASTIO_TRY(validateNew(request, true));
  FASTIO_TRY(body.finish());
  if (body.bytesWritten() != *request.size) {
    return apiError(ErrorCode::kInvalid, 406, code::kUploadSizeMismatch,
                    "the chunk part has " + std::to_string(body.bytesWritten()) +
                        " bytes but size says " + std::to_string(*request.size));
  }
  if (!request.hash.empty()) {
    FASTIO_TRY_ASSIGN(auto digest,
                      fileDigestHex(body.path(), *parseHashAlgorithm(request.hashAlgo)));
    if (!hexDigestsMatch(request.hash, digest)) {
      return invalidInput("the file's " + request.hashAlgo + " hash does not match");
    }
  }
  FASTIO_TRY(storage_.checkTarget(request.target));
  FASTIO_TRY_ASSIGN(auto stored, storage_.store(request.target, body.path(), body.bytesWritten(),
                                                body.digest(HashAlgorithm::kMd5).value_or("")));

  UploadSession session = makeSession(request, true);
  session.chunks[1] = body.bytesWritten();
  session.status = UploadStatus::kStored;
  session.newFileId = stored.nodeId;
  session.newVersionId = stored.versionId;
  auto entry = std::make_shared<Entry>();
  entry->session = session;
  {
    std::lock_guard lock(mu_);
    sessions_[session.id] = entry;
  }
  announce(session);
  return session;
}

// ---- chunks ------------------------------------------------------------------------------

Result<std::unique_ptr<ChunkReceipt>> UploadManager::beginChunk(const std::string& userId,
                                                                std::string_view sessionId) {
  FASTIO_TRY_ASSIGN(auto entry, find(userId, sessionId));
  std::string id = entry->session.id;
  {
    std::lock_guard lock(mu_);
    const UploadSession& s = entry->session;
    if (!acceptsChunks(s.status)) return conflict(statusConflictMessage(s));
    if (entry->inFlight >= limits_.chunksInFlight) {
      return uploadLimit(ErrorCode::kRateLimited, 429,
                         "at most " + std::to_string(limits_.chunksInFlight) +
                             " chunks of one session may upload at once");
    }
    ++entry->inFlight;
  }
  auto body = ChunkFileWriter::create(store_.newTempChunkPath(id), limits_.chunkSizeMax);
  if (!body.ok()) {
    releaseSlot(id);
    return body.error();
  }
  return std::unique_ptr<ChunkReceipt>(new ChunkReceipt(this, userId, id, std::move(body).value()));
}

Result<UploadSession> UploadManager::commitChunk(ChunkReceipt& receipt, const ChunkFields& fields) {
  ChunkFileWriter& body = receipt.body();
  if (body.exceededCap()) {
    return uploadLimit(ErrorCode::kTooLarge, 413,
                       "a chunk holds at most " + std::to_string(limits_.chunkSizeMax) + " bytes");
  }
  FASTIO_TRY(body.finish());
  if (!fields.order) return invalidInput("order is required (1-based chunk number)");
  int order = *fields.order;
  if (order < 1 || order > limits_.maxChunks) {
    return invalidInput("order must be between 1 and " + std::to_string(limits_.maxChunks));
  }
  std::uint64_t bytes = body.bytesWritten();
  if (bytes == 0) return invalidInput("the chunk part is empty");
  if (fields.size && *fields.size != bytes) {
    return invalidInput("the chunk has " + std::to_string(bytes) + " bytes but size says " +
                        std::to_string(*fields.size));
  }
  if (!fields.hash.empty()) {
    auto algo = parseHashAlgorithm(fields.hashAlgo);
    if (!algo) return invalidInput("hash_algo must be one of md5, sha1, sha256, sha384");
    std::optional<std::string> digest = body.digest(*algo);
    if (!digest) {
      FASTIO_TRY_ASSIGN(auto computed, fileDigestHex(body.path(), *algo));
      digest = std::move(computed);
    }
    if (!hexDigestsMatch(fields.hash, *digest)) {
      return invalidInput("chunk " + std::to_string(order) + ": the " +
                          std::string(hashAlgorithmName(*algo)) + " hash does not match the bytes");
    }
  }

  FASTIO_TRY_ASSIGN(auto found, find(receipt.userId(), receipt.sessionId()));
  Entry& entry = *found;
  std::lock_guard io(entry.io);
  {
    std::lock_guard lock(mu_);
    const UploadSession& s = entry.session;
    if (!acceptsChunks(s.status)) return conflict(statusConflictMessage(s));
    if (bytes < limits_.chunkSizeMin) {
      for (const auto& [other, otherBytes] : s.chunks) {
        if (other != order && otherBytes < limits_.chunkSizeMin) {
          return invalidInput("chunk " + std::to_string(other) + " is already under " +
                              std::to_string(limits_.chunkSizeMin) +
                              " bytes; only the last chunk may be smaller");
        }
      }
    }
  }
  FASTIO_TRY(durableRename(body.path(), store_.chunkPath(entry.session.id, order)));
  body.release();
  bool firstChunk = false;
  UploadSession snapshot;
  {
    std::lock_guard lock(mu_);
    entry.session.chunks[order] = bytes;
    entry.session.updatedEpoch = nowEpoch();
    firstChunk = entry.session.status == UploadStatus::kReady;
    snapshot = entry.session;
  }
  if (firstChunk) {
    snapshot = setStatus(entry, UploadStatus::kUploading);
    announce(snapshot);
  }
  return snapshot;
}

Result<UploadSession> UploadManager::deleteChunk(const std::string& userId,
                                                 std::string_view sessionId, int order) {
  FASTIO_TRY_ASSIGN(auto found, find(userId, sessionId));
  Entry& entry = *found;
  std::lock_guard io(entry.io);
  {
    std::lock_guard lock(mu_);
    const UploadSession& s = entry.session;
    if (!acceptsChunks(s.status)) return conflict(statusConflictMessage(s));
    if (!s.chunks.count(order)) {
      return apiError(ErrorCode::kNotFound, 404, code::kNotFound,
                      "chunk " + std::to_string(order) + " was not uploaded");
    }
  }
  std::error_code ec;
  fs::remove(store_.chunkPath(entry.session.id, order), ec);
  if (ec) return makeError(ErrorCode::kIo, "cannot remove chunk: " + ec.message());
  std::lock_guard lock(mu_);
  entry.session.chunks.erase(order);
  entry.session.updatedEpoch = nowEpoch();
  return entry.session;
}

// ---- completion --------------------------------------------------------------------------

Result<UploadSession> UploadManager::complete(const std::string& userId,
                                              std::string_view sessionId) {
  FASTIO_TRY_ASSIGN(auto found, find(userId, sessionId));
  Entry& entry = *found;
  std::lock_guard io(entry.io);
  {
    std::lock_guard lock(mu_);
    const UploadSession& s = entry.session;
    if (!acceptsChunks(s.status)) {
      // Completing twice is harmless while the session is on its way or done.
      if (isAssemblyStage(s.status) || isStoreStage(s.status) ||
          s.status == UploadStatus::kStored) {
        return s;
      }
      return conflict(statusConflictMessage(s));
    }
    if (entry.inFlight > 0) {
      return conflict(std::to_string(entry.inFlight) +
                      " chunk(s) are still uploading; complete after they are acknowledged");
    }
  }
  UploadSession snapshot = setStatus(entry, UploadStatus::kAssemble);
  enqueueAssembly(snapshot.id);
  announce(snapshot);
  return snapshot;
}

void UploadManager::enqueueAssembly(const std::string& sessionId) {
  {
    std::lock_guard lock(mu_);
    assemblyQueue_.push_back(sessionId);
  }
  queued_.notify_one();
}

void UploadManager::workerLoop() {
  while (true) {
    EntryPtr entry;
    {
      std::unique_lock lock(mu_);
      queued_.wait(lock, [this] { return stopping_ || !assemblyQueue_.empty(); });
      if (stopping_) return;
      std::string id = assemblyQueue_.front();
      assemblyQueue_.pop_front();
      auto it = sessions_.find(id);
      if (it == sessions_.end()) continue;
      entry = it->second;
    }
    assembleAndStore(entry);
  }
}

void UploadManager::assembleAndStore(const EntryPtr& entry) {
  std::lock_guard io(entry->io);
  UploadSession s;
  {
    std::lock_guard lock(mu_);
    s = entry->session;
  }
  fs::path assembled = store_.assembledPath(s.id);
  std::string md5;  // known when assembled now; after a restart the storage computes it
  if (isAssemblyStage(s.status)) {
    announce(setStatus(*entry, UploadStatus::kAssembling));
    if (auto bad = checkChunkLayout(s.chunks, s.size, limits_)) {
      announce(setStatus(*entry, UploadStatus::kAssemblyFailed, bad->message, bad->remoteCode));
      store_.removeData(s.id);
      return;
    }
    std::map<int, fs::path> files;
    for (const auto& [order, bytes] : s.chunks) files[order] = store_.chunkPath(s.id, order);
    std::optional<HashAlgorithm> algo;
    if (!s.hash.empty()) algo = parseHashAlgorithm(s.hashAlgo);
    auto result = assembleChunkFiles(files, assembled, algo);
    if (!result.ok()) {
      announce(setStatus(*entry, UploadStatus::kAssemblyFailed, result.error().message,
                         code::kInternal));
      return;
    }
    md5 = result->md5;
    if (algo && !hexDigestsMatch(s.hash, result->digest)) {
      announce(setStatus(*entry, UploadStatus::kAssemblyFailed,
                         "the assembled file's " + s.hashAlgo + " hash does not match",
                         code::kInvalidInput));
      store_.removeData(s.id);
      return;
    }
    announce(setStatus(*entry, UploadStatus::kComplete));
    if (stopsAtComplete(s)) return;
  } else if (!isStoreStage(s.status) || stopsAtComplete(s)) {
    return;  // cancelled or finished meanwhile
  }
  announce(setStatus(*entry, UploadStatus::kStore));
  announce(setStatus(*entry, UploadStatus::kStoring));
  auto stored = storage_.store(s.target, assembled, s.size, md5);
  if (!stored.ok()) {
    // A lost compare-and-swap ends the session like the API documents (assembly_failed with
    // CONFLICT_VERSION_MISMATCH:{current}); anything else is store_failed.
    bool casLost = stored.error().code == ErrorCode::kConflict;
    announce(setStatus(*entry, casLost ? UploadStatus::kAssemblyFailed : UploadStatus::kStoreFailed,
                       stored.error().message, stored.error().remoteCode));
    store_.removeData(s.id);
    return;
  }
  {
    std::lock_guard lock(mu_);
    entry->session.newFileId = stored->nodeId;
    entry->session.newVersionId = stored->versionId;
  }
  announce(setStatus(*entry, UploadStatus::kStored));
  store_.removeData(s.id);
}

// ---- reading and cancelling --------------------------------------------------------------

Result<UploadSession> UploadManager::details(const std::string& userId, std::string_view sessionId,
                                             Duration wait) {
  FASTIO_TRY_ASSIGN(auto found, find(userId, sessionId));
  EntryPtr entry = found;
  std::unique_lock lock(mu_);
  const UploadSession& s = entry->session;
  bool settled =
      isTerminal(s.status) || (s.status == UploadStatus::kComplete && stopsAtComplete(s));
  if (wait > Duration::zero() && !settled) {
    Duration cap = std::chrono::seconds(limits_.longPollMaxSeconds);
    UploadStatus initial = s.status;
    changed_.wait_for(lock, std::min(wait, cap),
                      [&] { return stopping_ || entry->session.status != initial; });
  }
  return entry->session;
}

Result<UploadSession> UploadManager::cancel(const std::string& userId, std::string_view sessionId) {
  FASTIO_TRY_ASSIGN(auto found, find(userId, sessionId));
  Entry& entry = *found;
  std::lock_guard io(entry.io);
  UploadSession snapshot;
  {
    std::lock_guard lock(mu_);
    entry.session.status = UploadStatus::kCancelled;
    entry.session.statusMessage = "cancelled by the client";
    entry.session.updatedEpoch = nowEpoch();
    snapshot = entry.session;
    sessions_.erase(snapshot.id);
  }
  store_.removeSession(snapshot.id);
  changed_.notify_all();
  announce(snapshot);
  return snapshot;
}

std::vector<UploadSession> UploadManager::list(const std::string& userId) {
  std::vector<UploadSession> out;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, entry] : sessions_) {
      if (entry->session.target.userId == userId) out.push_back(entry->session);
    }
  }
  std::sort(out.begin(), out.end(), [](const UploadSession& a, const UploadSession& b) {
    return a.createdEpoch != b.createdEpoch ? a.createdEpoch < b.createdEpoch : a.id < b.id;
  });
  return out;
}

}  // namespace fastio::emu
