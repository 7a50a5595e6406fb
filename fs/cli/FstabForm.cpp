#include "fs/cli/FstabForm.h"

namespace fastio::cli {

std::vector<std::string> rewriteFstabForm(const std::vector<std::string>& args,
                                          const std::set<std::string>& subcommands) {
  // args[0] is the program; the form needs a source and a mount point, neither an option.
  if (args.size() < 3) return args;
  const std::string& source = args[1];
  const std::string& mountPoint = args[2];
  if (source.empty() || source[0] == '-' || subcommands.count(source) != 0) return args;
  if (mountPoint.empty() || mountPoint[0] == '-') return args;
  std::vector<std::string> out{args[0], "mount", mountPoint};
  out.insert(out.end(), args.begin() + 3, args.end());
  return out;
}

}  // namespace fastio::cli
