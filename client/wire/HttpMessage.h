#pragma once
// One HTTP exchange as the client sees it, independent of libcurl: what to send (possibly a
// streamed body or multipart parts), and what came back. Response bodies of successful calls can
// be streamed to a sink; error bodies are always buffered (bounded) for the decoder.

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/Result.h"

namespace fastio::http {

// Pulls request-body bytes: fill `out` with up to `length` bytes from `offset` of the body.
using BodyReader = std::function<Result<size_t>(uint64_t offset, char* out, size_t length)>;

struct HttpResponse;

// Receives the bytes of a 2xx response body as they arrive, with the response's status and
// headers (so a ranged read can tell 206 from 200). An error aborts the transfer.
using BodyWriter = std::function<Status(const HttpResponse& head, std::string_view bytes)>;

// Shared flag: set it to abort the transfers that carry it (unmount, interrupt).
using CancelFlag = std::shared_ptr<std::atomic<bool>>;

struct MultipartPart {
  std::string name;
  std::string value;        // used when reader is empty
  std::string filename;     // non-empty marks a file part
  std::string contentType;  // for file parts
  BodyReader reader;        // streams a file part of `size` bytes
  uint64_t size = 0;
};

enum class HttpMethod { kGet, kPost, kPut, kDelete };

std::string_view methodName(HttpMethod method);

struct HttpRequest {
  HttpMethod method = HttpMethod::kGet;
  std::string url;                                           // absolute, query string included
  std::vector<std::pair<std::string, std::string>> headers;  // may hold Authorization

  // Body: at most one of these forms.
  std::string body;                      // form-encoded or JSON text
  std::string contentType;               // for `body` or `streamBody`
  std::vector<MultipartPart> multipart;  // multipart/form-data when non-empty
  BodyReader streamBody;                 // raw body of streamBodySize bytes
  uint64_t streamBodySize = 0;

  BodyWriter responseWriter;  // set: a 2xx body streams here instead of HttpResponse::body
  long stallSeconds = 60;     // abort when no byte moves for this long (0 = never)
  CancelFlag cancel;          // optional
  // Text safe to show in logs and errors (the path, never a query that may carry a token).
  std::string logName;
};

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased; last value wins
  std::string body;                            // buffered body (error bodies, JSON answers)
  uint64_t streamedBytes = 0;                  // bytes handed to responseWriter

  std::optional<std::string> header(const std::string& lowerName) const {
    auto it = headers.find(lowerName);
    if (it == headers.end()) return std::nullopt;
    return it->second;
  }
  bool success() const { return status >= 200 && status < 300; }
};

}  // namespace fastio::http
