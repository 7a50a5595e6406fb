#pragma once
// The content files under --data/blobs/: one file per version id, named by it. Content is
// written under blobs/tmp/, fsync'd, renamed to its version id and the directory fsync'd before
// any committed row refers to it; so after a crash the only debris is temp files and blobs no
// row refers to, which removeLeftovers() deletes at start-up. No lock: every name is unique.

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "common/Result.h"

namespace fastio::emu {

class BlobStore {
 public:
  // Creates blobs/ and blobs/tmp/ under dataDir if needed.
  static Result<BlobStore> open(const std::filesystem::path& dataDir);

  // A fresh path under blobs/tmp/ (same file system as the blobs) to write content to.
  std::filesystem::path newTempPath() const;
  std::filesystem::path pathOf(const std::string& versionId) const;

  // Makes a complete temp file durable and the content of versionId. On failure the temp file
  // (or the half-adopted blob) is removed.
  Status adopt(const std::filesystem::path& tempPath, const std::string& versionId) const;
  // The content of version `from` under the new version id `to` (a hard link, else a copy).
  Status duplicate(const std::string& from, const std::string& to) const;
  // Makes renames and links in blobs/ durable (an fsync of the directory).
  Status syncDirectory() const;
  // Best effort: for blobs no committed row refers to (any more).
  void remove(const std::filesystem::path& blob) const;
  void remove(const std::vector<std::filesystem::path>& blobs) const;

  // Start-up cleanup: every temp file, and every blob whose name is not in knownVersionIds.
  void removeLeftovers(const std::set<std::string>& knownVersionIds) const;

  static Status fsyncFile(const std::filesystem::path& path);

 private:
  explicit BlobStore(std::filesystem::path blobDir);
  std::filesystem::path blobDir_;
  std::filesystem::path tmpDir_;
};

}  // namespace fastio::emu
