#pragma once
// RemoteStore over the Fast.io REST API (fastio-api.md): endpoints, paging, the tolerant wire
// decoder, retries (RetryPolicy), bearer auth with one refresh on 401, ranged streaming reads and
// single-call / chunked / resumed uploads. Thread-safe: any number of calls may run at once
// (the transport bounds how many transfers are on the wire).

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "client/RemoteStore.h"
#include "client/auth/TokenProvider.h"
#include "client/http/RetryPolicy.h"
#include "client/wire/HttpTransport.h"
#include "client/wire/UrlEncoding.h"
#include "client/wire/WireDecoder.h"
#include "common/Clock.h"

namespace fastio::http {

inline constexpr uint64_t kSingleCallUploadMax = 4ull * 1024 * 1024;  // 4 MiB
inline constexpr uint64_t kMinChunkSize = 1ull * 1024 * 1024;         // documented minimum
inline constexpr uint64_t kMaxChunkSize = 100ull * 1024 * 1024;       // documented maximum

struct HttpRemoteStoreOptions {
  std::string apiUrl = "https://api.fast.io/current";
  RetryBudget retry;
  uint32_t listPageSize = 500;  // 100, 250 or 500
  int chunksInFlight = 3;       // the service allows at most 3 per session
  // Upper bound on the chunk size we pick (the plan's chunk_size is the maximum allowed); it
  // bounds memory: each chunk in flight is buffered once so it can be hashed and re-sent.
  uint64_t preferredChunkSize = 16ull * 1024 * 1024;
  Duration uploadStoreWait = std::chrono::minutes(10);  // after complete, until `stored`
  // After `stored`, how long to keep asking for the node before answering without its version.
  Duration storedNodeWait = std::chrono::seconds(30);
  CancelFlag cancel;  // aborts transfers and retry waits when set
};

class HttpRemoteStore final : public RemoteStore {
 public:
  HttpRemoteStore(HttpTransport& transport, auth::TokenProvider& tokens,
                  HttpRemoteStoreOptions options, Clock& clock = RealClock::instance());

  FASTIO_REMOTE_STORE_OVERRIDES

  // The chunk size a new session of `size` bytes uses under `limits`, or kTooLarge.
  Result<uint64_t> chooseChunkSize(uint64_t size, const UploadLimits& limits) const;

  // One API call: path relative to the API URL, query, optional form body.
  struct Call {
    HttpMethod method = HttpMethod::kGet;
    std::string path{};
    FormFields query{};
    std::optional<FormFields> form{};
    Replay replay = Replay::kSafe;
    bool notFoundAfterRetryIsSuccess = false;  // e.g. a delete whose first try went through
    long stallSeconds = 60;
  };
  Result<Json> callJson(const Call& call, Deadline deadline);

 private:
  // Performs a request built by `build` with auth, one refresh on 401 and retries; returns the
  // 2xx (or, with acceptRedirect, 3xx) response or the final Error.
  Result<HttpResponse> execute(const std::function<HttpRequest()>& build, Replay replay,
                               Deadline deadline, bool notFoundAfterRetryIsSuccess = false,
                               bool withAuth = true, bool acceptRedirect = false);
  Status sleepUnlessCancelled(Duration d, Deadline deadline);
  std::string url(const std::string& path, const FormFields& query = {}) const;
  std::string storagePath(const std::string& workspaceId, const std::string& nodeId,
                          const std::string& action) const;
  // The node a mutation answered with, or its details fetched by id when the answer is thin.
  Result<Node> nodeFromMutation(const Json& payload, const std::string& workspaceId,
                                const std::string& fallbackId, Deadline deadline);

  // Upload pieces (HttpUpload.cpp).
  Result<UploadResult> uploadSingleCall(const UploadRequest& request, const ByteSource& source,
                                        UploadObserver* observer, Deadline deadline);
  Result<UploadResult> uploadChunked(const UploadRequest& request, const ByteSource& source,
                                     UploadObserver* observer, Deadline deadline);
  Result<UploadResult> resumeChunked(const UploadRequest& request, const ByteSource& source,
                                     UploadObserver* observer, Deadline deadline);
  Status sendChunks(const std::string& sessionId, const UploadRequest& request, uint64_t chunkSize,
                    const std::map<uint32_t, uint64_t>& acknowledged, const ByteSource& source,
                    UploadObserver* observer, Deadline deadline);
  Result<UploadResult> completeAndWait(const std::string& sessionId, const UploadRequest& request,
                                       Deadline deadline);
  Result<WireUploadSession> waitUntilStored(const std::string& sessionId, Deadline deadline);
  // The stored node, read back with retries; never an error (see UploadResult).
  Result<UploadResult> resultForStoredFile(const UploadRequest& request, const std::string& fileId,
                                           const std::string& sessionId, Deadline deadline);
  // The node request.existingFileId when it already holds exactly `bytes` (md5), else nullopt.
  std::optional<Node> nodeHoldingBytes(const UploadRequest& request, const std::string& bytes,
                                       Deadline deadline);
  // Best-effort cancel of a session we give up on, with its own short deadline; logged.
  void cancelAbandoned(const std::string& sessionId, const std::string& why);
  FormFields sessionFields(const UploadRequest& request) const;

  HttpTransport& transport_;
  auth::TokenProvider& tokens_;
  HttpRemoteStoreOptions options_;
  Clock& clock_;

  std::mutex limitsMu_;
  std::optional<UploadLimits> cachedLimits_;
  SteadyTime limitsFetchedAt_{};
};

}  // namespace fastio::http
