#include "fs/AskRender.h"

#include "fs/SearchRender.h"

namespace fastio::fs {

std::string renderAskAnswer(const AskAnswer& answer,
                            const std::vector<std::string>& citationPaths) {
  std::string out;
  if (answer.state == "needs_input") {
    out = "The assistant needs more information to answer:\n";
  } else if (answer.state != "complete" && !answer.state.empty()) {
    out = "The question could not be answered (state: " + oneLine(answer.state, 40) + ").\n";
  }
  out += answer.text;
  if (out.empty() || out.back() != '\n') out += '\n';
  if (answer.citations.empty()) return out;
  out += "\nSources:\n";
  for (size_t i = 0; i < answer.citations.size(); ++i) {
    const Citation& c = answer.citations[i];
    const std::string& path = i < citationPaths.size() ? citationPaths[i] : std::string();
    out += "[" + std::to_string(i + 1) + "] ";
    out += path.empty() ? "(node " + oneLine(c.nodeId, 64) + ")" : path;
    if (c.page) out += ", page " + std::to_string(*c.page);
    out += "\n";
    if (!c.snippet.empty()) out += "    \"" + oneLine(c.snippet, 400) + "\"\n";
  }
  return out;
}

}  // namespace fastio::fs
