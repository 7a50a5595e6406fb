#pragma once
// File content and its versions: storing a finished blob as a new file or a new version (what
// every upload ends in), reading a version's content, listing versions, making an old one
// current again. Content is made durable (fsync, rename, directory fsync) before the writer is
// taken; the writer is then held from the checks to the commit. Reads lease pooled connections.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/Result.h"
#include "emulator/state/StateBackend.h"
#include "emulator/state/StateTypes.h"

namespace fastio::emu {

struct StoreFileRequest {
  std::string workspaceId;
  std::string parentId = "root";       // folder id or "root"; ignored when existingFileId is set
  std::string name;                    // required; with existingFileId a different name renames
  std::string existingFileId;          // action=update: replace this file's content
  std::string ifVersionId;             // optional CAS on the existing file's current version
  std::filesystem::path blobTempPath;  // from newTempPath() (or the same file system), complete
  std::int64_t size = 0;
  std::string md5;  // hex; computed from the blob when empty
};

class FileVersions {
 public:
  explicit FileVersions(const StateBackend& backend) : b_(backend) {}

  // A fresh path under --data/blobs/tmp/ (same file system as the blobs) to write content to.
  std::filesystem::path newTempPath() const { return b_.blobs.newTempPath(); }
  // Stores a complete blob as a file: a new node, or a new version of existingFileId, or (same
  // name + same parent as an existing file) a new version of that file. Publishes and fires
  // kVersionStored. On failure the blob is removed.
  Result<NodeRecord> store(const StoreFileRequest& request);
  // The content of a file's current version (versionId "") or of an older version.
  Result<BlobRef> blob(const std::string& workspaceId, const std::string& nodeId,
                       const std::string& versionId) const;
  // Newest first.
  Result<std::vector<VersionRecord>> versions(const std::string& workspaceId,
                                              const std::string& nodeId) const;
  // Makes an older version current again, with its old version id.
  Result<NodeRecord> restoreVersion(const std::string& workspaceId, const std::string& nodeId,
                                    const std::string& versionId);

 private:
  StateBackend b_;
};

}  // namespace fastio::emu
