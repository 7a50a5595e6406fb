#pragma once
// Advisory node locks (they do not block writes), kept in the lock columns of the nodes table.
// Acquire, heartbeat and release hold the writer from their check to their update; the status
// is a read on a pooled connection.

#include <optional>
#include <string>

#include "common/Result.h"
#include "emulator/state/StateBackend.h"
#include "emulator/state/StateTypes.h"

namespace fastio::emu {

class NodeLocks {
 public:
  explicit NodeLocks(const StateBackend& backend) : b_(backend) {}

  // 409 while another unexpired lock is held.
  Result<LockRecord> acquire(const std::string& workspaceId, const std::string& nodeId,
                             int durationSec, const std::string& clientInfo);
  // nullopt when the node is not locked.
  Result<std::optional<LockRecord>> status(const std::string& workspaceId,
                                           const std::string& nodeId) const;
  // Extends by durationSec, or by the lock's own duration when durationSec is 0.
  Result<LockRecord> heartbeat(const std::string& workspaceId, const std::string& nodeId,
                               const std::string& lockToken, int durationSec);
  Status release(const std::string& workspaceId, const std::string& nodeId,
                 const std::string& lockToken);

 private:
  StateBackend b_;
};

}  // namespace fastio::emu
