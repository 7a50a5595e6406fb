#pragma once
// Pure renderer for WS/.ask/<question>: the answer, then its citations as paths in the mount.

#include <string>
#include <vector>

#include "client/Types.h"

namespace fastio::fs {

// citationPaths[i] is the workspace path of answer.citations[i] (empty when unknown).
std::string renderAskAnswer(const AskAnswer& answer, const std::vector<std::string>& citationPaths);

}  // namespace fastio::fs
