#pragma once
// Test doubles for the HTTP store: a transport whose answers a test scripts per request (and
// that records what was sent, multipart parts included), and a clock whose sleeps return at
// once but move time forward, so retry waits are measured without waiting.

#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "client/wire/HttpTransport.h"
#include "common/Clock.h"

namespace fastio::testing {

struct SentRequest {
  http::HttpMethod method = http::HttpMethod::kGet;
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::map<std::string, std::string> parts;  // multipart name -> content (streamed parts read)

  std::string header(const std::string& name) const {
    for (const auto& [n, v] : headers) {
      if (n == name) return v;
    }
    return {};
  }
  // The path of the URL without the query, relative to the API base "http://api.test/current".
  std::string path() const;
  std::string query(const std::string& name) const;
};

// What the script answers: a response (a body of a 2xx is streamed to the request's writer when
// it has one), optionally cut after `cutAfter` bytes with a transport error.
struct ScriptedReply {
  http::HttpResponse response;
  std::optional<size_t> cutAfter;
  std::optional<Error> error;  // a transport error instead of a response

  static ScriptedReply json(int status, std::string body,
                            std::map<std::string, std::string> headers = {});
  static ScriptedReply failure(ErrorCode code, std::string message);
};

class ScriptedTransport final : public http::HttpTransport {
 public:
  using Handler = std::function<ScriptedReply(const SentRequest&)>;
  explicit ScriptedTransport(Handler handler) : handler_(std::move(handler)) {}

  Result<http::HttpResponse> perform(const http::HttpRequest& request, Deadline deadline) override;

  std::vector<SentRequest> sent() const {
    std::lock_guard lock(mu_);
    return sent_;
  }
  size_t count(const std::string& pathPrefix) const;

 private:
  Handler handler_;
  mutable std::mutex mu_;
  std::vector<SentRequest> sent_;
};

class InstantClock final : public Clock {
 public:
  SteadyTime now() const override;
  std::chrono::system_clock::time_point wallNow() const override;
  void sleepFor(Duration d) override;
  Duration slept() const;
  std::vector<Duration> sleeps() const;

 private:
  mutable std::mutex mu_;
  Duration elapsed_{0};
  Duration slept_{0};
  std::vector<Duration> sleeps_;
};

inline constexpr const char* kTestApi = "http://api.test/current";

}  // namespace fastio::testing
