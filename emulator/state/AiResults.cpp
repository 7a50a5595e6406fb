#include "emulator/state/AiResults.h"

#include "emulator/http/OpaqueId.h"
#include "emulator/state/NodeQueries.h"

namespace fastio::emu {

Status AiResults::record(const std::string& workspaceId, const std::string& nodeId,
                         const std::string& versionId, const AiResult& result) {
  std::string id;
  {
    auto writer = b_.db.write();
    FASTIO_TRY_ASSIGN(auto n, NodeQueries(writer.db()).requireNode(workspaceId, nodeId));
    auto vid = normalizeOpaqueId(versionId);
    if (!vid || *vid != n.versionId) return okStatus();  // a newer version superseded it
    bool withSummary =
        !result.summaryTitle.empty() || !result.summaryShort.empty() || !result.summaryLong.empty();
    FASTIO_TRY_ASSIGN(
        auto st,
        writer.db().prepare(
            withSummary ? "UPDATE nodes SET ai_state = ?2, summary_title = ?3, summary_short = ?4, "
                          "summary_long = ?5 WHERE id = ?1"
                        : "UPDATE nodes SET ai_state = ?2 WHERE id = ?1"));
    st.bind(1, n.id).bind(2, result.state);
    if (withSummary) {
      st.bind(3, result.summaryTitle).bind(4, result.summaryShort).bind(5, result.summaryLong);
    }
    FASTIO_TRY(st.run());
    id = n.id;
  }
  b_.activity.publish(workspaceId, {"ai_state:" + id});
  return okStatus();
}

}  // namespace fastio::emu
