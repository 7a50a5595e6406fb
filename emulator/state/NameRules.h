#pragma once
// How the emulator names a node that would clash (the rules for valid names themselves are
// shared with the client and the filesystem: common/NameRules.h).

#include <string>

namespace fastio::emu {

// "report.pdf" -> "report (2).pdf"; "photos" -> "photos (2)" (folders keep no extension).
std::string numberedName(const std::string& name, int n, bool isFolder);

}  // namespace fastio::emu
