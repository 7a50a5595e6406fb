#pragma once
// HttpRemoteStore wired to a freshly started fastio-emulator (127.0.0.1, free port, temp data
// directory; all cleaned up by the destructor, also when a test fails), plus the fault knobs.

#include <memory>
#include <string>

#include "client/auth/TokenProvider.h"
#include "client/http/CurlTransport.h"
#include "client/http/HttpRemoteStore.h"
#include "tests/support/EmulatorProcess.h"

namespace fastio::testing {

class EmulatorBackedStore {
 public:
  explicit EmulatorBackedStore(http::HttpRemoteStoreOptions options = {},
                               std::vector<std::string> emulatorArgs = {"--ai-delay-ms", "200"});

  http::HttpRemoteStore& store() { return *store_; }
  EmulatorProcess& emulator() { return *emulator_; }
  std::string apiUrl() const { return emulator_->baseUrl() + "/current"; }

  // A new workspace (intelligence on) in the account's first org; returns its id.
  std::string freshWorkspace();
  // POST /_emulator/faults with this JSON object; /_emulator/reset when empty.
  Status setFaults(const std::string& json);

 private:
  std::unique_ptr<EmulatorProcess> emulator_;
  std::unique_ptr<http::CurlTransport> transport_;
  std::unique_ptr<auth::StaticTokenProvider> tokens_;
  std::unique_ptr<http::HttpRemoteStore> store_;
  int workspaces_ = 0;
};

}  // namespace fastio::testing
