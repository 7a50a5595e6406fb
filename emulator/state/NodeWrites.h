#pragma once
// Row changes of the nodes and versions tables, on the writer connection only (StateDb::write)
// and inside the caller's transaction when several rows must change together.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/Result.h"
#include "emulator/state/BlobStore.h"
#include "emulator/state/Database.h"
#include "emulator/state/StateTypes.h"

namespace fastio::emu {

class NodeWrites {
 public:
  NodeWrites(Database& db, const BlobStore& blobs) : db_(db), blobs_(blobs) {}

  Status insertNode(const NodeRecord& n);
  Status insertVersion(const VersionRecord& v);
  Status setNameParent(const std::string& id, const std::string& name, const std::string& parent,
                       std::int64_t modifiedUs);
  // Trashes a live node and its live subtree as one trash entry (their locks dropped).
  Status trashSubtree(const NodeRecord& node, std::int64_t when);
  // The name `node` takes when it lands in `parent`: its own unless a live node there has it.
  // A same-name file (other than node) goes to the trash first when node is a file, and is
  // returned in `displaced`; any other clash gives node the first free "name (n)".
  Result<std::string> makeRoom(const std::string& ws, const std::string& parent,
                               const NodeRecord& node, std::int64_t now,
                               std::optional<NodeRecord>& displaced);
  // Deletes the rows of one trash entry (appending its nodes to `purged`); returns the blobs to
  // remove once the transaction committed.
  Result<std::vector<std::filesystem::path>> purgeEntry(const std::string& ws,
                                                        const std::string& rootId,
                                                        std::vector<NodeRecord>& purged);

 private:
  Database& db_;
  const BlobStore& blobs_;
};

}  // namespace fastio::emu
