#pragma once
// Download tokens (requestread/): valid for one hour, reusable until then, bound to one node,
// kept in memory only (a restart invalidates them). The map sits behind a shared_mutex: checks
// share it, minting takes it exclusively (and drops expired tokens).

#include <cstdint>
#include <map>
#include <shared_mutex>
#include <string>

#include "common/Result.h"
#include "emulator/state/StateDb.h"

namespace fastio::emu {

class ReadTokens {
 public:
  explicit ReadTokens(StateDb& db) : db_(db) {}

  // For a live file (404 / 406 otherwise).
  Result<std::string> mint(const std::string& workspaceId, const std::string& nodeId);
  bool check(const std::string& token, const std::string& workspaceId,
             const std::string& nodeId) const;

 private:
  struct Grant {
    std::string workspaceId;
    std::string nodeId;
    std::int64_t expiresUs;
  };
  StateDb& db_;
  mutable std::shared_mutex mu_;
  std::map<std::string, Grant> grants_;
};

}  // namespace fastio::emu
