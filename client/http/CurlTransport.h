#pragma once
// HttpTransport over libcurl. Easy handles are pooled, each keeping its kept-alive connection,
// and share the DNS and TLS session caches, so a call reuses a connection instead of a new
// TCP/TLS handshake (a connection that saw a failure is closed, not reused). At most maxConcurrent
// transfers run at once; callers beyond that wait (bounded by their deadline). TLS peer and host
// verification are always on.

#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "client/wire/HttpTransport.h"
#include "common/Version.h"

namespace fastio::http {

struct CurlTransportOptions {
  int maxConcurrent = 16;
  long connectTimeoutMs = 15000;
  size_t maxBufferedBody = 64u << 20;  // cap for bodies held in memory (JSON, error pages)
  std::string userAgent = "fastiofs/" + std::string(fastioVersion());
  std::string caBundle;  // empty = system default
};

class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(CurlTransportOptions options = {});
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  Result<HttpResponse> perform(const HttpRequest& request, Deadline deadline) override;

  // Aborts every transfer in progress and makes later ones fail with kCancelled.
  void cancelAll();

 private:
  struct Shared;
  void* acquireHandle();
  void releaseHandle(void* handle);
  Status waitForSlot(Deadline deadline);
  void releaseSlot();

  CurlTransportOptions options_;
  std::unique_ptr<Shared> shared_;
  std::mutex poolMu_;
  std::vector<void*> idle_;
  std::condition_variable slotCv_;
  int active_ = 0;
  std::shared_ptr<std::atomic<bool>> cancelled_;
};

}  // namespace fastio::http
