// HttpRemoteStore uploads after the bytes are sent (fastio-api.md §6.3-6.4): complete, wait until
// `stored`, read the stored node back, and cancel sessions we give up.

#include "client/http/HttpRemoteStore.h"
#include "client/http/UploadStates.h"
#include "client/wire/ErrorMapping.h"
#include "common/ContentDigest.h"
#include "common/Log.h"

namespace fastio::http {
namespace {

// A cancel is cleanup: it gets its own short deadline, since the upload's may be spent.
constexpr Duration kCancelDeadline = std::chrono::seconds(15);

}  // namespace

Result<UploadResult> HttpRemoteStore::completeAndWait(const std::string& sessionId,
                                                      const UploadRequest& request,
                                                      Deadline deadline) {
  Call complete{.method = HttpMethod::kPost,
                .path = "/upload/" + percentEncode(sessionId) + "/complete/"};
  complete.form = FormFields();
  Result<Json> done = callJson(complete, deadline);
  if (!done.ok()) {
    // A replayed complete may be refused because the first one went through: ask the session.
    Result<Json> p =
        callJson({.path = "/upload/" + percentEncode(sessionId) + "/details/"}, deadline);
    Result<WireUploadSession> s =
        p.ok() ? decodeUploadSession(*p) : Result<WireUploadSession>(p.error());
    if (!s.ok() || sessionStillOpen(s->status)) {
      // e.g. 10522, the chunks do not add up: the documented remedy is to cancel the session.
      if (abandonsSession(done.error())) cancelAbandoned(sessionId, done.error().describe());
      return done.error();
    }
  }
  FASTIO_TRY_ASSIGN(WireUploadSession stored, waitUntilStored(sessionId, deadline));
  return resultForStoredFile(request, stored.newFileId, sessionId, deadline);
}

Result<WireUploadSession> HttpRemoteStore::waitUntilStored(const std::string& sessionId,
                                                           Deadline deadline) {
  const Deadline until = deadline.capped(options_.uploadStoreWait);
  Duration pause = std::chrono::milliseconds(50);
  for (;;) {
    // Long-poll (`wait`, seconds) where the server supports it; a quick non-final answer falls
    // back to polling with backoff below.
    const auto left = std::chrono::duration_cast<std::chrono::seconds>(until.remaining()).count();
    const long long wait = std::clamp<long long>(left - 1, 0, 20);
    Call details{.path = "/upload/" + percentEncode(sessionId) + "/details/", .stallSeconds = 0};
    details.query.addIf(wait > 0, "wait", std::to_string(wait));
    const SteadyTime asked = clock_.now();
    FASTIO_TRY_ASSIGN(Json p, callJson(details, until.capped(std::chrono::seconds(wait + 30))));
    FASTIO_TRY_ASSIGN(WireUploadSession s, decodeUploadSession(p));
    if (s.id.empty()) s.id = sessionId;
    // We always name a storage target, so `complete` (assembled) is not the end: wait for
    // `stored`, or an update may be reported before the node has its new version.
    if (s.status == "stored") {
      if (s.newFileId.empty()) {
        return makeError(ErrorCode::kProtocol,
                         "upload session " + sessionId + " is stored but names no file");
      }
      return s;
    }
    if (sessionFailed(s.status)) {
      if (!sessionCancelled(s.status)) cancelAbandoned(sessionId, "it ended in " + s.status);
      return sessionFailure(s);
    }
    if (until.remaining() <= pause) {
      return makeError(ErrorCode::kDeadline, "upload session " + sessionId +
                                                 " not stored in time (state " + s.status + ")");
    }
    if (clock_.now() - asked < std::chrono::milliseconds(200)) {
      FASTIO_TRY(sleepUnlessCancelled(pause, until));
      pause = std::min<Duration>(pause * 2, std::chrono::seconds(2));
    }
  }
}

Result<UploadResult> HttpRemoteStore::resultForStoredFile(const UploadRequest& request,
                                                          const std::string& fileId,
                                                          const std::string& sessionId,
                                                          Deadline deadline) {
  // The service may show a stored file a moment later; it is stored all the same, so from here
  // on nothing is reported as a failure.
  const Deadline until = deadline.capped(options_.storedNodeWait);
  Duration pause = std::chrono::milliseconds(100);
  std::string why;
  for (;;) {
    Result<NodeDetailsBatch> details = nodeDetails(request.workspaceId, {fileId}, until);
    if (details.ok() && !details->nodes.empty()) {
      return UploadResult{std::move(details->nodes.front()), sessionId};
    }
    why = details.ok() ? "not visible yet" : details.error().describe();
    const bool worthAnotherTry = details.ok() || details.error().isRetryable();
    if (!worthAnotherTry || until.remaining() <= pause) break;
    if (!sleepUnlessCancelled(pause, until).ok()) break;
    pause = std::min<Duration>(pause * 2, std::chrono::seconds(2));
  }
  FASTIO_LOG_WARN(
      "upload stored as {} but the node cannot be read back ({}); its version is "
      "left for the caller to fetch",
      fileId, why);
  Node node;
  node.id = normaliseId(fileId);
  node.name = request.name;
  node.type = NodeType::kFile;
  node.size = request.size;
  if (request.existingFileId.empty()) {
    node.parentId = request.parentId.empty() ? "root" : request.parentId;
  }
  return UploadResult{std::move(node), sessionId};
}

std::optional<Node> HttpRemoteStore::nodeHoldingBytes(const UploadRequest& request,
                                                      const std::string& bytes, Deadline deadline) {
  Result<NodeDetailsBatch> details =
      nodeDetails(request.workspaceId, {request.existingFileId}, deadline);
  if (!details.ok() || details->nodes.empty()) return std::nullopt;
  Node& node = details->nodes.front();
  if (node.size != bytes.size() || parseHashAlgorithm(node.hashAlgo) != HashAlgorithm::kMd5 ||
      !hexDigestsMatch(node.hash, digestHex(HashAlgorithm::kMd5, bytes))) {
    return std::nullopt;
  }
  return std::move(node);
}

Status HttpRemoteStore::cancelUpload(const std::string& sessionId, Deadline deadline) {
  Call call{.method = HttpMethod::kDelete, .path = "/upload/" + percentEncode(sessionId) + "/"};
  Result<Json> p = callJson(call, deadline);
  if (!p.ok() && p.error().code != ErrorCode::kNotFound) return p.error();
  return okStatus();
}

void HttpRemoteStore::cancelAbandoned(const std::string& sessionId, const std::string& why) {
  Status cancelled = cancelUpload(sessionId, Deadline::after(kCancelDeadline, clock_));
  if (cancelled.ok()) {
    FASTIO_LOG_INFO("cancelled upload session {}: {}", sessionId, why);
  } else {
    FASTIO_LOG_WARN("could not cancel upload session {} ({}); it will expire on the server: {}",
                    sessionId, why, cancelled.error().describe());
  }
}

}  // namespace fastio::http
