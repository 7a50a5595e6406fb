// The shared RemoteStore contract (tests/client/RemoteStoreContract.h) run against
// HttpRemoteStore talking to a real fastio-emulator.

#include "tests/client/RemoteStoreContract.h"
#include "tests/client_http/EmulatorBackedStore.h"

namespace fastio::testing {
namespace {

class HttpEmulatorBackend final : public contract::ContractBackend {
 public:
  HttpEmulatorBackend() : backed_(options()) {}

  RemoteStore& store() override { return backed_.store(); }
  std::string freshWorkspace() override { return backed_.freshWorkspace(); }
  uint32_t listingPageSize() const override { return 100; }
  Status setIgnoreRange(bool ignore) override {
    return backed_.setFaults(std::string(R"({"ignore_range":)") + (ignore ? "true" : "false") +
                             "}");
  }
  Duration searchIndexLag() const override { return Seconds(20); }

 private:
  static http::HttpRemoteStoreOptions options() {
    http::HttpRemoteStoreOptions o;
    o.listPageSize = 100;  // so the paging test spans several pages quickly
    return o;
  }
  EmulatorBackedStore backed_;
};

INSTANTIATE_TEST_SUITE_P(Http, RemoteStoreContract,
                         ::testing::Values(contract::ContractBackendFactory{
                             "HttpEmulator",
                             [] { return std::make_unique<HttpEmulatorBackend>(); }}),
                         contract::contractBackendName);

}  // namespace
}  // namespace fastio::testing
