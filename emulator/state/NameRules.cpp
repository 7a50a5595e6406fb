#include "emulator/state/NameRules.h"

namespace fastio::emu {

std::string numberedName(const std::string& name, int n, bool isFolder) {
  std::string suffix = " (" + std::to_string(n) + ")";
  if (!isFolder) {
    auto dot = name.rfind('.');
    if (dot != std::string::npos && dot > 0) {
      return name.substr(0, dot) + suffix + name.substr(dot);
    }
  }
  return name + suffix;
}

}  // namespace fastio::emu
