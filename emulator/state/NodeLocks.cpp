#include "emulator/state/NodeLocks.h"

#include "emulator/ApiCodes.h"
#include "emulator/state/NodeQueries.h"
#include "emulator/state/RandomText.h"
#include "emulator/state/StateClock.h"

namespace fastio::emu {

namespace {

Error notTheLockHolder() {
  return conflict("The lock_token does not hold a current lock on this node.");
}

}  // namespace

Result<LockRecord> NodeLocks::acquire(const std::string& workspaceId, const std::string& nodeId,
                                      int durationSec, const std::string& clientInfo) {
  LockRecord lockRec;
  std::string parent;
  std::string id;
  {
    auto writer = b_.db.write();
    FASTIO_TRY_ASSIGN(auto n, NodeQueries(writer.db()).requireLiveNode(workspaceId, nodeId));
    if (n.lock) {
      return apiError(
          ErrorCode::kConflict, 409, code::kConflict,
          "The node is already locked until " + formatIsoSeconds(n.lock->expiresUs) + ".");
    }
    std::int64_t now = nowMicros();
    lockRec = {randomHex(16), clientInfo, now, now + std::int64_t{durationSec} * 1000000};
    FASTIO_TRY_ASSIGN(
        auto st,
        writer.db().prepare(
            "UPDATE nodes SET lock_token = ?2, lock_client_info = ?3, lock_acquired_us = ?4, "
            "lock_expires_us = ?5, lock_duration = ?6 WHERE id = ?1"));
    st.bind(1, n.id).bind(2, lockRec.token).bind(3, clientInfo).bind(4, lockRec.acquiredUs);
    st.bind(5, lockRec.expiresUs).bind(6, std::int64_t{durationSec});
    FASTIO_TRY(st.run());
    parent = n.parentId;
    id = n.id;
  }
  b_.activity.publish(workspaceId, {"storage:" + id, "storage:" + parent});
  return lockRec;
}

Result<std::optional<LockRecord>> NodeLocks::status(const std::string& workspaceId,
                                                    const std::string& nodeId) const {
  FASTIO_TRY_ASSIGN(auto reader, b_.db.read());
  FASTIO_TRY_ASSIGN(auto n, NodeQueries(reader.db()).requireLiveNode(workspaceId, nodeId));
  return n.lock;
}

Result<LockRecord> NodeLocks::heartbeat(const std::string& workspaceId, const std::string& nodeId,
                                        const std::string& lockToken, int durationSec) {
  auto writer = b_.db.write();
  FASTIO_TRY_ASSIGN(auto n, NodeQueries(writer.db()).requireLiveNode(workspaceId, nodeId));
  if (!n.lock || n.lock->token != lockToken) return notTheLockHolder();
  std::int64_t duration = durationSec;
  if (durationSec <= 0) {
    FASTIO_TRY_ASSIGN(auto st,
                      writer.db().prepare("SELECT lock_duration FROM nodes WHERE id = ?1"));
    st.bind(1, n.id);
    FASTIO_TRY_ASSIGN(auto row, st.step());
    duration = row ? st.integer(0) : 300;
  }
  LockRecord updated = *n.lock;
  updated.expiresUs = nowMicros() + duration * 1000000;
  FASTIO_TRY_ASSIGN(auto up,
                    writer.db().prepare(
                        "UPDATE nodes SET lock_expires_us = ?2, lock_duration = ?3 WHERE id = ?1"));
  up.bind(1, n.id).bind(2, updated.expiresUs).bind(3, duration);
  FASTIO_TRY(up.run());
  return updated;
}

Status NodeLocks::release(const std::string& workspaceId, const std::string& nodeId,
                          const std::string& lockToken) {
  std::string parent;
  std::string id;
  {
    auto writer = b_.db.write();
    FASTIO_TRY_ASSIGN(auto n, NodeQueries(writer.db()).requireLiveNode(workspaceId, nodeId));
    if (!n.lock || n.lock->token != lockToken) return notTheLockHolder();
    FASTIO_TRY_ASSIGN(
        auto st,
        writer.db().prepare(
            "UPDATE nodes SET lock_token = '', lock_client_info = '', lock_acquired_us = 0, "
            "lock_expires_us = 0 WHERE id = ?1"));
    st.bind(1, n.id);
    FASTIO_TRY(st.run());
    parent = n.parentId;
    id = n.id;
  }
  b_.activity.publish(workspaceId, {"storage:" + id, "storage:" + parent});
  return okStatus();
}

}  // namespace fastio::emu
