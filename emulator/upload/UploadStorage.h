#pragma once
// What the upload engine needs from the emulator's storage. The upload routes implement it over
// State; unit tests use a fake. Both calls run without any upload lock held.

#include <cstdint>
#include <filesystem>
#include <string>

#include "common/Result.h"
#include "emulator/upload/UploadSession.h"

namespace fastio::emu {

struct StoredFile {
  std::string nodeId;
  std::string versionId;
};

class UploadStorage {
 public:
  virtual ~UploadStorage() = default;
  // Called when a session is created, so a wrong workspace, folder or file_id fails before any
  // bytes are sent. Errors carry the HTTP status to answer with.
  virtual Status checkTarget(const UploadTarget& target) = 0;
  // Makes `content` (complete and fsynced; the storage may move it away) the content of the
  // target: a new file, or a new version of target.fileId or of the same-named file.
  // md5: hex digest of the content, or "" to let the storage compute it. A failed
  // target.ifVersionId check is a kConflict error whose message is
  // "CONFLICT_VERSION_MISMATCH:{current version id}".
  virtual Result<StoredFile> store(const UploadTarget& target, const std::filesystem::path& content,
                                   std::uint64_t size, const std::string& md5) = 0;
};

}  // namespace fastio::emu
