#pragma once
// A started fastio-emulator (tests/support/EmulatorProcess; seeded with one workspace,
// "upload-ws", OAuth auto-approve on) and the small HTTP helpers the upload and OAuth tests share.

#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "tests/support/EmulatorProcess.h"
#include "tests/support/TempDir.h"

namespace fastio::emu::testing {

inline constexpr char kWorkspace[] = "upload-ws";
inline constexpr std::size_t kMiB = 1024 * 1024;

struct Reply {
  int status = 0;  // 0 = no response at all
  nlohmann::json json;
  std::string body;
  httplib::Headers headers;
};

class UploadHttpTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

 public:  // helpers, also for free functions of the tests
  // Kills the emulator with SIGKILL and starts it again on the same data directory.
  void crashAndRestart();

  std::unique_ptr<httplib::Client> client() const;
  Reply get(const std::string& path) const;
  Reply postForm(const std::string& path, const httplib::Params& form) const;
  Reply postMultipart(const std::string& path, const httplib::MultipartFormDataItems& items) const;
  Reply del(const std::string& path) const;
  Reply postRoot(const std::string& path, const std::string& json) const;  // /_emulator/...

  // POST /upload/ without a chunk: a chunked session of `size` bytes; returns its id.
  std::string createSession(const std::string& name, std::uint64_t size,
                            const httplib::Params& extra = {}) const;
  Reply sendChunk(const std::string& id, int order, const std::string& bytes,
                  const std::string& hash = "", const std::string& algo = "") const;
  // Long-polls details until a terminal status (or ~60 s) and returns the session object.
  nlohmann::json waitForTerminal(const std::string& id) const;
  // The current content of a file node.
  std::optional<std::string> readFile(const std::string& nodeId) const;

  std::unique_ptr<fastio::testing::EmulatorProcess> emulator;
  fastio::testing::TempDir seedDir{"fastio-upload-seed"};
  std::string token = "upload-test-token";
};

std::string randomBytes(std::size_t n, unsigned seed);
std::string hexDigest(const std::string& bytes, const std::string& algo);

}  // namespace fastio::emu::testing
