// The RemoteStore contract against InMemoryRemoteStore, in two configurations: the defaults,
// and one with a search index lag, tiny listing pages and tiny read pieces (so the paging,
// polling and offset bookkeeping of the contract are exercised hard).

#include "client/testing/InMemoryRemoteStore.h"
#include "tests/client/RemoteStoreContract.h"

namespace fastio::contract {
namespace {

struct InMemoryConfig {
  uint32_t pageSize = 100;
  uint64_t readPiece = 64 * 1024;
  Duration indexLag{0};
};

class InMemoryBackend final : public ContractBackend {
 public:
  explicit InMemoryBackend(InMemoryConfig config) : config_(config) {
    store_.setPageSize(config.pageSize);
    store_.setReadPieceSize(config.readPiece);
    store_.setSearchIndexLag(config.indexLag);
  }
  RemoteStore& store() override { return store_; }
  std::string freshWorkspace() override {
    return store_.addWorkspace("contract-" + std::to_string(++workspaces_));
  }
  uint32_t listingPageSize() const override { return config_.pageSize; }
  Status setIgnoreRange(bool ignore) override {
    store_.setIgnoreRange(ignore);
    return okStatus();
  }
  Duration searchIndexLag() const override { return config_.indexLag; }

 private:
  InMemoryConfig config_;
  testing::InMemoryRemoteStore store_;
  int workspaces_ = 0;
};

ContractBackendFactory inMemory(std::string name, InMemoryConfig config) {
  return ContractBackendFactory{std::move(name),
                                [config] { return std::make_unique<InMemoryBackend>(config); }};
}

}  // namespace
}  // namespace fastio::contract

INSTANTIATE_TEST_SUITE_P(InMemory, RemoteStoreContract,
                         ::testing::Values(fastio::contract::inMemory("Defaults", {}),
                                           fastio::contract::inMemory("LaggyIndexTinyPages",
                                                                      {3, 4096,
                                                                       fastio::Millis(300)})),
                         fastio::contract::contractBackendName);
