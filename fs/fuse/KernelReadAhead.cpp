#include "fs/fuse/KernelReadAhead.h"

#include <fstream>
#include <sstream>

namespace fastio::fuse {

namespace {

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescapeMountinfo(std::string_view field) {
  std::string out;
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size()) {
      const std::string_view oct = field.substr(i + 1, 3);
      if (oct.size() == 3 && oct.find_first_not_of("01234567") == std::string_view::npos) {
        out.push_back(static_cast<char>(std::stoi(std::string(oct), nullptr, 8)));
        i += 3;
        continue;
      }
    }
    out.push_back(field[i]);
  }
  return out;
}

}  // namespace

std::optional<std::string> deviceOfMount(std::string_view mountinfo,
                                         const std::string& mountpoint) {
  std::optional<std::string> found;
  std::istringstream lines{std::string(mountinfo)};
  std::string line;
  while (std::getline(lines, line)) {
    // id parent major:minor root mountpoint ...
    std::istringstream fields(line);
    std::string id, parent, device, root, point;
    if (!(fields >> id >> parent >> device >> root >> point)) continue;
    if (unescapeMountinfo(point) == mountpoint) found = device;
  }
  return found;
}

Status raiseKernelReadAhead(const std::string& mountpoint, uint64_t bytes,
                            const std::string& sysfsRoot) {
  std::ifstream mountinfo("/proc/self/mountinfo");
  std::stringstream text;
  text << mountinfo.rdbuf();
  auto device = deviceOfMount(text.str(), mountpoint);
  if (!device) return makeError(ErrorCode::kNotFound, mountpoint + " is not in mountinfo");
  const std::string knob = sysfsRoot + "/" + *device + "/read_ahead_kb";
  uint64_t current = 0;
  if (std::ifstream in(knob); !(in >> current)) {
    return makeError(ErrorCode::kNotFound, "cannot read " + knob);
  }
  const uint64_t wanted = bytes / 1024;
  if (current >= wanted) return okStatus();
  std::ofstream out(knob);
  out << wanted << '\n';
  out.flush();
  if (!out) return makeError(ErrorCode::kDenied, "cannot write " + knob);
  return okStatus();
}

}  // namespace fastio::fuse
