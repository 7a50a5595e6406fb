#include "tests/client_http/ScriptedTransport.h"

#include "client/wire/UrlEncoding.h"

namespace fastio::testing {

std::string SentRequest::path() const {
  std::string p = url.substr(0, url.find('?'));
  const std::string base = kTestApi;
  if (p.rfind(base, 0) == 0) p = p.substr(base.size());
  return p;
}

std::string SentRequest::query(const std::string& name) const {
  const auto q = url.find('?');
  if (q == std::string::npos) return {};
  std::string rest = url.substr(q + 1);
  size_t start = 0;
  while (start <= rest.size()) {
    const auto end = rest.find('&', start);
    const std::string pair =
        rest.substr(start, end == std::string::npos ? std::string::npos : end - start);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) == name) return eq == std::string::npos ? "" : pair.substr(eq + 1);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return {};
}

ScriptedReply ScriptedReply::json(int status, std::string body,
                                  std::map<std::string, std::string> headers) {
  ScriptedReply r;
  r.response.status = status;
  r.response.body = std::move(body);
  r.response.headers = std::move(headers);
  if (!r.response.headers.count("content-type")) {
    r.response.headers["content-type"] = "application/json";
  }
  return r;
}

ScriptedReply ScriptedReply::failure(ErrorCode code, std::string message) {
  ScriptedReply r;
  r.error = makeError(code, std::move(message));
  return r;
}

Result<http::HttpResponse> ScriptedTransport::perform(const http::HttpRequest& request, Deadline) {
  SentRequest sent;
  sent.method = request.method;
  sent.url = request.url;
  sent.headers = request.headers;
  sent.body = request.body;
  for (const http::MultipartPart& part : request.multipart) {
    if (part.reader) {
      std::string content(part.size, '\0');
      size_t got = 0;
      while (got < content.size()) {
        Result<size_t> n = part.reader(got, content.data() + got, content.size() - got);
        if (!n.ok()) return n.error();
        if (*n == 0) break;
        got += *n;
      }
      content.resize(got);
      sent.parts[part.name] = std::move(content);
    } else {
      sent.parts[part.name] = part.value;
    }
  }
  {
    std::lock_guard lock(mu_);
    sent_.push_back(sent);
  }
  ScriptedReply reply = handler_(sent);
  if (reply.error) return *reply.error;
  http::HttpResponse response = std::move(reply.response);
  if (response.success() && request.responseWriter) {
    std::string body = std::move(response.body);
    response.body.clear();
    const size_t limit = reply.cutAfter ? std::min(*reply.cutAfter, body.size()) : body.size();
    // Deliver in a few pieces, as a network would.
    for (size_t pos = 0; pos < limit;) {
      const size_t n = std::min<size_t>(limit - pos, 7);
      Status st = request.responseWriter(response, std::string_view(body).substr(pos, n));
      if (!st.ok()) return st.error();
      response.streamedBytes += n;
      pos += n;
    }
    if (reply.cutAfter) return makeError(ErrorCode::kUnavailable, "connection reset (scripted)");
  }
  return response;
}

size_t ScriptedTransport::count(const std::string& pathPrefix) const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const SentRequest& s : sent_) {
    if (s.path().rfind(pathPrefix, 0) == 0) ++n;
  }
  return n;
}

SteadyTime InstantClock::now() const {
  std::lock_guard lock(mu_);
  return SteadyTime{} + std::chrono::hours(1) + elapsed_;
}

std::chrono::system_clock::time_point InstantClock::wallNow() const {
  std::lock_guard lock(mu_);
  // 2026-01-01 00:00:00 UTC plus the time slept.
  return std::chrono::system_clock::time_point{} + std::chrono::seconds(1767225600) +
         std::chrono::duration_cast<std::chrono::system_clock::duration>(elapsed_);
}

void InstantClock::sleepFor(Duration d) {
  std::lock_guard lock(mu_);
  elapsed_ += d;
  slept_ += d;
  sleeps_.push_back(d);
}

Duration InstantClock::slept() const {
  std::lock_guard lock(mu_);
  return slept_;
}

std::vector<Duration> InstantClock::sleeps() const {
  std::lock_guard lock(mu_);
  return sleeps_;
}

}  // namespace fastio::testing
