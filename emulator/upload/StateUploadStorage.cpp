#include "emulator/upload/StateUploadStorage.h"

#include "emulator/ApiCodes.h"

namespace fastio::emu {

Status StateUploadStorage::checkTarget(const UploadTarget& target) {
  auto ws = state_.workspaces().find(target.instanceId);
  if (!ws.ok()) return ws.error();
  if (target.action == UploadAction::kUpdate) {
    auto node = state_.nodes().node(ws->id, target.fileId);
    if (!node.ok()) return node.error();
    if (node->trashed) return nodeNotFound(target.fileId);
    if (!node->isFile()) return invalidInput("file_id " + target.fileId + " is not a file.");
    if (!target.ifVersionId.empty()) {
      auto checked = state_.nodes().checkVersion(ws->id, target.fileId, target.ifVersionId);
      if (!checked.ok() && checked.error().code == ErrorCode::kConflict) {
        return apiError(ErrorCode::kConflict, 409, code::kConflict,
                        "CONFLICT_VERSION_MISMATCH:" + node->versionId);
      }
      if (!checked.ok()) return checked.error();
    }
    return okStatus();
  }
  if (target.folderId.empty() || target.folderId == "root") return okStatus();
  auto folder = state_.nodes().node(ws->id, target.folderId);
  if (!folder.ok()) return folder.error();
  if (folder->trashed) return nodeNotFound(target.folderId);
  if (!folder->isFolder())
    return invalidInput("folder_id " + target.folderId + " is not a folder.");
  return okStatus();
}

Result<StoredFile> StateUploadStorage::store(const UploadTarget& target,
                                             const std::filesystem::path& content,
                                             std::uint64_t size, const std::string& md5) {
  auto ws = state_.workspaces().find(target.instanceId);
  if (!ws.ok()) return ws.error();
  StoreFileRequest request;
  request.workspaceId = ws->id;
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
    auto current = state_.nodes().node(ws->id, target.fileId);
    return apiError(ErrorCode::kConflict, 409, code::kConflict,
                    "CONFLICT_VERSION_MISMATCH:" + (current.ok() ? current->versionId : ""));
  }
  return StoredFile{node->id, node->versionId};
}

}  // namespace fastio::emu
