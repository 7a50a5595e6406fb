#pragma once
// The seam between HttpRemoteStore and the network: performs one HTTP exchange, no retries.
// CurlTransport is the real one; tests script a fake to drive the store's logic offline.

#include "client/wire/HttpMessage.h"
#include "common/Deadline.h"
#include "common/Result.h"

namespace fastio::http {

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Transport failures (connect, reset, timeout, cancel, sink error) come back as an Error with
  // a class from common/Error.h; any HTTP status, including 4xx/5xx, is a successful exchange.
  virtual Result<HttpResponse> perform(const HttpRequest& request, Deadline deadline) = 0;
};

}  // namespace fastio::http
