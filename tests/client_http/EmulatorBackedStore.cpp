#include "tests/client_http/EmulatorBackedStore.h"

#include <unistd.h>

#include <chrono>

namespace fastio::testing {

EmulatorBackedStore::EmulatorBackedStore(http::HttpRemoteStoreOptions options,
                                         std::vector<std::string> emulatorArgs) {
  EmulatorOptions emulatorOptions;
  emulatorOptions.extraArgs = std::move(emulatorArgs);
  emulator_ = std::make_unique<EmulatorProcess>(emulatorOptions);
  transport_ = std::make_unique<http::CurlTransport>();
  tokens_ = std::make_unique<auth::StaticTokenProvider>(emulator_->token());
  options.apiUrl = apiUrl();
  store_ = std::make_unique<http::HttpRemoteStore>(*transport_, *tokens_, options);
}

std::string EmulatorBackedStore::freshWorkspace() {
  const Deadline deadline = Deadline::after(std::chrono::seconds(30));
  Result<std::vector<Org>> orgs = store_->listOrgs(deadline);
  if (!orgs.ok() || orgs->empty()) {
    throw std::runtime_error("no org to create a workspace in: " +
                             (orgs.ok() ? std::string("none listed") : orgs.error().describe()));
  }
  CreateWorkspaceRequest request;
  request.orgId = orgs->front().id;
  request.folderName =
      "ws-" + std::to_string(::getpid()) + "-" + std::to_string(++workspaces_) + "-" +
      std::to_string(std::chrono::steady_clock::now().time_since_epoch().count() % 100000);
  request.name = "Test " + request.folderName;
  request.intelligence = true;
  Result<Workspace> created = store_->createWorkspace(request, deadline);
  if (!created.ok()) throw std::runtime_error("createWorkspace: " + created.error().describe());
  return created->id;
}

Status EmulatorBackedStore::setFaults(const std::string& json) {
  auto client = emulator_->client();
  httplib::Result r = json.empty() ? client->Post("/_emulator/reset", "", "application/json")
                                   : client->Post("/_emulator/faults", json, "application/json");
  if (!r) return makeError(ErrorCode::kUnavailable, "fault endpoint unreachable");
  if (r->status != 200) {
    return makeError(ErrorCode::kInvalid,
                     "fault endpoint answered " + std::to_string(r->status) + ": " + r->body);
  }
  return okStatus();
}

}  // namespace fastio::testing
