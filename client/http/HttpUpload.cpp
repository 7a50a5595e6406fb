// HttpRemoteStore uploads (fastio-api.md §6): single call up to 4 MiB; above, a chunked session
// (create, up to 3 chunks in flight each hashed and retried on its own, complete, wait until
// `stored`), resumable from the session's `chunks` map. What happens after `complete` is in
// HttpUploadCompletion.cpp.

#include <atomic>
#include <thread>

#include "client/http/HttpRemoteStore.h"
#include "client/http/UploadStates.h"
#include "client/wire/ErrorMapping.h"
#include "common/ContentDigest.h"
#include "common/Log.h"

namespace fastio::http {
namespace {

// Reads exactly [offset, offset + length) from the source, or fails: a short source would
// otherwise upload a truncated file without anyone noticing.
Result<std::string> readExactly(const ByteSource& source, uint64_t offset, uint64_t length) {
  std::string buffer(static_cast<size_t>(length), '\0');
  size_t got = 0;
  while (got < buffer.size()) {
    FASTIO_TRY_ASSIGN(size_t n, source(offset + got, buffer.data() + got, buffer.size() - got));
    if (n == 0) {
      return makeError(ErrorCode::kIo, "upload source ended at byte " +
                                           std::to_string(offset + got) + " of a declared " +
                                           std::to_string(offset + length));
    }
    got += n;
  }
  return buffer;
}

BodyReader readerOver(const std::string& buffer) {
  return [&buffer](uint64_t offset, char* out, size_t length) -> Result<size_t> {
    if (offset >= buffer.size()) return size_t{0};
    const size_t n = std::min<uint64_t>(length, buffer.size() - offset);
    std::memcpy(out, buffer.data() + offset, n);
    return n;
  };
}

}  // namespace

Result<uint64_t> HttpRemoteStore::chooseChunkSize(uint64_t size, const UploadLimits& limits) const {
  if (limits.maxFileSize > 0 && size > limits.maxFileSize) {
    return makeError(ErrorCode::kTooLarge, "file of " + std::to_string(size) +
                                               " bytes exceeds the plan's limit of " +
                                               std::to_string(limits.maxFileSize));
  }
  const uint64_t allowedMax = std::clamp(limits.chunkSize, kMinChunkSize, kMaxChunkSize);
  uint64_t chunk = std::clamp(options_.preferredChunkSize, kMinChunkSize, allowedMax);
  const uint64_t maxChunks = std::max<uint32_t>(1, limits.maxChunksPerSession);
  const uint64_t needed = (size + maxChunks - 1) / maxChunks;
  if (needed > chunk) chunk = needed;
  if (chunk > allowedMax) {
    return makeError(ErrorCode::kTooLarge, "file of " + std::to_string(size) +
                                               " bytes needs more than " +
                                               std::to_string(maxChunks) + " chunks of at most " +
                                               std::to_string(allowedMax) + " bytes");
  }
  return chunk;
}

FormFields HttpRemoteStore::sessionFields(const UploadRequest& request) const {
  const bool update = !request.existingFileId.empty();
  FormFields f;
  f.add("name", request.name)
      .add("size", std::to_string(request.size))
      .add("action", update ? "update" : "create")
      .add("instance_id", request.workspaceId)
      .add("folder_id", request.parentId.empty() ? "root" : request.parentId)
      .add("profile_type", "workspace")
      .addIf(update, "file_id", request.existingFileId)
      .addIf(update && !request.ifVersionId.empty(), "if_version_id", request.ifVersionId);
  return f;
}

Result<UploadResult> HttpRemoteStore::upload(const UploadRequest& request, const ByteSource& source,
                                             UploadObserver* observer, Deadline deadline) {
  if (request.name.empty()) return makeError(ErrorCode::kInvalid, "upload without a file name");
  if (request.workspaceId.empty()) {
    return makeError(ErrorCode::kInvalid, "upload without a workspace");
  }
  if (!request.ifVersionId.empty() && request.existingFileId.empty()) {
    return makeError(ErrorCode::kInvalid, "a compare-and-swap (ifVersionId) needs existingFileId");
  }
  if (!request.resumeSessionId.empty()) return resumeChunked(request, source, observer, deadline);
  if (request.size <= kSingleCallUploadMax) {
    return uploadSingleCall(request, source, observer, deadline);
  }
  return uploadChunked(request, source, observer, deadline);
}

Result<UploadResult> HttpRemoteStore::uploadSingleCall(const UploadRequest& request,
                                                       const ByteSource& source,
                                                       UploadObserver* observer,
                                                       Deadline deadline) {
  FASTIO_TRY_ASSIGN(std::string bytes, readExactly(source, 0, request.size));
  // Same name + same parent (or file_id) overwrites in place, so a replay stores the same bytes
  // again at worst: safe to retry (a replayed compare-and-swap is sorted out below).
  const std::string logName = "POST /upload/";
  auto build = [&] {
    HttpRequest r;
    r.method = HttpMethod::kPost;
    r.url = url("/upload/");
    r.logName = logName;
    const bool update = !request.existingFileId.empty();
    auto field = [&](std::string name, std::string value) {
      MultipartPart p;
      p.name = std::move(name);
      p.value = std::move(value);
      r.multipart.push_back(std::move(p));
    };
    field("name", request.name);
    field("size", std::to_string(request.size));
    field("action", update ? "update" : "create");
    field("instance_id", request.workspaceId);
    field("folder_id", request.parentId.empty() ? "root" : request.parentId);
    field("profile_type", "workspace");
    if (update) field("file_id", request.existingFileId);
    if (update && !request.ifVersionId.empty()) field("if_version_id", request.ifVersionId);
    MultipartPart chunk;
    chunk.name = "chunk";
    chunk.filename = request.name;
    chunk.contentType = "application/octet-stream";
    chunk.reader = readerOver(bytes);
    chunk.size = bytes.size();
    r.multipart.push_back(std::move(chunk));
    return r;
  };
  Result<HttpResponse> response = execute(build, Replay::kSafe, deadline);
  if (!response.ok()) {
    if (response.error().code == ErrorCode::kConflict && !request.ifVersionId.empty()) {
      // A replay of a call that went through conflicts with the version it made itself.
      if (auto landed = nodeHoldingBytes(request, bytes, deadline)) {
        return UploadResult{std::move(*landed), ""};
      }
    }
    return response.error();
  }
  FASTIO_TRY_ASSIGN(Json payload, decodeEnvelope(*response, logName));
  FASTIO_TRY_ASSIGN(WireUploadSession session, decodeUploadSession(payload));
  if (observer != nullptr) observer->onBytesSent(request.size);
  std::string fileId = session.newFileId;
  if (fileId.empty()) {
    if (session.id.empty()) {
      return makeError(ErrorCode::kProtocol, "upload answer without new_file_id or session id");
    }
    FASTIO_TRY_ASSIGN(WireUploadSession stored, waitUntilStored(session.id, deadline));
    fileId = stored.newFileId;
  }
  return resultForStoredFile(request, fileId, "", deadline);
}

Result<UploadResult> HttpRemoteStore::uploadChunked(const UploadRequest& request,
                                                    const ByteSource& source,
                                                    UploadObserver* observer, Deadline deadline) {
  UploadLimits limits;
  if (Result<UploadLimits> fetched = uploadLimits(deadline); fetched.ok()) {
    limits = *fetched;
  } else if (fetched.error().isRetryable() || fetched.error().code == ErrorCode::kDeadline ||
             fetched.error().code == ErrorCode::kCancelled ||
             fetched.error().code == ErrorCode::kUnauthenticated) {
    return fetched.error();
  } else {
    FASTIO_LOG_WARN("upload limits unavailable ({}); using defaults", fetched.error().describe());
  }
  FASTIO_TRY_ASSIGN(uint64_t chunkSize, chooseChunkSize(request.size, limits));

  // A replayed session creation leaves an unused session behind, which expires on its own.
  Call create{.method = HttpMethod::kPost, .path = "/upload/"};
  create.form = sessionFields(request);
  FASTIO_TRY_ASSIGN(Json created, callJson(create, deadline));
  FASTIO_TRY_ASSIGN(WireUploadSession session, decodeUploadSession(created));
  if (session.id.empty()) return makeError(ErrorCode::kProtocol, "upload session without an id");
  if (observer != nullptr) observer->onSessionCreated(session.id, chunkSize);
  FASTIO_TRY(sendChunks(session.id, request, chunkSize, {}, source, observer, deadline));
  return completeAndWait(session.id, request, deadline);
}

Result<UploadResult> HttpRemoteStore::resumeChunked(const UploadRequest& request,
                                                    const ByteSource& source,
                                                    UploadObserver* observer, Deadline deadline) {
  if (request.resumeChunkSize == 0) {
    return makeError(ErrorCode::kInvalid, "resuming an upload needs the session's chunk size");
  }
  Result<Json> p = callJson(
      {.path = "/upload/" + percentEncode(request.resumeSessionId) + "/details/"}, deadline);
  bool gone = !p.ok() && p.error().code == ErrorCode::kNotFound;
  Result<WireUploadSession> session = makeError(ErrorCode::kInternal, "unset");
  if (p.ok()) {
    session = decodeUploadSession(*p);
    if (!session.ok()) return session.error();
    gone = sessionFailed(session->status);
  } else if (!gone) {
    return p.error();
  }
  if (gone) {
    if (p.ok() && !sessionCancelled(session->status)) {
      cancelAbandoned(request.resumeSessionId, "it ended in state " + session->status);
    }
    // The caller decides whether to start over (it may want to re-check its local copy first).
    return makeError(ErrorCode::kNotFound, "upload session " + request.resumeSessionId +
                                               " can no longer be resumed; start a new upload");
  }
  if (!sessionStillOpen(session->status)) {
    // Already completed before we were interrupted: only the wait is left.
    FASTIO_TRY_ASSIGN(WireUploadSession stored, waitUntilStored(request.resumeSessionId, deadline));
    return resultForStoredFile(request, stored.newFileId, request.resumeSessionId, deadline);
  }
  FASTIO_TRY(sendChunks(request.resumeSessionId, request, request.resumeChunkSize, session->chunks,
                        source, observer, deadline));
  return completeAndWait(request.resumeSessionId, request, deadline);
}

Status HttpRemoteStore::sendChunks(const std::string& sessionId, const UploadRequest& request,
                                   uint64_t chunkSize,
                                   const std::map<uint32_t, uint64_t>& acknowledged,
                                   const ByteSource& source, UploadObserver* observer,
                                   Deadline deadline) {
  const uint64_t count64 = request.size == 0 ? 1 : (request.size + chunkSize - 1) / chunkSize;
  if (count64 > 1000000) return makeError(ErrorCode::kTooLarge, "too many chunks");
  const auto count = static_cast<uint32_t>(count64);
  auto chunkBytes = [&](uint32_t order) {
    const uint64_t start = static_cast<uint64_t>(order - 1) * chunkSize;
    return std::min<uint64_t>(chunkSize, request.size - start);
  };

  std::vector<uint32_t> pending;
  uint64_t alreadySent = 0;
  for (uint32_t order = 1; order <= count; ++order) {
    auto it = acknowledged.find(order);
    if (it != acknowledged.end() && it->second == chunkBytes(order)) {
      alreadySent += it->second;
    } else {
      pending.push_back(order);
    }
  }

  std::mutex mu;  // guards the source, the observer, firstError and abandon
  std::optional<Error> firstError;
  bool abandon = false;  // the failure ends the session: the caller's data failed, or a refusal
  auto failLocked = [&](Error error, bool endsSession) {
    if (!firstError || (endsSession && !abandon)) firstError = std::move(error);
    abandon = abandon || endsSession;
  };
  std::atomic<size_t> next{0};
  std::atomic<uint64_t> sent{alreadySent};
  if (observer != nullptr && alreadySent > 0) observer->onBytesSent(alreadySent);
  const std::string chunkPath = "/upload/" + percentEncode(sessionId) + "/chunk/";

  auto worker = [&] {
    for (;;) {
      const size_t index = next.fetch_add(1);
      if (index >= pending.size()) return;
      const uint32_t order = pending[index];
      const uint64_t length = chunkBytes(order);
      Result<std::string> bytes = makeError(ErrorCode::kInternal, "unread");
      {
        std::lock_guard lock(mu);
        if (firstError) return;  // another chunk failed: read and send nothing more
        bytes = readExactly(source, static_cast<uint64_t>(order - 1) * chunkSize, length);
        if (!bytes.ok()) {
          failLocked(bytes.error(), true);
          return;
        }
      }
      const std::string hash = digestHex(HashAlgorithm::kSha256, *bytes);
      const std::string logName = "POST /upload/{id}/chunk/ #" + std::to_string(order);
      auto build = [&] {
        HttpRequest r;
        r.method = HttpMethod::kPost;
        r.url = url(
            chunkPath,
            FormFields().add("order", std::to_string(order)).add("size", std::to_string(length)));
        r.logName = logName;
        MultipartPart hashPart;
        hashPart.name = "hash";
        hashPart.value = hash;
        MultipartPart algoPart;
        algoPart.name = "hash_algo";
        algoPart.value = "sha256";
        MultipartPart data;
        data.name = "chunk";
        data.filename = "chunk" + std::to_string(order);
        data.contentType = "application/octet-stream";
        data.reader = readerOver(*bytes);
        data.size = bytes->size();
        r.multipart = {std::move(hashPart), std::move(algoPart), std::move(data)};
        return r;
      };
      // Re-sending an order replaces it, so every chunk is retried on its own.
      Result<HttpResponse> response = execute(build, Replay::kSafe, deadline);
      Status ok = response.ok() ? Status() : Status(response.error());
      if (ok.ok()) {
        Result<Json> payload = decodeEnvelope(*response, logName);
        if (!payload.ok()) ok = payload.error();
      }
      std::lock_guard lock(mu);
      if (!ok.ok()) {
        failLocked(ok.error(), abandonsSession(ok.error()));
        return;
      }
      // Only a chunk the server acknowledged may be recorded as sent (a journal resumes from it).
      const uint64_t total = sent.fetch_add(length) + length;
      if (observer != nullptr) {
        observer->onChunkAcknowledged(order, length);
        observer->onBytesSent(total);
      }
    }
  };

  const int threads = std::min<int>(options_.chunksInFlight, static_cast<int>(pending.size()));
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
  if (!firstError) return okStatus();
  if (abandon) cancelAbandoned(sessionId, firstError->describe());
  return *firstError;
}

}  // namespace fastio::http
