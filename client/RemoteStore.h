#pragma once
// RemoteStore: the service as the filesystem sees it. Thread-safe; every call takes a deadline
// and returns Result<T> with the taxonomy of common/Error.h. Implementations: HttpRemoteStore
// (client/http/) and the fakes in client/testing/.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "client/Types.h"
#include "common/Deadline.h"
#include "common/Result.h"

namespace fastio {

// Receives file bytes as they stream in, with the file offset of the first byte. Returning an
// error aborts the transfer with that error.
using ByteSink = std::function<Status(uint64_t fileOffset, std::string_view bytes)>;

// Supplies upload bytes: fill `out` with up to `length` bytes starting at `offset`; returns the
// count (short only at end of data).
using ByteSource = std::function<Result<size_t>(uint64_t offset, char* out, size_t length)>;

// Progress of an upload, so a durable journal can record how far it got and resume later.
class UploadObserver {
 public:
  virtual ~UploadObserver() = default;
  virtual void onSessionCreated(const std::string& /*sessionId*/, uint64_t /*chunkSize*/) {}
  virtual void onChunkAcknowledged(uint32_t /*order*/, uint64_t /*bytes*/) {}
  virtual void onBytesSent(uint64_t /*totalBytesSent*/) {}
};

class RemoteStore {
 public:
  virtual ~RemoteStore() = default;

  // --- account ---
  virtual Result<UserInfo> currentUser(Deadline deadline) = 0;
  virtual Result<std::vector<Org>> listOrgs(Deadline deadline) = 0;
  virtual Result<std::vector<Workspace>> listWorkspaces(Deadline deadline) = 0;
  virtual Result<Workspace> createWorkspace(const CreateWorkspaceRequest& request,
                                            Deadline deadline) = 0;

  // --- metadata ---
  // Calls onPage for every page of the folder, in order; stops early if it returns false.
  virtual Status listFolder(const std::string& workspaceId, const std::string& folderId,
                            const std::function<bool(FolderPage&&)>& onPage, Deadline deadline) = 0;
  // Any number of ids (split into requests of at most 25); unknown ids land in missingIds.
  virtual Result<NodeDetailsBatch> nodeDetails(const std::string& workspaceId,
                                               const std::vector<std::string>& nodeIds,
                                               Deadline deadline) = 0;

  // --- mutations ---
  virtual Result<Node> createFolder(const std::string& workspaceId, const std::string& parentId,
                                    const std::string& name, Deadline deadline) = 0;
  // ifVersionId non-empty: compare-and-swap; a stale version fails with kConflict.
  virtual Result<Node> rename(const std::string& workspaceId, const std::string& nodeId,
                              const std::string& newName, const std::string& ifVersionId,
                              Deadline deadline) = 0;
  // A same-name file at the destination is moved to trash by the server.
  virtual Result<Node> move(const std::string& workspaceId, const std::string& nodeId,
                            const std::string& newParentId, Deadline deadline) = 0;
  virtual Status deleteNode(const std::string& workspaceId, const std::string& nodeId,
                            Deadline deadline) = 0;

  // --- content ---
  // Streams the requested range into sink. When the server ignores Range, the whole body is
  // streamed (offsets tell the sink which bytes it got) and outcome.rangeHonoured is false.
  virtual Result<ReadOutcome> read(const ReadRequest& request, const ByteSink& sink,
                                   Deadline deadline) = 0;
  virtual Result<UploadLimits> uploadLimits(Deadline deadline) = 0;
  // Single call up to 4 MiB, otherwise a chunked session (resumed when resumeSessionId is set).
  // - With existingFileId and ifVersionId: compare-and-swap; a stale version fails with
  //   kConflict and changes nothing (whether the server says so at once or when the session
  //   ends).
  // - Without existingFileId, a file of the same name in the parent is overwritten in place
  //   (same node id, new version): uploading again after a crash never makes a duplicate.
  // - Once the server has stored the file the upload succeeds, even if the node cannot be read
  //   back yet: then result.node has only id, name, type, size (and parentId for a create) and
  //   an empty version, which the caller must fetch later.
  // - ifVersionId without existingFileId is kInvalid.
  // - A source error fails the upload with that error and cancels its session; so does a
  //   refusal that retrying cannot fix (invalid, not found, conflict, ...): resuming such a
  //   session is kNotFound. A transient failure past the retries, the deadline or a
  //   cancellation leave the session resumable.
  virtual Result<UploadResult> upload(const UploadRequest& request, const ByteSource& source,
                                      UploadObserver* observer, Deadline deadline) = 0;
  // Abandons a chunked session (DELETE /upload/{id}/): it can no longer be resumed. A session
  // the server does not know (finished, expired, already cancelled) counts as cancelled.
  virtual Status cancelUpload(const std::string& sessionId, Deadline deadline) = 0;

  // --- intelligence ---
  virtual Result<SearchResult> search(const std::string& workspaceId, const std::string& query,
                                      const SearchOptions& options, Deadline deadline) = 0;
  // Asks the workspace AI and waits for a terminal state (or the deadline).
  virtual Result<AskAnswer> ask(const std::string& workspaceId, const std::string& question,
                                Deadline deadline) = 0;

  // --- change notification ---
  // Long-poll: returns when something changed on the entity or after waitSeconds.
  virtual Result<ActivityBatch> pollActivity(const std::string& entityId,
                                             const std::string& lastActivity, int waitSeconds,
                                             Deadline deadline) = 0;

  // --- locks ---
  virtual Result<LockInfo> acquireLock(const std::string& workspaceId, const std::string& nodeId,
                                       int durationSeconds, Deadline deadline) = 0;
  virtual Result<LockInfo> lockStatus(const std::string& workspaceId, const std::string& nodeId,
                                      Deadline deadline) = 0;
  virtual Status heartbeatLock(const std::string& workspaceId, const std::string& nodeId,
                               const std::string& lockToken, Deadline deadline) = 0;
  virtual Status releaseLock(const std::string& workspaceId, const std::string& nodeId,
                             const std::string& lockToken, Deadline deadline) = 0;
};

}  // namespace fastio

// The overrides every implementation of RemoteStore declares, written once: a change of a
// signature touches this header and the implementations' .cpp files, not each class body.
#define FASTIO_REMOTE_STORE_OVERRIDES                                                              \
  Result<UserInfo> currentUser(Deadline deadline) override;                                        \
  Result<std::vector<Org>> listOrgs(Deadline deadline) override;                                   \
  Result<std::vector<Workspace>> listWorkspaces(Deadline deadline) override;                       \
  Result<Workspace> createWorkspace(const CreateWorkspaceRequest& request, Deadline deadline)      \
      override;                                                                                    \
  Status listFolder(const std::string& workspaceId, const std::string& folderId,                   \
                    const std::function<bool(FolderPage &&)>& onPage, Deadline deadline) override; \
  Result<NodeDetailsBatch> nodeDetails(const std::string& workspaceId,                             \
                                       const std::vector<std::string>& nodeIds, Deadline deadline) \
      override;                                                                                    \
  Result<Node> createFolder(const std::string& workspaceId, const std::string& parentId,           \
                            const std::string& name, Deadline deadline) override;                  \
  Result<Node> rename(const std::string& workspaceId, const std::string& nodeId,                   \
                      const std::string& newName, const std::string& ifVersionId,                  \
                      Deadline deadline) override;                                                 \
  Result<Node> move(const std::string& workspaceId, const std::string& nodeId,                     \
                    const std::string& newParentId, Deadline deadline) override;                   \
  Status deleteNode(const std::string& workspaceId, const std::string& nodeId, Deadline deadline)  \
      override;                                                                                    \
  Result<ReadOutcome> read(const ReadRequest& request, const ByteSink& sink, Deadline deadline)    \
      override;                                                                                    \
  Result<UploadLimits> uploadLimits(Deadline deadline) override;                                   \
  Result<UploadResult> upload(const UploadRequest& request, const ByteSource& source,              \
                              UploadObserver* observer, Deadline deadline) override;               \
  Status cancelUpload(const std::string& sessionId, Deadline deadline) override;                   \
  Result<SearchResult> search(const std::string& workspaceId, const std::string& query,            \
                              const SearchOptions& options, Deadline deadline) override;           \
  Result<AskAnswer> ask(const std::string& workspaceId, const std::string& question,               \
                        Deadline deadline) override;                                               \
  Result<ActivityBatch> pollActivity(const std::string& entityId, const std::string& lastActivity, \
                                     int waitSeconds, Deadline deadline) override;                 \
  Result<LockInfo> acquireLock(const std::string& workspaceId, const std::string& nodeId,          \
                               int durationSeconds, Deadline deadline) override;                   \
  Result<LockInfo> lockStatus(const std::string& workspaceId, const std::string& nodeId,           \
                              Deadline deadline) override;                                         \
  Status heartbeatLock(const std::string& workspaceId, const std::string& nodeId,                  \
                       const std::string& lockToken, Deadline deadline) override;                  \
  Status releaseLock(const std::string& workspaceId, const std::string& nodeId,                    \
                     const std::string& lockToken, Deadline deadline) override;
