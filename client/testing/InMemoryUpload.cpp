// InMemoryRemoteStore: uploads — single call up to 4 MiB, chunked sessions above (resumable),
// compare-and-swap, cancellation.

#include <algorithm>

#include "client/testing/InMemoryRemoteStore.h"
#include "client/testing/NodeIds.h"
#include "common/NameRules.h"

namespace fastio::testing {
namespace {

Error deadlinePassed(const char* what) {
  return makeError(ErrorCode::kDeadline, std::string(what) + ": the deadline passed");
}

// Pulls exactly `length` bytes at `offset` from the caller's source.
Status readExactly(const ByteSource& source, uint64_t offset, std::size_t length, char* out) {
  std::size_t got = 0;
  while (got < length) {
    FASTIO_TRY_ASSIGN(std::size_t n, source(offset + got, out + got, length - got));
    if (n == 0) {
      return makeError(ErrorCode::kInvalid, "the upload source ended at byte " +
                                                std::to_string(offset + got) + " of a declared " +
                                                "range ending at " +
                                                std::to_string(offset + length));
    }
    if (n > length - got) {
      return makeError(ErrorCode::kInternal, "the upload source returned more than asked");
    }
    got += n;
  }
  return okStatus();
}

uint32_t chunkCountFor(uint64_t size, uint64_t chunkSize) {
  return static_cast<uint32_t>((size + chunkSize - 1) / chunkSize);
}

// Whether a failed chunk makes the client give its session up, as HttpRemoteStore does: only a
// transient failure, the deadline, a cancellation or an expired token leave it resumable.
bool abandonsSession(const Error& error) {
  return !error.isRetryable() && error.code != ErrorCode::kDeadline &&
         error.code != ErrorCode::kCancelled && error.code != ErrorCode::kUnauthenticated;
}

}  // namespace

Result<UploadLimits> InMemoryRemoteStore::uploadLimits(Deadline deadline) {
  FASTIO_TRY(begin(RemoteMethod::kUploadLimits, deadline));
  std::lock_guard lock(mu_);
  return limits_;
}

Status InMemoryRemoteStore::checkVersionLocked(WorkspaceState& ws, const std::string& fileId,
                                               const std::string& ifVersionId) {
  if (ifVersionId.empty()) return okStatus();
  FASTIO_TRY_ASSIGN(StoredNode * found, requireLiveNodeLocked(ws, fileId));
  const Node& node = found->node;
  if (normalizeNodeId(ifVersionId) != node.version) {
    return makeError(ErrorCode::kConflict, "version mismatch: '" + node.name +
                                               "' is now at version '" + node.version + "'");
  }
  return okStatus();
}

Status InMemoryRemoteStore::checkUploadTargetLocked(WorkspaceState& ws,
                                                    const UploadRequest& request) {
  if (auto problem = names::nodeNameProblem(request.name)) {
    return makeError(ErrorCode::kInvalid, "cannot upload: " + problem->reason);
  }
  if (limits_.maxFileSize != 0 && request.size > limits_.maxFileSize) {
    return makeError(ErrorCode::kTooLarge, "the file is larger than the plan allows (" +
                                               std::to_string(limits_.maxFileSize) + " bytes)");
  }
  if (!request.existingFileId.empty()) {
    FASTIO_TRY_ASSIGN(StoredNode * found, requireLiveNodeLocked(ws, request.existingFileId));
    if (found->node.type != NodeType::kFile) {
      return makeError(ErrorCode::kInvalid, "'" + found->node.name + "' is not a file");
    }
    return checkVersionLocked(ws, request.existingFileId, request.ifVersionId);
  }
  if (!request.ifVersionId.empty()) {
    return makeError(ErrorCode::kInvalid, "a compare-and-swap (ifVersionId) needs existingFileId");
  }
  const std::string parent = normalizeNodeId(request.parentId);
  FASTIO_TRY(requireFolderLocked(ws, parent));
  if (StoredNode* clash = childNamedLocked(ws, parent, request.name)) {
    if (clash->node.type != NodeType::kFile) {
      return makeError(ErrorCode::kInvalid,
                       "a folder named '" + request.name + "' already exists in this folder");
    }
  }
  return okStatus();
}

UploadResult InMemoryRemoteStore::uploadResultLocked(const Node& stored, bool created,
                                                     const std::string& sessionId) {
  if (hideStoredForDetails_ <= 0) return UploadResult{stored, sessionId};
  hiddenFromDetails_[stored.id] = hideStoredForDetails_;
  Node partial;
  partial.id = stored.id;
  partial.name = stored.name;
  partial.type = NodeType::kFile;
  partial.size = stored.size;
  if (created) partial.parentId = stored.parentId;
  return UploadResult{std::move(partial), sessionId};
}

void InMemoryRemoteStore::hideStoredNodesFromDetails(int detailsCalls) {
  std::lock_guard lock(mu_);
  hideStoredForDetails_ = std::max(0, detailsCalls);
}

Result<UploadResult> InMemoryRemoteStore::upload(const UploadRequest& request,
                                                 const ByteSource& source, UploadObserver* observer,
                                                 Deadline deadline) {
  FASTIO_TRY(begin(RemoteMethod::kUpload, deadline));
  if (request.resumeSessionId.empty()) {
    std::lock_guard lock(mu_);
    FASTIO_TRY_ASSIGN(WorkspaceState * ws, workspaceLocked(request.workspaceId));
    FASTIO_TRY(checkUploadTargetLocked(*ws, request));
  }
  if (!request.resumeSessionId.empty() || request.size > kSingleCallUploadMax) {
    return uploadChunked(request, source, observer, deadline);
  }

  std::string content(request.size, '\0');
  FASTIO_TRY(readExactly(source, 0, content.size(), content.data()));
  if (deadline.expired()) return deadlinePassed("upload");
  Result<UploadResult> stored = [&]() -> Result<UploadResult> {
    std::lock_guard lock(mu_);
    FASTIO_TRY_ASSIGN(WorkspaceState * ws, workspaceLocked(request.workspaceId));
    if (!request.existingFileId.empty()) {
      FASTIO_TRY(checkVersionLocked(*ws, request.existingFileId, request.ifVersionId));
    }
    FASTIO_TRY_ASSIGN(Node node, storeFileLocked(*ws, request.parentId, request.name,
                                                 request.existingFileId, std::move(content)));
    return uploadResultLocked(node, request.existingFileId.empty(), "");
  }();
  if (!stored.ok()) return stored.error();
  if (observer != nullptr) observer->onBytesSent(request.size);
  return stored;
}

Result<UploadResult> InMemoryRemoteStore::uploadChunked(const UploadRequest& request,
                                                        const ByteSource& source,
                                                        UploadObserver* observer,
                                                        const Deadline& deadline) {
  std::string sessionId;
  uint64_t size = 0;
  uint64_t chunkSize = 0;
  std::set<uint32_t> acknowledged;
  bool created = false;
  {
    std::lock_guard lock(mu_);
    if (!request.resumeSessionId.empty()) {
      sessionId = normalizeNodeId(request.resumeSessionId);
      auto it = sessions_.find(sessionId);
      if (it == sessions_.end()) {
        return makeError(ErrorCode::kNotFound,
                         "upload session '" + request.resumeSessionId + "' not found");
      }
      UploadSession& session = it->second;
      if (session.info.size != request.size) {
        return makeError(ErrorCode::kInvalid, "the resumed upload declares " +
                                                  std::to_string(request.size) +
                                                  " bytes but its session was created for " +
                                                  std::to_string(session.info.size));
      }
      if (request.resumeChunkSize != 0 && request.resumeChunkSize != session.info.chunkSize) {
        return makeError(ErrorCode::kInvalid, "the resumed upload uses another chunk size");
      }
      if (session.info.stored) {  // finished already: answer as the service would, again
        FASTIO_TRY_ASSIGN(WorkspaceState * ws, workspaceLocked(session.info.workspaceId));
        const StoredNode* node = liveNodeLocked(*ws, session.info.newFileId);
        return UploadResult{node != nullptr ? publicNodeLocked(*ws, *node) : session.storedNode,
                            sessionId};
      }
      size = session.info.size;
      chunkSize = session.info.chunkSize;
      acknowledged = session.info.acknowledgedChunks;
    } else {
      chunkSize = limits_.chunkSize;
      size = request.size;
      if (limits_.maxChunksPerSession != 0 &&
          chunkCountFor(size, chunkSize) > limits_.maxChunksPerSession) {
        return makeError(ErrorCode::kTooLarge, "the file needs more chunks than a session allows");
      }
      FASTIO_TRY_ASSIGN(WorkspaceState * ws, workspaceLocked(request.workspaceId));
      sessionId = newIdLocked('u');
      UploadSession& session = sessions_[sessionId];
      session.info.id = sessionId;
      session.info.workspaceId = ws->info.id;
      session.info.size = size;
      session.info.chunkSize = chunkSize;
      session.parentId = request.parentId;
      session.name = request.name;
      session.existingFileId = request.existingFileId;
      session.ifVersionId = request.ifVersionId;
      recordActivityLocked(user_.id, "upload:" + sessionId);
      created = true;
    }
  }
  if (created && observer != nullptr) observer->onSessionCreated(sessionId, chunkSize);

  const uint32_t chunkCount = chunkCountFor(size, chunkSize);
  uint64_t bytesSent = 0;
  for (uint32_t order : acknowledged) {
    bytesSent += std::min(chunkSize, size - (order - 1) * chunkSize);
  }
  std::string buffer;
  for (uint32_t order = 1; order <= chunkCount; ++order) {
    if (acknowledged.count(order) != 0) continue;
    if (deadline.expired()) return deadlinePassed("upload");  // the session stays resumable
    const uint64_t offset = (order - 1) * chunkSize;
    const uint64_t length = std::min(chunkSize, size - offset);
    buffer.resize(length);
    if (Status read = readExactly(source, offset, length, buffer.data()); !read.ok()) {
      std::lock_guard lock(mu_);
      sessions_.erase(sessionId);  // the caller's data failed: the session is abandoned
      return read.error();
    }
    {
      std::lock_guard lock(mu_);
      if (auto failure = chunkFailures_.find(order); failure != chunkFailures_.end()) {
        Error error = std::move(failure->second);
        chunkFailures_.erase(failure);
        if (abandonsSession(error)) sessions_.erase(sessionId);
        return error;
      }
      auto it = sessions_.find(sessionId);
      if (it == sessions_.end()) {
        return makeError(ErrorCode::kNotFound, "upload session '" + sessionId + "' vanished");
      }
      it->second.chunks[order] = buffer;
      it->second.info.acknowledgedChunks.insert(order);
    }
    bytesSent += length;
    if (observer != nullptr) {
      observer->onChunkAcknowledged(order, length);
      observer->onBytesSent(bytesSent);
    }
  }
  std::lock_guard lock(mu_);
  return completeSessionLocked(sessionId);
}

Result<UploadResult> InMemoryRemoteStore::completeSessionLocked(const std::string& sessionId) {
  auto it = sessions_.find(sessionId);
  if (it == sessions_.end()) {
    return makeError(ErrorCode::kNotFound, "upload session '" + sessionId + "' vanished");
  }
  UploadSession& session = it->second;
  // Every failure from here on ends the session, as a failed assembly or store does.
  auto fail = [&](Error error) -> Result<UploadResult> {
    sessions_.erase(it);
    return error;
  };
  const uint32_t chunkCount = chunkCountFor(session.info.size, session.info.chunkSize);
  std::string content;
  content.reserve(session.info.size);
  for (const auto& [order, bytes] : session.chunks) content += bytes;
  if (content.size() != session.info.size || session.chunks.size() != chunkCount) {
    return fail(makeError(ErrorCode::kInvalid, "the chunks do not add up to the declared size"));
  }
  Result<WorkspaceState*> ws = workspaceLocked(session.info.workspaceId);
  if (!ws.ok()) return fail(ws.error());
  if (!session.existingFileId.empty()) {
    // The version may have moved on while the chunks were uploading.
    if (Status v = checkVersionLocked(**ws, session.existingFileId, session.ifVersionId); !v.ok()) {
      return fail(v.error());
    }
  }
  Result<Node> stored = storeFileLocked(**ws, session.parentId, session.name,
                                        session.existingFileId, std::move(content));
  if (!stored.ok()) return fail(stored.error());
  session.chunks.clear();
  session.info.stored = true;
  session.info.newFileId = stored->id;
  session.storedNode = *stored;
  recordActivityLocked(user_.id, "upload:" + sessionId);
  return uploadResultLocked(*stored, session.existingFileId.empty(), sessionId);
}

Status InMemoryRemoteStore::cancelUpload(const std::string& sessionId, Deadline deadline) {
  FASTIO_TRY(begin(RemoteMethod::kCancelUpload, deadline));
  std::lock_guard lock(mu_);
  auto it = sessions_.find(normalizeNodeId(sessionId));
  if (it == sessions_.end()) return okStatus();  // unknown, finished long ago or cancelled
  recordActivityLocked(user_.id, "upload:" + it->first);
  sessions_.erase(it);
  return okStatus();
}

}  // namespace fastio::testing
