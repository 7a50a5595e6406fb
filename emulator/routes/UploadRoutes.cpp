// /current/upload/...: single-call and chunked uploads (fastio-api.md §6), user-scoped. The
// engine is emulator/upload/UploadManager; this file only speaks HTTP. Bodies of POST /upload/
// and of chunks stream to disk through httplib's ContentReader.

#include <charconv>
#include <chrono>
#include <memory>
#include <string_view>
#include <thread>

#include "common/ContentDigest.h"
#include "common/Log.h"
#include "emulator/EmulatorContext.h"
#include "emulator/http/ApiResponse.h"
#include "emulator/routes/RouteRegistry.h"
#include "emulator/upload/StateUploadStorage.h"
#include "emulator/upload/UploadErrors.h"
#include "emulator/upload/UploadManager.h"
#include "emulator/upload/UploadRequestBody.h"

namespace fastio::emu {

namespace {

using httplib::ContentReader;
using httplib::Request;
using httplib::Response;

// Everything the upload routes share, alive as long as the server's handlers.
struct UploadService {
  explicit UploadService(EmulatorContext& c)
      : ctx(c),
        storage(c.state),
        store(c.config.dataDir / "uploads"),
        manager(store, storage, RealClock::instance()) {}

  EmulatorContext& ctx;
  StateUploadStorage storage;
  UploadSessionStore store;
  UploadManager manager;
  bool ready = false;
  std::thread stopWatcher;
};
using ServicePtr = std::shared_ptr<UploadService>;

std::string callerId(const UploadService& svc) {
  return svc.ctx.state.identity().user().id;
}

constexpr std::string_view kVersionMismatch = "CONFLICT_VERSION_MISMATCH:";

// Engine errors as API errors; a 429 (busy chunk slots, too many sessions) says when to retry,
// and a stale if_version_id carries params[] like the storage update/ CAS does.
void sendUploadError(Response& res, const Error& error) {
  if (error.httpStatus == 429) res.set_header("Retry-After", "1");
  if (error.code == ErrorCode::kConflict && error.message.rfind(kVersionMismatch, 0) == 0) {
    const std::string current = error.message.substr(kVersionMismatch.size());
    http::sendError(res, 409, code::kConflict, error.message,
                    {{"params", nlohmann::json::array({{{"name", "if_version_id"},
                                                        {"kind", "invalid"},
                                                        {"reason", "conflict_version_mismatch"},
                                                        {"current_version_id", current}}})},
                     {"reason", "conflict_version_mismatch"}});
    return;
  }
  http::sendError(res, error);
}

// An unsigned integer field; nullopt when absent, `bad` set when present but malformed.
std::optional<std::uint64_t> parseUnsigned(const std::optional<std::string>& text, bool& bad) {
  if (!text) return std::nullopt;
  std::uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (text->empty() || ec != std::errc() || ptr != text->data() + text->size()) {
    bad = true;
    return std::nullopt;
  }
  return value;
}

bool replyIfNotReady(const UploadService& svc, Response& res) {
  if (svc.ready) return false;
  http::sendError(res, 503, code::kUnavailable, "The upload service failed to start.");
  return true;
}

// Builds the engine's request from POST /upload/ fields; false after replying 406.
bool parseNewUpload(const UploadService& svc, const UploadRequestBody& body, NewUpload& out,
                    Response& res) {
  http::Validation v;
  out.target.userId = callerId(svc);
  out.target.name = body.field("name").value_or("");
  if (out.target.name.empty()) v.missing("name", "The file name is required.");
  bool badSize = false;
  out.size = parseUnsigned(body.field("size"), badSize);
  if (badSize) v.invalid("size", "size must be a non-negative integer (bytes).");
  if (!badSize && !out.size) v.missing("size", "The file size is required.");
  std::string action = body.field("action").value_or("create");
  if (action == "create") {
    out.target.action = UploadAction::kCreate;
  } else if (action == "update") {
    out.target.action = UploadAction::kUpdate;
  } else {
    v.invalid("action", "action must be create or update.");
  }
  out.target.instanceId = body.field("instance_id").value_or("");
  out.target.profileType = body.field("profile_type").value_or("workspace");
  out.target.folderId = body.field("folder_id").value_or("root");
  out.target.fileId = body.field("file_id").value_or("");
  const std::optional<std::string> ifVersionId = body.field("if_version_id");
  out.target.ifVersionId = ifVersionId.value_or("");
  out.hash = body.field("hash").value_or("");
  out.hashAlgo = body.field("hash_algo").value_or("");
  if (!out.hash.empty() && out.hashAlgo.empty()) {
    v.missing("hash_algo", "hash_algo is required with hash.");
  }
  if (v.replyIfFailed(res)) return false;
  if (ifVersionId && ifVersionId->empty()) {
    http::sendError(res, 406, code::kBlankIfVersion, "if_version_id cannot be blank.");
    return false;
  }
  return true;
}

void announce(EmulatorContext& ctx, const UploadSession& s) {
  ctx.activity.publish(s.target.userId, {"upload:" + s.id});
}

// POST /upload/: a single call when a chunk part is present, else a new chunked session.
void handleCreate(const ServicePtr& svc, const Request& req, Response& res,
                  const ContentReader& reader) {
  std::unique_ptr<ChunkFileWriter> single;
  std::optional<Error> bodyError;
  UploadRequestBody body;
  body.read(req, reader, [&](const UploadRequestBody&) -> ChunkFileWriter* {
    auto writer = svc->manager.newSingleCallBody();
    if (!writer.ok()) {
      bodyError = writer.error();
      return nullptr;
    }
    single = std::move(writer).value();
    return single.get();
  });
  if (replyIfNotReady(*svc, res)) return;
  if (body.problem()) return http::sendError(res, 406, code::kInvalidInput, *body.problem());
  if (bodyError) return sendUploadError(res, *bodyError);
  NewUpload request;
  if (!parseNewUpload(*svc, body, request, res)) return;

  if (body.hasChunk()) {
    auto stored = svc->manager.storeSingleCall(request, *single);
    if (!stored.ok()) return sendUploadError(res, stored.error());
    svc->ctx.stats.add(EmulatorStats::Counter::kSingleCallUploads);
    http::sendOk(res, {{"id", stored->id}, {"new_file_id", stored->newFileId}});
    return;
  }
  auto session = svc->manager.createSession(request);
  if (!session.ok()) return sendUploadError(res, session.error());
  svc->ctx.stats.add(EmulatorStats::Counter::kUploadSessionsCreated);
  http::sendOk(res, {{"id", session->id}});
}

// POST /upload/{id}/chunk/: order, size, hash, hash_algo as query parameters or form fields.
void handleChunk(const ServicePtr& svc, const Request& req, Response& res,
                 const ContentReader& reader) {
  std::string sessionId = http::pathParam(req, 1);
  auto receipt = svc->ready ? svc->manager.beginChunk(callerId(*svc), sessionId)
                            : Result<std::unique_ptr<ChunkReceipt>>(
                                  makeError(ErrorCode::kUnavailable, "not started"));
  UploadRequestBody body;
  body.read(req, reader, [&](const UploadRequestBody& seen) -> ChunkFileWriter* {
    if (!receipt.ok()) return nullptr;  // the reply is an error: drain the bytes
    if (auto algo = parseHashAlgorithm(seen.field("hash_algo").value_or(""))) {
      (*receipt)->body().hashWith(*algo);  // hashed while streaming when known up front
    }
    return &(*receipt)->body();
  });
  if (replyIfNotReady(*svc, res)) return;
  if (!receipt.ok()) return sendUploadError(res, receipt.error());
  if (body.problem()) return http::sendError(res, 406, code::kInvalidInput, *body.problem());
  if (!body.hasChunk()) {
    return http::sendError(res, 406, code::kInvalidInput,
                           "The multipart part \"chunk\" holding the bytes is missing.");
  }
  http::Validation v;
  bool badOrder = false, badSize = false;
  auto order = parseUnsigned(body.field("order"), badOrder);
  auto size = parseUnsigned(body.field("size"), badSize);
  if (badOrder || (order && *order > 1000000)) v.invalid("order", "order must be 1, 2, 3...");
  if (badSize) v.invalid("size", "size must be the chunk's byte count.");
  if (v.replyIfFailed(res)) return;

  ChunkFields fields;
  if (order) fields.order = static_cast<int>(*order);
  fields.size = size;
  fields.hash = body.field("hash").value_or("");
  fields.hashAlgo = body.field("hash_algo").value_or("");
  if (fields.order && svc->ctx.faults.takeFailChunkOrder(*fields.order)) {
    return http::sendError(
        res, 503, code::kUnavailable,
        "Chunk " + std::to_string(*fields.order) + " failed (injected fault); send it again.");
  }
  auto session = svc->manager.commitChunk(**receipt, fields);
  if (!session.ok()) return sendUploadError(res, session.error());
  svc->ctx.stats.add(EmulatorStats::Counter::kChunksReceived);
  svc->ctx.stats.add(EmulatorStats::Counter::kChunkBytesReceived,
                     session->chunks.at(*fields.order));
  http::sendOk(res, {{"order", *fields.order},
                     {"size", session->chunks.at(*fields.order)},
                     {"session", session->toApiJson()}});
}

void sendSession(Response& res, const Result<UploadSession>& session) {
  if (!session.ok()) return sendUploadError(res, session.error());
  http::sendOk(res, {{"session", session->toApiJson()}});
}

nlohmann::json limitsJson(const UploadLimits& l) {
  return {{"chunk_size", l.chunkSizeMax},
          {"chunk_size_min", l.chunkSizeMin},
          {"single_call_max", l.singleCallMax},
          {"size", l.fileSizeMax},
          {"chunks", l.maxChunks},
          {"chunks_parallel", l.chunksInFlight},
          {"sessions", l.sessionsMax},
          {"sessions_size_max", l.sessionsSizeMax}};
}

void registerRoutes(EmulatorContext& ctx) {
  auto svc = std::make_shared<UploadService>(ctx);
  svc->manager.setStatusListener([&ctx](const UploadSession& s) {
    if (s.status == UploadStatus::kStored) ctx.stats.add(EmulatorStats::Counter::kUploadsStored);
    announce(ctx, s);
  });
  Status started = svc->manager.start();
  svc->ready = started.ok();
  if (!started.ok()) {
    FASTIO_LOG_ERROR("upload service did not start: {}", started.error().describe());
  }
  // Upload long-polls wait on the engine, not on the ActivityLog, so they must be woken when the
  // server stops (before its worker pool drains). The ActivityLog is shut down first thing in
  // EmulatorServer::stop(), after which a poll returns at once: a poll of a private entity that
  // returns early and empty therefore means "stopping".
  svc->stopWatcher = std::thread([raw = svc.get()] {
    constexpr auto kSlice = std::chrono::seconds(30);
    while (true) {
      auto start = std::chrono::steady_clock::now();
      auto polled = raw->ctx.activity.poll("_upload_stop_watch", raw->ctx.activity.now(), kSlice);
      if (polled.keys.empty() && std::chrono::steady_clock::now() - start < kSlice / 2) break;
    }
    raw->manager.stop();
  });
  ctx.onShutdown([svc] {
    svc->ctx.activity.shutdown();
    if (svc->stopWatcher.joinable()) svc->stopWatcher.join();
    svc->manager.stop();
  });

  auto& server = ctx.server;
  const std::string base = std::string(kApiPrefix) + "/upload";
  const std::string sessionPath = base + "/([^/]+)";

  server.Post(base + "/", [svc](const Request& req, Response& res, const ContentReader& reader) {
    handleCreate(svc, req, res, reader);
  });
  server.Post(sessionPath + "/chunk/",
              [svc](const Request& req, Response& res, const ContentReader& reader) {
                handleChunk(svc, req, res, reader);
              });
  server.Get(sessionPath + "/chunk/", [svc](const Request& req, Response& res) {
    auto session = svc->manager.details(callerId(*svc), http::pathParam(req, 1));
    if (!session.ok()) return sendUploadError(res, session.error());
    http::sendOk(res, {{"chunks", session->toApiJson()["chunks"]}});
  });
  server.Delete(sessionPath + "/chunk/", [svc](const Request& req, Response& res) {
    http::Form form(req);
    bool bad = false;
    auto order = form.getInt("order", 1, 1000000, bad);
    if (!order) {
      return http::sendError(res, 406, code::kInvalidInput,
                             "order (the chunk to remove, 1-based) is required.");
    }
    sendSession(res, svc->manager.deleteChunk(callerId(*svc), http::pathParam(req, 1),
                                              static_cast<int>(*order)));
  });
  server.Post(sessionPath + "/complete/", [svc](const Request& req, Response& res) {
    auto completed = svc->manager.complete(callerId(*svc), http::pathParam(req, 1));
    if (completed.ok()) svc->ctx.stats.add(EmulatorStats::Counter::kUploadsCompleted);
    sendSession(res, completed);
  });
  server.Get(sessionPath + "/details/", [svc](const Request& req, Response& res) {
    http::Form form(req);
    bool bad = false;
    auto wait = form.getInt("wait", 0, 1000000, bad);
    if (bad) {
      return http::sendError(res, 406, code::kInvalidInput,
                             "wait must be a number of seconds (0-590).");
    }
    sendSession(res, svc->manager.details(callerId(*svc), http::pathParam(req, 1),
                                          std::chrono::seconds(wait.value_or(0))));
  });
  server.Delete(sessionPath + "/", [svc](const Request& req, Response& res) {
    auto cancelled = svc->manager.cancel(callerId(*svc), http::pathParam(req, 1));
    if (!cancelled.ok()) return sendUploadError(res, cancelled.error());
    svc->ctx.stats.add(EmulatorStats::Counter::kUploadsCancelled);
    http::sendOk(res, {{"id", cancelled->id}, {"status", "cancelled"}});
  });
  server.Get(base + "/details/", [svc](const Request&, Response& res) {
    nlohmann::json sessions = nlohmann::json::array();
    for (const auto& s : svc->manager.list(callerId(*svc))) sessions.push_back(s.toApiJson());
    http::sendOk(res, {{"results", sessions.size()}, {"sessions", sessions}});
  });
  server.Delete(base + "/", [svc](const Request&, Response& res) {
    int cancelled = 0;
    for (const auto& s : svc->manager.list(callerId(*svc))) {
      if (isTerminal(s.status)) continue;
      if (svc->manager.cancel(callerId(*svc), s.id).ok()) ++cancelled;
    }
    svc->ctx.stats.add(EmulatorStats::Counter::kUploadsCancelled,
                       static_cast<std::uint64_t>(cancelled));
    http::sendOk(res, {{"cancelled", cancelled}});
  });
  server.Get(base + "/limits/", [svc](const Request& req, Response& res) {
    http::Form form(req);
    std::string action = form.getOr("action", "");
    if (!action.empty() && action != "create" && action != "update") {
      return http::sendError(res, 406, code::kInvalidInput, "action must be create or update.");
    }
    if (!action.empty() && !form.has("instance_id")) {
      return http::sendError(res, 406, code::kInvalidInput, "instance_id is required with action.");
    }
    if (action == "update" && !form.has("file_id")) {
      return http::sendError(res, 406, code::kInvalidInput,
                             "file_id is required with action=update.");
    }
    http::sendOk(res, limitsJson(svc->manager.limits()));
  });
  server.Get(base + "/algos/", [](const Request&, Response& res) {
    nlohmann::json algos = nlohmann::json::array();
    for (HashAlgorithm a : supportedHashAlgorithms()) algos.push_back(hashAlgorithmName(a));
    http::sendOk(res, {{"algos", algos}});
  });
}

const RouteRegistrar registrar{"upload", registerRoutes};

}  // namespace

}  // namespace fastio::emu
