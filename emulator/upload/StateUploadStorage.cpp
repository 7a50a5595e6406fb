#include "emulator/upload/StateUploadStorage.h"

#include "emulator/ApiCodes.h"

namespace fastio::emu {

Status StateUploadStorage::checkTarget(const UploadTarget& target) {
  FASTIO_TRY_ASSIGN(auto ws, state_.workspaces().find(target.instanceId));
  if (target.action == UploadAction::kUpdate) {
    FASTIO_TRY_ASSIGN(auto node, state_.nodes().node(ws.id, target.fileId));
    if (node.trashed) return nodeNotFound(target.fileId);
    if (!node.isFile()) return invalidInput("file_id " + target.fileId + " is not a file.");
    if (!target.ifVersionId.empty()) {
      auto checked = state_.nodes().checkVersion(ws.id, target.fileId, target.ifVersionId);
      if (!checked.ok() && checked.error().code == ErrorCode::kConflict) {
        return apiError(ErrorCode::kConflict, 409, code::kConflict,
                        "CONFLICT_VERSION_MISMATCH:" + node.versionId);
      }
      if (!checked.ok()) return checked.error();
    }
    return okStatus();
  }
  if (target.folderId.empty() || target.folderId == "root") return okStatus();
  FASTIO_TRY_ASSIGN(auto folder, state_.nodes().node(ws.id, target.folderId));
  if (folder.trashed) return nodeNotFound(target.folderId);
  if (!folder.isFolder()) return invalidInput("folder_id " + target.folderId + " is not a folder.");
  return okStatus();
}

Result<StoredFile> StateUploadStorage::store(const UploadTarget& target,
                                             const std::filesystem::path& content,
                                             std::uint64_t size, const std::string& md5) {
  FASTIO_TRY_ASSIGN(auto ws, state_.workspaces().find(target.instanceId));
  StoreFileRequest request;
  request.workspaceId = ws.id;
  request.parentId = target.folderId.empty() ? "root" : target.folderId;
  request.name = target.name;
  if (target.action == UploadAction::kUpdate) {
    request.existingFileId = target.fileId;
    request.ifVersionId = target.ifVersionId;
  }
  request.blobTempPath = content;
  request.size = static_cast<std::int64_t>(size);
  request.md5 = md5;
  auto node = state_.files().store(request);
  if (!node.ok()) {
    if (node.error().code != ErrorCode::kConflict || target.ifVersionId.empty()) {
      return node.error();
    }
    auto current = state_.nodes().node(ws.id, target.fileId);
    return apiError(ErrorCode::kConflict, 409, code::kConflict,
                    "CONFLICT_VERSION_MISMATCH:" + (current.ok() ? current->versionId : ""));
  }
  return StoredFile{node->id, node->versionId};
}

}  // namespace fastio::emu
