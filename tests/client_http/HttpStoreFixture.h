#pragma once
// Shared by the HttpRemoteStore unit tests: an HttpRemoteStore over a ScriptedTransport with an
// instant clock, and small reply and content builders.

#include <memory>
#include <string>

#include "client/auth/TokenProvider.h"
#include "client/http/HttpRemoteStore.h"
#include "tests/client_http/ScriptedTransport.h"

namespace fastio::http::testsupport {

using testing::InstantClock;
using testing::ScriptedReply;
using testing::ScriptedTransport;

inline ScriptedReply ok(const std::string& payloadJson) {
  return ScriptedReply::json(200, payloadJson);
}
inline ScriptedReply html503() {
  return ScriptedReply::json(503, "<html>Service Unavailable</html>",
                             {{"content-type", "text/html"}});
}

struct Fixture {
  explicit Fixture(ScriptedTransport::Handler handler, HttpRemoteStoreOptions options = {})
      : transport(std::move(handler)), tokens("T0K3N") {
    options.apiUrl = testing::kTestApi;
    store = std::make_unique<HttpRemoteStore>(transport, tokens, options, clock);
  }
  Deadline deadline(Duration d = std::chrono::minutes(10)) { return Deadline::after(d, clock); }

  InstantClock clock;
  ScriptedTransport transport;
  auth::StaticTokenProvider tokens;
  std::unique_ptr<HttpRemoteStore> store;
};

inline std::string nodeJson(const std::string& id, const std::string& name, uint64_t size = 0,
                            const std::string& type = "file") {
  return R"({"id":")" + id + R"(","name":")" + name + R"(","type":")" + type +
         R"(","parent":"root","size":)" + std::to_string(size) + R"(,"version":"v-)" + id + "\"}";
}

inline std::string sampleContent(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + i / 26) % 26);
  return s;
}

}  // namespace fastio::http::testsupport
