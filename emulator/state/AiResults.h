#pragma once
// Where the intelligence pipeline records its verdict on a version: ai.state and the summary,
// applied only while that version is still current, then ai_state:{node} is published. Holds the
// writer for its check and update.

#include <string>

#include "common/Result.h"
#include "emulator/state/StateBackend.h"

namespace fastio::emu {

struct AiResult {
  std::string state;  // "ready", "failed", "inprogress", ...
  std::string summaryTitle;
  std::string summaryShort;
  std::string summaryLong;
};

class AiResults {
 public:
  explicit AiResults(const StateBackend& backend) : b_(backend) {}

  // Sets ai.state (+ the summary when any part of it is non-empty) if versionId is still current.
  // A stale version is ignored (returns ok).
  Status record(const std::string& workspaceId, const std::string& nodeId,
                const std::string& versionId, const AiResult& result);

 private:
  StateBackend b_;
};

}  // namespace fastio::emu
