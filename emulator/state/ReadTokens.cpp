#include "emulator/state/ReadTokens.h"

#include <iterator>
#include <mutex>

#include "emulator/ApiCodes.h"
#include "emulator/http/OpaqueId.h"
#include "emulator/state/NodeQueries.h"
#include "emulator/state/RandomText.h"
#include "emulator/state/StateClock.h"

namespace fastio::emu {

namespace {

constexpr std::int64_t kLifetimeUs = std::int64_t{3600} * 1000000;

}  // namespace

Result<std::string> ReadTokens::mint(const std::string& workspaceId, const std::string& nodeId) {
  std::string canonicalNodeId;
  {
    FASTIO_TRY_ASSIGN(auto reader, db_.read());
    FASTIO_TRY_ASSIGN(auto n, NodeQueries(reader.db()).requireLiveNode(workspaceId, nodeId));
    if (!n.isFile()) return invalidInput("The node " + nodeId + " is a folder, not a file.");
    canonicalNodeId = n.id;
  }
  std::int64_t now = nowMicros();
  std::string token = "rt" + randomHex(20);
  std::unique_lock lock(mu_);
  for (auto it = grants_.begin(); it != grants_.end();) {
    it = it->second.expiresUs <= now ? grants_.erase(it) : std::next(it);
  }
  grants_[token] = {workspaceId, canonicalNodeId, now + kLifetimeUs};
  return token;
}

bool ReadTokens::check(const std::string& token, const std::string& workspaceId,
                       const std::string& nodeId) const {
  auto id = normalizeOpaqueId(nodeId);
  if (!id) return false;
  std::shared_lock lock(mu_);
  auto it = grants_.find(token);
  return it != grants_.end() && it->second.workspaceId == workspaceId && it->second.nodeId == *id &&
         it->second.expiresUs > nowMicros();
}

}  // namespace fastio::emu
