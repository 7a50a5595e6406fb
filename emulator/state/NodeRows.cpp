#include "emulator/state/NodeRows.h"

#include "emulator/ApiCodes.h"
#include "emulator/http/OpaqueId.h"
#include "emulator/state/StateClock.h"

namespace fastio::emu {

NodeRecord readNode(const Statement& st) {
  NodeRecord n;
  n.id = st.text(0);
  n.workspaceId = st.text(1);
  n.parentId = st.text(2);
  n.name = st.text(3);
  n.type = st.integer(4) == 1 ? NodeType::kFolder : NodeType::kFile;
  n.size = st.integer(5);
  n.versionId = st.text(6);
  n.md5 = st.text(7);
  n.mimetype = st.text(8);
  n.mimecategory = st.text(9);
  n.createdUs = st.integer(10);
  n.modifiedUs = st.integer(11);
  n.aiState = st.text(12);
  n.summaryTitle = st.text(13);
  n.summaryShort = st.text(14);
  n.summaryLong = st.text(15);
  n.trashed = st.integer(16) != 0;
  n.deletedUs = st.integer(17);
  n.deletedFrom = st.text(18);
  std::int64_t expires = st.integer(22);
  if (!st.text(19).empty() && expires > nowMicros()) {
    n.lock = LockRecord{st.text(19), st.text(20), st.integer(21), expires};
  }
  return n;
}

Result<std::string> canonicalId(const std::string& id) {
  if (id == "root" || id == "trash") return id;
  auto norm = normalizeOpaqueId(id);
  if (!norm) {
    return apiError(ErrorCode::kInvalid, 406, code::kMalformedId,
                    "The id \"" + id.substr(0, 64) + "\" is not a valid OpaqueId.");
  }
  return *norm;
}

}  // namespace fastio::emu
