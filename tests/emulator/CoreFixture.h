#pragma once
// A started emulator with one workspace ("core-ws") and helpers for the core route tests.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "tests/support/ApiClient.h"
#include "tests/support/EmulatorProcess.h"

namespace fastio::emu::testing {

using fastio::testing::ApiClient;
using fastio::testing::ApiReply;
using fastio::testing::EmulatorOptions;
using fastio::testing::EmulatorProcess;

class CoreTest : public ::testing::Test {
 protected:
  void SetUp() override;

  ApiClient api() const { return ApiClient(emulator->port(), emulator->token()); }
  ApiClient anonymous() const { return ApiClient(emulator->port(), ""); }
  // "/current/workspace/<ws id>/storage/" + tail
  std::string storage(const std::string& tail) const;

  std::string orgId() const;
  // Creates a workspace; returns its id.
  std::string createWorkspace(const std::string& folderName, bool intelligence = false) const;
  // Single-call upload into `parent`; returns the node id.
  std::string upload(const std::string& parent, const std::string& name,
                     const std::string& bytes) const;
  // createfolder; returns the node id.
  std::string mkdir(const std::string& parent, const std::string& name) const;
  nlohmann::json details(const std::string& nodeId) const;
  std::string read(const std::string& nodeId, const std::string& query = "") const;
  ApiReply setFaults(const std::string& json) const;

  std::unique_ptr<EmulatorProcess> emulator;
  std::string wsId;
};

}  // namespace fastio::emu::testing
