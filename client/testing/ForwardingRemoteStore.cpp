#include "client/testing/ForwardingRemoteStore.h"

namespace fastio::testing {

Result<UserInfo> ForwardingRemoteStore::currentUser(Deadline deadline) {
  return forward(RemoteMethod::kCurrentUser, deadline,
                 [&] { return inner_.currentUser(deadline); });
}

Result<std::vector<Org>> ForwardingRemoteStore::listOrgs(Deadline deadline) {
  return forward(RemoteMethod::kListOrgs, deadline, [&] { return inner_.listOrgs(deadline); });
}

Result<std::vector<Workspace>> ForwardingRemoteStore::listWorkspaces(Deadline deadline) {
  return forward(RemoteMethod::kListWorkspaces, deadline,
                 [&] { return inner_.listWorkspaces(deadline); });
}

Result<Workspace> ForwardingRemoteStore::createWorkspace(const CreateWorkspaceRequest& request,
                                                         Deadline deadline) {
  return forward(RemoteMethod::kCreateWorkspace, deadline,
                 [&] { return inner_.createWorkspace(request, deadline); });
}

Status ForwardingRemoteStore::listFolder(const std::string& workspaceId,
                                         const std::string& folderId,
                                         const std::function<bool(FolderPage&&)>& onPage,
                                         Deadline deadline) {
  return forward(RemoteMethod::kListFolder, deadline,
                 [&] { return inner_.listFolder(workspaceId, folderId, onPage, deadline); });
}

Result<NodeDetailsBatch> ForwardingRemoteStore::nodeDetails(const std::string& workspaceId,
                                                            const std::vector<std::string>& nodeIds,
                                                            Deadline deadline) {
  return forward(RemoteMethod::kNodeDetails, deadline,
                 [&] { return inner_.nodeDetails(workspaceId, nodeIds, deadline); });
}

Result<Node> ForwardingRemoteStore::createFolder(const std::string& workspaceId,
                                                 const std::string& parentId,
                                                 const std::string& name, Deadline deadline) {
  return forward(RemoteMethod::kCreateFolder, deadline,
                 [&] { return inner_.createFolder(workspaceId, parentId, name, deadline); });
}

Result<Node> ForwardingRemoteStore::rename(const std::string& workspaceId,
                                           const std::string& nodeId, const std::string& newName,
                                           const std::string& ifVersionId, Deadline deadline) {
  return forward(RemoteMethod::kRename, deadline, [&] {
    return inner_.rename(workspaceId, nodeId, newName, ifVersionId, deadline);
  });
}

Result<Node> ForwardingRemoteStore::move(const std::string& workspaceId, const std::string& nodeId,
                                         const std::string& newParentId, Deadline deadline) {
  return forward(RemoteMethod::kMove, deadline,
                 [&] { return inner_.move(workspaceId, nodeId, newParentId, deadline); });
}

Status ForwardingRemoteStore::deleteNode(const std::string& workspaceId, const std::string& nodeId,
                                         Deadline deadline) {
  return forward(RemoteMethod::kDeleteNode, deadline,
                 [&] { return inner_.deleteNode(workspaceId, nodeId, deadline); });
}

Result<ReadOutcome> ForwardingRemoteStore::read(const ReadRequest& request, const ByteSink& sink,
                                                Deadline deadline) {
  return forward(RemoteMethod::kRead, deadline,
                 [&] { return inner_.read(request, wrapSink(sink), deadline); });
}

Result<UploadLimits> ForwardingRemoteStore::uploadLimits(Deadline deadline) {
  return forward(RemoteMethod::kUploadLimits, deadline,
                 [&] { return inner_.uploadLimits(deadline); });
}

Result<UploadResult> ForwardingRemoteStore::upload(const UploadRequest& request,
                                                   const ByteSource& source,
                                                   UploadObserver* observer, Deadline deadline) {
  return forward(RemoteMethod::kUpload, deadline,
                 [&] { return inner_.upload(request, wrapSource(source), observer, deadline); });
}

Status ForwardingRemoteStore::cancelUpload(const std::string& sessionId, Deadline deadline) {
  return forward(RemoteMethod::kCancelUpload, deadline,
                 [&] { return inner_.cancelUpload(sessionId, deadline); });
}

Result<SearchResult> ForwardingRemoteStore::search(const std::string& workspaceId,
                                                   const std::string& query,
                                                   const SearchOptions& options,
                                                   Deadline deadline) {
  return forward(RemoteMethod::kSearch, deadline,
                 [&] { return inner_.search(workspaceId, query, options, deadline); });
}

Result<AskAnswer> ForwardingRemoteStore::ask(const std::string& workspaceId,
                                             const std::string& question, Deadline deadline) {
  return forward(RemoteMethod::kAsk, deadline,
                 [&] { return inner_.ask(workspaceId, question, deadline); });
}

Result<ActivityBatch> ForwardingRemoteStore::pollActivity(const std::string& entityId,
                                                          const std::string& lastActivity,
                                                          int waitSeconds, Deadline deadline) {
  return forward(RemoteMethod::kPollActivity, deadline, [&] {
    return inner_.pollActivity(entityId, lastActivity, waitSeconds, deadline);
  });
}

Result<LockInfo> ForwardingRemoteStore::acquireLock(const std::string& workspaceId,
                                                    const std::string& nodeId, int durationSeconds,
                                                    Deadline deadline) {
  return forward(RemoteMethod::kAcquireLock, deadline, [&] {
    return inner_.acquireLock(workspaceId, nodeId, durationSeconds, deadline);
  });
}

Result<LockInfo> ForwardingRemoteStore::lockStatus(const std::string& workspaceId,
                                                   const std::string& nodeId, Deadline deadline) {
  return forward(RemoteMethod::kLockStatus, deadline,
                 [&] { return inner_.lockStatus(workspaceId, nodeId, deadline); });
}

Status ForwardingRemoteStore::heartbeatLock(const std::string& workspaceId,
                                            const std::string& nodeId, const std::string& lockToken,
                                            Deadline deadline) {
  return forward(RemoteMethod::kHeartbeatLock, deadline,
                 [&] { return inner_.heartbeatLock(workspaceId, nodeId, lockToken, deadline); });
}

Status ForwardingRemoteStore::releaseLock(const std::string& workspaceId, const std::string& nodeId,
                                          const std::string& lockToken, Deadline deadline) {
  return forward(RemoteMethod::kReleaseLock, deadline,
                 [&] { return inner_.releaseLock(workspaceId, nodeId, lockToken, deadline); });
}

}  // namespace fastio::testing
