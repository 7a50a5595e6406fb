#pragma once
// The RemoteStore contract: ONE test body (RemoteStoreContract.cpp) that every RemoteStore
// implementation must pass — InMemoryRemoteStore here, HttpRemoteStore + fastio-emulator in
// tests/client_http/. When the two disagree, one of them is not faithful to the service.
//
// To run it against another backend:
//
//   1. Implement ContractBackend (a new instance is made for every test, and destroyed after):
//
//        class HttpEmulatorBackend final : public fastio::contract::ContractBackend {
//         public:
//          HttpEmulatorBackend();                         // start the emulator, build the store
//          RemoteStore& store() override;
//          std::string freshWorkspace() override;         // createWorkspace(..., intelligence on)
//          uint32_t listingPageSize() const override;     // the page_size the store asks for
//          Status setIgnoreRange(bool ignore) override;   // POST /_emulator/faults ignore_range
//          Duration searchIndexLag() const override;      // how long indexing may take
//        };
//
//   2. Instantiate the suite in a test file of your binary:
//
//        INSTANTIATE_TEST_SUITE_P(
//            Http, RemoteStoreContract,
//            ::testing::Values(fastio::contract::ContractBackendFactory{
//                "HttpEmulator", [] { return std::make_unique<HttpEmulatorBackend>(); }}),
//            fastio::contract::contractBackendName);
//
//   3. Link the contract body into the binary (it is an OBJECT library, so the TEST_Ps are kept):
//
//        fastio_add_test(client_http_contract_test SOURCES HttpContractTest.cpp
//                        LIBS fastio_remote_store_contract fastio_client_http ... LABELS emulator)
//
// Decisions the contract makes where fastio-api.md leaves the wire open ([U]), so that both
// backends answer alike (the HTTP store maps the server's answers onto these):
// - nodeDetails: a node in the trash (or inside a trashed folder) is reported in missingIds.
// - read: a range starting at or past the end of the file succeeds with no bytes (HTTP 416);
//   length 0 means "to the end"; a range running past the end is cut at the end.
// - a folder/file name clash on createFolder, and a rename onto an existing name -> kInvalid.
// - pollActivity with an empty marker returns at once with a marker to pass next time; a poll
//   that times out returns ok with no keys; a change to a node yields a "storage..." key.
// - locks: a second acquire, and a heartbeat or release without the current token -> kConflict.
// - a source error during upload is returned as is (its code is kept) and ends the session: it
//   is cancelled, and resuming it is kNotFound. The deadline passing mid-upload leaves it
//   resumable.
// - upload CAS (ifVersionId) without existingFileId -> kInvalid; a stale version -> kConflict,
//   whether the server refuses the session at once or fails it when it is stored.

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "client/RemoteStore.h"

namespace fastio::contract {

class ContractBackend {
 public:
  virtual ~ContractBackend() = default;
  virtual RemoteStore& store() = 0;
  // Creates a new, empty workspace with intelligence on and returns its id.
  virtual std::string freshWorkspace() = 0;
  // Nodes per listing page the store receives; the paging test spans more than two pages.
  virtual uint32_t listingPageSize() const = 0;
  // Makes the server answer ranged reads with the whole body (true) or honour Range (false).
  virtual Status setIgnoreRange(bool ignore) = 0;
  // How long a new file may take to appear in search results.
  virtual Duration searchIndexLag() const { return Seconds(60); }
};

struct ContractBackendFactory {
  std::string name;
  std::function<std::unique_ptr<ContractBackend>()> make;
};

// Names the instantiation after the backend (for --gtest_filter and readable output).
std::string contractBackendName(const ::testing::TestParamInfo<ContractBackendFactory>& info);
// gtest prints parameters; print the backend's name instead of its bytes.
void PrintTo(const ContractBackendFactory& factory, std::ostream* os);

}  // namespace fastio::contract

class RemoteStoreContract
    : public ::testing::TestWithParam<fastio::contract::ContractBackendFactory> {
 protected:
  void SetUp() override;
  void TearDown() override;

  fastio::RemoteStore& store() { return backend_->store(); }
  fastio::contract::ContractBackend& backend() { return *backend_; }
  const std::string& ws() const { return ws_; }

  std::unique_ptr<fastio::contract::ContractBackend> backend_;
  std::string ws_;
};
