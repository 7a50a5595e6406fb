#pragma once
// The virtual trees: MOUNT/.fastio/ (status files), WS/.search/ (search results as files) and
// WS/.ask/ (questions as files). Read-only, hidden from readdir of their parent, reachable by
// name. Content is rendered from SearchView/AskView answers and the status snapshot.

#include <functional>
#include <optional>
#include <string>

#include "common/Result.h"
#include "fs/AnswerViews.h"
#include "fs/FsOptions.h"
#include "fs/FsTypes.h"
#include "fs/InodeTable.h"
#include "fs/StatusRender.h"

namespace fastio::fs {

class VirtualTree {
 public:
  using StatusSource = std::function<StatusSnapshot()>;
  VirtualTree(InodeTable& inodes, SearchView& search, AskView& ask, const FsOptions& options,
              WallTime startedWall, StatusSource status);

  // The virtual directory `name` directly under a real parent (.fastio at the mount root,
  // .search and .ask in a workspace root), or nullopt when name is not one of them there.
  std::optional<EntryReply> lookupEntrance(const InodeInfo& parent, const std::string& name);
  // Lookup inside a virtual directory.
  Result<EntryReply> lookup(const InodeInfo& parent, const std::string& name);
  Result<DirSnapshot> list(const InodeInfo& dir);
  Result<std::string> content(const InodeInfo& file);
  Result<std::string> readlink(const InodeInfo& link);
  Attributes attr(const InodeInfo& info);
  static Duration attrTtl(const InodeInfo& info);
  // Control files and answers change size while open: read them with direct I/O.
  static bool wantsDirectIo(const InodeInfo& info);

 private:
  EntryReply entry(const std::string& key, const InodeInfo& info, uint64_t size);
  Attributes attrOfSize(const InodeInfo& info, uint64_t size) const;
  uint64_t sizeOf(const InodeInfo& info);
  std::string controlFileContent(const std::string& name) const;

  InodeTable& inodes_;
  SearchView& search_;
  AskView& ask_;
  const FsOptions& options_;
  const WallTime startedWall_;
  StatusSource status_;
};

}  // namespace fastio::fs
