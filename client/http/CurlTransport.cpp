#include "client/http/CurlTransport.h"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <mutex>

#include "client/http/RetryPolicy.h"

namespace fastio::http {

std::string_view methodName(HttpMethod method) {
  switch (method) {
    case HttpMethod::kGet:
      return "GET";
    case HttpMethod::kPost:
      return "POST";
    case HttpMethod::kPut:
      return "PUT";
    case HttpMethod::kDelete:
      return "DELETE";
  }
  return "GET";
}

namespace {

void globalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// State of one transfer, reached from curl's C callbacks.
struct Transfer {
  const HttpRequest* request = nullptr;
  HttpResponse response;
  CURL* handle = nullptr;
  size_t maxBuffered = 0;
  std::optional<Error> callbackError;  // set when a sink/source/cap aborted the transfer
  const std::atomic<bool>* transportCancelled = nullptr;
  uint64_t uploadOffset = 0;  // streamed request body position
};

struct PartSource {
  Transfer* transfer = nullptr;
  const MultipartPart* part = nullptr;
  uint64_t offset = 0;
};

size_t onHeader(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  std::string_view line(data, n);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  if (line.rfind("HTTP/", 0) == 0) {
    t->response.headers.clear();  // a new response (after 100-continue or a redirect)
    return n;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  t->response.headers[name] = std::string(value);
  return n;
}

size_t onBody(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  long status = 0;
  curl_easy_getinfo(t->handle, CURLINFO_RESPONSE_CODE, &status);
  if (status >= 200 && status < 300 && t->request->responseWriter) {
    t->response.status = static_cast<int>(status);
    Status st = t->request->responseWriter(t->response, std::string_view(data, n));
    if (!st.ok()) {
      t->callbackError = st.error();
      return 0;  // makes curl stop with CURLE_WRITE_ERROR
    }
    t->response.streamedBytes += n;
    return n;
  }
  if (t->response.body.size() + n > t->maxBuffered) {
    t->callbackError =
        makeError(ErrorCode::kProtocol, "response body of " + t->request->logName + " exceeds " +
                                            std::to_string(t->maxBuffered) + " bytes");
    return 0;
  }
  t->response.body.append(data, n);
  return n;
}

int onProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  const bool cancelled = (t->request->cancel && t->request->cancel->load()) ||
                         (t->transportCancelled && t->transportCancelled->load());
  if (cancelled) {
    t->callbackError = makeError(ErrorCode::kCancelled, t->request->logName + " was cancelled");
    return 1;
  }
  return 0;
}

size_t readFromReader(const BodyReader& reader, uint64_t& offset, Transfer* t, char* out,
                      size_t length) {
  Result<size_t> got = reader(offset, out, length);
  if (!got.ok()) {
    t->callbackError = got.error();
    return CURL_READFUNC_ABORT;
  }
  offset += *got;
  return *got;
}

size_t onStreamRead(char* out, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  return readFromReader(t->request->streamBody, t->uploadOffset, t, out, size * count);
}

int onStreamSeek(void* user, curl_off_t offset, int origin) {
  auto* t = static_cast<Transfer*>(user);
  if (origin != SEEK_SET || offset < 0) return CURL_SEEKFUNC_CANTSEEK;
  t->uploadOffset = static_cast<uint64_t>(offset);
  return CURL_SEEKFUNC_OK;
}

size_t onPartRead(char* out, size_t size, size_t count, void* user) {
  auto* src = static_cast<PartSource*>(user);
  const uint64_t left = src->part->size - std::min(src->offset, src->part->size);
  const size_t want = static_cast<size_t>(std::min<uint64_t>(left, size * count));
  if (want == 0) return 0;
  return readFromReader(src->part->reader, src->offset, src->transfer, out, want);
}

int onPartSeek(void* user, curl_off_t offset, int origin) {
  auto* src = static_cast<PartSource*>(user);
  if (origin != SEEK_SET || offset < 0) return CURL_SEEKFUNC_CANTSEEK;
  src->offset = static_cast<uint64_t>(offset);
  return CURL_SEEKFUNC_OK;
}

Error curlError(CURLcode code, const Transfer& t, const Deadline& deadline) {
  const std::string what = t.request->logName.empty() ? "request" : t.request->logName;
  const std::string detail = std::string(curl_easy_strerror(code));
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      if (deadline.expired()) {
        return makeError(ErrorCode::kDeadline, what + " did not finish before its deadline");
      }
      return makeError(ErrorCode::kUnavailable, what + " stalled: " + detail);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      return makeError(ErrorCode::kDenied,
                       what + ": TLS certificate verification failed: " + detail);
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY: {
      Error e = makeError(ErrorCode::kUnavailable, what + ": " + detail);
      e.remoteCode = kRequestNotSent;
      return e;
    }
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return makeError(ErrorCode::kInvalid, what + ": bad URL: " + detail);
    default:
      return makeError(ErrorCode::kUnavailable, what + ": " + detail);
  }
}

}  // namespace

struct CurlTransport::Shared {
  CURLSH* share = nullptr;
  std::array<std::mutex, CURL_LOCK_DATA_LAST> locks;

  static void lock(CURL*, curl_lock_data data, curl_lock_access, void* user) {
    static_cast<Shared*>(user)->locks[static_cast<size_t>(data)].lock();
  }
  static void unlock(CURL*, curl_lock_data data, void* user) {
    static_cast<Shared*>(user)->locks[static_cast<size_t>(data)].unlock();
  }
};

CurlTransport::CurlTransport(CurlTransportOptions options)
    : options_(std::move(options)),
      shared_(std::make_unique<Shared>()),
      cancelled_(std::make_shared<std::atomic<bool>>(false)) {
  globalInitOnce();
  options_.maxConcurrent = std::max(1, options_.maxConcurrent);
  shared_->share = curl_share_init();
  curl_share_setopt(shared_->share, CURLSHOPT_LOCKFUNC, &Shared::lock);
  curl_share_setopt(shared_->share, CURLSHOPT_UNLOCKFUNC, &Shared::unlock);
  curl_share_setopt(shared_->share, CURLSHOPT_USERDATA, shared_.get());
  curl_share_setopt(shared_->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  curl_share_setopt(shared_->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  // Connections stay with their easy handle (not shared), so a handle whose connection may be
  // unusable can be discarded together with it; see perform().
}

CurlTransport::~CurlTransport() {
  for (void* h : idle_) curl_easy_cleanup(static_cast<CURL*>(h));
  curl_share_cleanup(shared_->share);
}

void CurlTransport::cancelAll() {
  cancelled_->store(true);
  std::lock_guard lock(poolMu_);
  slotCv_.notify_all();
}

void* CurlTransport::acquireHandle() {
  {
    std::lock_guard lock(poolMu_);
    if (!idle_.empty()) {
      void* h = idle_.back();
      idle_.pop_back();
      return h;
    }
  }
  return curl_easy_init();
}

void CurlTransport::releaseHandle(void* handle) {
  curl_easy_reset(static_cast<CURL*>(handle));
  std::lock_guard lock(poolMu_);
  idle_.push_back(handle);
}

Status CurlTransport::waitForSlot(Deadline deadline) {
  std::unique_lock lock(poolMu_);
  auto ready = [&] { return active_ < options_.maxConcurrent || cancelled_->load(); };
  if (deadline.remainingMillis() < 0) {
    slotCv_.wait(lock, ready);
  } else if (!slotCv_.wait_for(lock, deadline.remaining(), ready)) {
    return makeError(ErrorCode::kDeadline, "no free connection slot before the deadline");
  }
  if (cancelled_->load()) return makeError(ErrorCode::kCancelled, "transport shut down");
  ++active_;
  return okStatus();
}

void CurlTransport::releaseSlot() {
  std::lock_guard lock(poolMu_);
  --active_;
  slotCv_.notify_one();
}

Result<HttpResponse> CurlTransport::perform(const HttpRequest& request, Deadline deadline) {
  if (deadline.expired()) {
    return makeError(ErrorCode::kDeadline, request.logName + ": deadline already passed");
  }
  FASTIO_TRY(waitForSlot(deadline));
  CURL* h = static_cast<CURL*>(acquireHandle());
  if (h == nullptr) {
    releaseSlot();
    return makeError(ErrorCode::kInternal, "curl_easy_init failed");
  }

  Transfer t;
  t.request = &request;
  t.handle = h;
  t.maxBuffered = options_.maxBufferedBody;
  t.transportCancelled = cancelled_.get();

  curl_easy_setopt(h, CURLOPT_SHARE, shared_->share);
  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options_.caBundle.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, options_.caBundle.c_str());
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(h, CURLOPT_BUFFERSIZE, 512L * 1024L);
  curl_easy_setopt(h, CURLOPT_UPLOAD_BUFFERSIZE, 512L * 1024L);
  curl_easy_setopt(h, CURLOPT_USERAGENT, options_.userAgent.c_str());

  const long remainingMs = static_cast<long>(deadline.remainingMillis());
  if (remainingMs >= 0) {
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, std::max(1L, remainingMs));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     std::max(1L, std::min(remainingMs, options_.connectTimeoutMs)));
  } else {
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, options_.connectTimeoutMs);
  }
  if (request.stallSeconds > 0) {
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, request.stallSeconds);
  }

  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &onHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &onBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, &onProgress);
  curl_easy_setopt(h, CURLOPT_XFERINFODATA, &t);

  curl_slist* headers = nullptr;
  for (const auto& [name, value] : request.headers) {
    headers = curl_slist_append(headers, (name + ": " + value).c_str());
  }
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip

  curl_mime* mime = nullptr;
  std::vector<PartSource> partSources;
  partSources.reserve(request.multipart.size());
  switch (request.method) {
    case HttpMethod::kGet:
      curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
      break;
    case HttpMethod::kDelete:
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "DELETE");
      break;
    case HttpMethod::kPost:
    case HttpMethod::kPut:
      if (request.method == HttpMethod::kPut) curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "PUT");
      if (!request.multipart.empty()) {
        mime = curl_mime_init(h);
        for (const MultipartPart& p : request.multipart) {
          curl_mimepart* part = curl_mime_addpart(mime);
          curl_mime_name(part, p.name.c_str());
          if (p.reader) {
            partSources.push_back(PartSource{&t, &p, 0});
            curl_mime_data_cb(part, static_cast<curl_off_t>(p.size), &onPartRead, &onPartSeek,
                              nullptr, &partSources.back());
          } else {
            curl_mime_data(part, p.value.data(), p.value.size());
          }
          if (!p.filename.empty()) curl_mime_filename(part, p.filename.c_str());
          if (!p.contentType.empty()) curl_mime_type(part, p.contentType.c_str());
        }
        curl_easy_setopt(h, CURLOPT_MIMEPOST, mime);
      } else if (request.streamBody) {
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_READFUNCTION, &onStreamRead);
        curl_easy_setopt(h, CURLOPT_READDATA, &t);
        curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, &onStreamSeek);
        curl_easy_setopt(h, CURLOPT_SEEKDATA, &t);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(request.streamBodySize));
      } else {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.c_str());
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(request.body.size()));
      }
      if (!request.contentType.empty() && request.multipart.empty()) {
        headers = curl_slist_append(headers, ("Content-Type: " + request.contentType).c_str());
      }
      break;
  }
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);

  const CURLcode code = curl_easy_perform(h);
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);

  curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(h, CURLOPT_MIMEPOST, nullptr);
  curl_slist_free_all(headers);
  if (mime != nullptr) curl_mime_free(mime);
  // A server that rejects a request before reading its body may keep the connection open with
  // the unread body in it, and the next request on it would be parsed as garbage. So after a
  // failure, or an error status to a request that carried a body, the connection is closed.
  const bool carriedBody =
      !request.multipart.empty() || request.streamBody || !request.body.empty();
  if (code != CURLE_OK || (carriedBody && status >= 300)) {
    curl_easy_cleanup(h);
  } else {
    releaseHandle(h);
  }
  releaseSlot();

  if (code != CURLE_OK) {
    if (t.callbackError) return *t.callbackError;
    return curlError(code, t, deadline);
  }
  t.response.status = static_cast<int>(status);
  return std::move(t.response);
}

}  // namespace fastio::http
