#pragma once
// A RemoteStore that passes every call to another one, with a hook before and after each call.
// The fault-injecting and gated stores are built on it; the inner store must outlive it.

#include <utility>

#include "client/RemoteStore.h"
#include "client/testing/RemoteMethod.h"

namespace fastio::testing {

class ForwardingRemoteStore : public RemoteStore {
 public:
  explicit ForwardingRemoteStore(RemoteStore& inner) : inner_(inner) {}

  RemoteStore& inner() { return inner_; }
  // Calls that reached this wrapper, per method (including those failed or still blocked).
  const CallCounter& calls() const { return calls_; }

  Result<UserInfo> currentUser(Deadline deadline) override;
  Result<std::vector<Org>> listOrgs(Deadline deadline) override;
  Result<std::vector<Workspace>> listWorkspaces(Deadline deadline) override;
  Result<Workspace> createWorkspace(const CreateWorkspaceRequest& request,
                                    Deadline deadline) override;
  Status listFolder(const std::string& workspaceId, const std::string& folderId,
                    const std::function<bool(FolderPage&&)>& onPage, Deadline deadline) override;
  Result<NodeDetailsBatch> nodeDetails(const std::string& workspaceId,
                                       const std::vector<std::string>& nodeIds,
                                       Deadline deadline) override;
  Result<Node> createFolder(const std::string& workspaceId, const std::string& parentId,
                            const std::string& name, Deadline deadline) override;
  Result<Node> rename(const std::string& workspaceId, const std::string& nodeId,
                      const std::string& newName, const std::string& ifVersionId,
                      Deadline deadline) override;
  Result<Node> move(const std::string& workspaceId, const std::string& nodeId,
                    const std::string& newParentId, Deadline deadline) override;
  Status deleteNode(const std::string& workspaceId, const std::string& nodeId,
                    Deadline deadline) override;
  Result<ReadOutcome> read(const ReadRequest& request, const ByteSink& sink,
                           Deadline deadline) override;
  Result<UploadLimits> uploadLimits(Deadline deadline) override;
  Result<UploadResult> upload(const UploadRequest& request, const ByteSource& source,
                              UploadObserver* observer, Deadline deadline) override;
  Status cancelUpload(const std::string& sessionId, Deadline deadline) override;
  Result<SearchResult> search(const std::string& workspaceId, const std::string& query,
                              const SearchOptions& options, Deadline deadline) override;
  Result<AskAnswer> ask(const std::string& workspaceId, const std::string& question,
                        Deadline deadline) override;
  Result<ActivityBatch> pollActivity(const std::string& entityId, const std::string& lastActivity,
                                     int waitSeconds, Deadline deadline) override;
  Result<LockInfo> acquireLock(const std::string& workspaceId, const std::string& nodeId,
                               int durationSeconds, Deadline deadline) override;
  Result<LockInfo> lockStatus(const std::string& workspaceId, const std::string& nodeId,
                              Deadline deadline) override;
  Status heartbeatLock(const std::string& workspaceId, const std::string& nodeId,
                       const std::string& lockToken, Deadline deadline) override;
  Status releaseLock(const std::string& workspaceId, const std::string& nodeId,
                     const std::string& lockToken, Deadline deadline) override;

 protected:
  // Runs before the inner call; an error is returned to the caller and the inner store is not
  // called.
  virtual Status beforeCall(RemoteMethod /*method*/, const Deadline& /*deadline*/) {
    return okStatus();
  }
  // Runs after the inner call returned (whatever it returned); an error replaces its result.
  virtual Status afterCall(RemoteMethod /*method*/, const Deadline& /*deadline*/) {
    return okStatus();
  }
  // Let a subclass wrap the read sink or the upload source (e.g. to cut a transfer short).
  virtual ByteSink wrapSink(const ByteSink& sink) { return sink; }
  virtual ByteSource wrapSource(const ByteSource& source) { return source; }

 private:
  template <typename Call>
  auto forward(RemoteMethod method, const Deadline& deadline, Call&& call) -> decltype(call()) {
    calls_.record(method);
    FASTIO_TRY(beforeCall(method, deadline));
    auto result = std::forward<Call>(call)();
    FASTIO_TRY(afterCall(method, deadline));
    return result;
  }

  RemoteStore& inner_;
  CallCounter calls_;
};

}  // namespace fastio::testing
