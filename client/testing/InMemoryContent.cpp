// InMemoryRemoteStore: file content — ranged reads and single-call / chunked uploads.

#include <algorithm>

#include "client/testing/InMemoryRemoteStore.h"
#include "client/testing/NameRules.h"
#include "client/testing/SyntheticContent.h"

namespace fastio::testing {
namespace {

Error deadlinePassed(const char* what) {
  return makeError(ErrorCode::kDeadline, std::string(what) + ": the deadline passed");
}

// Pulls exactly `length` bytes at `offset` from the caller's source.
Status readExactly(const ByteSource& source, uint64_t offset, std::size_t length, char* out) {
  std::size_t got = 0;
  while (got < length) {
    Result<std::size_t> n = source(offset + got, out + got, length - got);
    if (!n.ok()) return n.error();
    if (*n == 0) {
      return makeError(ErrorCode::kInvalid, "the upload source ended at byte " +
                                                std::to_string(offset + got) + " of a declared " +
                                                "range ending at " +
                                                std::to_string(offset + length));
    }
    if (*n > length - got) {
      return makeError(ErrorCode::kInternal, "the upload source returned more than asked");
    }
    got += *n;
  }
  return okStatus();
}

uint32_t chunkCountFor(uint64_t size, uint64_t chunkSize) {
  return static_cast<uint32_t>((size + chunkSize - 1) / chunkSize);
}

}  // namespace

Result<ReadOutcome> InMemoryRemoteStore::read(const ReadRequest& request, const ByteSink& sink,
                                              Deadline deadline) {
  FASTIO_TRY(begin(RemoteMethod::kRead, deadline));
  StoredVersion version;
  bool ignoreRange = false;
  uint64_t piece = 0;
  {
    std::lock_guard lock(mu_);
    Result<WorkspaceState*> ws = workspaceLocked(request.workspaceId);
    if (!ws.ok()) return ws.error();
    Result<StoredNode*> found = requireLiveNodeLocked(**ws, request.nodeId);
    if (!found.ok()) return found.error();
    const StoredNode& stored = **found;
    if (stored.node.type != NodeType::kFile) {
      return makeError(ErrorCode::kInvalid, "'" + stored.node.name + "' is not a file");
    }
    if (request.versionId.empty()) {
      version = stored.versions.back();
    } else {
      const std::string wanted = normalizeNodeId(request.versionId);
      auto v = std::find_if(stored.versions.begin(), stored.versions.end(),
                            [&](const StoredVersion& sv) { return sv.id == wanted; });
      if (v == stored.versions.end()) {
        return makeError(ErrorCode::kNotFound, "version '" + request.versionId + "' of '" +
                                                   stored.node.name + "' not found");
      }
      version = *v;
    }
    ignoreRange = ignoreRange_;
    piece = readPieceSize_;
  }

  const uint64_t total = version.content ? version.content->size() : version.syntheticSize;
  const bool wholeFile = request.offset == 0 && request.length == 0;
  ReadOutcome outcome;
  outcome.totalSize = total;
  uint64_t begin = 0;
  uint64_t end = total;
  if (ignoreRange && !wholeFile) {
    outcome.rangeHonoured = false;  // like a 200 with the whole body
  } else {
    // A range starting at or past the end delivers nothing (the client maps HTTP 416 to this).
    begin = std::min(request.offset, total);
    if (request.length != 0 && request.length < total - begin) end = begin + request.length;
  }
  std::string generated;  // the current piece of a synthetic version
  for (uint64_t pos = begin; pos < end; pos += piece) {
    if (deadline.expired()) return deadlinePassed("read");
    const uint64_t n = std::min(piece, end - pos);
    std::string_view bytes;
    if (version.content) {
      bytes = std::string_view(version.content->data() + pos, n);
    } else {
      generated.resize(n);
      fillSyntheticBytes(version.syntheticSeed, pos, generated.data(), n);
      bytes = generated;
    }
    FASTIO_TRY(sink(pos, bytes));
    outcome.bytesDelivered += n;
  }
  std::lock_guard lock(mu_);
  bytesServed_ += outcome.bytesDelivered;
  return outcome;
}

Result<UploadLimits> InMemoryRemoteStore::uploadLimits(Deadline deadline) {
  FASTIO_TRY(begin(RemoteMethod::kUploadLimits, deadline));
  std::lock_guard lock(mu_);
  return limits_;
}

Status InMemoryRemoteStore::checkUploadTargetLocked(WorkspaceState& ws,
                                                    const UploadRequest& request) {
  if (auto problem = nodeNameProblem(request.name)) {
    return makeError(ErrorCode::kInvalid, "cannot upload: " + *problem);
  }
  if (limits_.maxFileSize != 0 && request.size > limits_.maxFileSize) {
    return makeError(ErrorCode::kTooLarge, "the file is larger than the plan allows (" +
                                               std::to_string(limits_.maxFileSize) + " bytes)");
  }
  if (!request.existingFileId.empty()) {
    Result<StoredNode*> found = requireLiveNodeLocked(ws, request.existingFileId);
    if (!found.ok()) return found.error();
    if ((*found)->node.type != NodeType::kFile) {
      return makeError(ErrorCode::kInvalid, "'" + (*found)->node.name + "' is not a file");
    }
    return okStatus();
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

Result<UploadResult> InMemoryRemoteStore::upload(const UploadRequest& request,
                                                 const ByteSource& source, UploadObserver* observer,
                                                 Deadline deadline) {
  FASTIO_TRY(begin(RemoteMethod::kUpload, deadline));
  if (request.resumeSessionId.empty()) {
    std::lock_guard lock(mu_);
    Result<WorkspaceState*> ws = workspaceLocked(request.workspaceId);
    if (!ws.ok()) return ws.error();
    FASTIO_TRY(checkUploadTargetLocked(**ws, request));
  }
  if (!request.resumeSessionId.empty() || request.size > kSingleCallUploadMax) {
    return uploadChunked(request, source, observer, deadline);
  }

  std::string content(request.size, '\0');
  FASTIO_TRY(readExactly(source, 0, content.size(), content.data()));
  if (deadline.expired()) return deadlinePassed("upload");
  Result<Node> stored = [&]() -> Result<Node> {
    std::lock_guard lock(mu_);
    Result<WorkspaceState*> ws = workspaceLocked(request.workspaceId);
    if (!ws.ok()) return ws.error();
    return storeFileLocked(**ws, request.parentId, request.name, request.existingFileId,
                           std::move(content));
  }();
  if (!stored.ok()) return stored.error();
  if (observer != nullptr) observer->onBytesSent(request.size);
  return UploadResult{std::move(stored).value(), ""};
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
        Result<WorkspaceState*> ws = workspaceLocked(session.info.workspaceId);
        if (!ws.ok()) return ws.error();
        const StoredNode* node = liveNodeLocked(**ws, session.info.newFileId);
        return UploadResult{node != nullptr ? publicNodeLocked(**ws, *node) : session.storedNode,
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
      Result<WorkspaceState*> ws = workspaceLocked(request.workspaceId);
      if (!ws.ok()) return ws.error();
      sessionId = newIdLocked('u');
      UploadSession& session = sessions_[sessionId];
      session.info.id = sessionId;
      session.info.workspaceId = (*ws)->info.id;
      session.info.size = size;
      session.info.chunkSize = chunkSize;
      session.parentId = request.parentId;
      session.name = request.name;
      session.existingFileId = request.existingFileId;
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
    if (deadline.expired()) return deadlinePassed("upload");
    const uint64_t offset = (order - 1) * chunkSize;
    const uint64_t length = std::min(chunkSize, size - offset);
    buffer.resize(length);
    FASTIO_TRY(readExactly(source, offset, length, buffer.data()));
    {
      std::lock_guard lock(mu_);
      if (auto failure = chunkFailures_.find(order); failure != chunkFailures_.end()) {
        Error error = std::move(failure->second);
        chunkFailures_.erase(failure);
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

  // Complete: assemble the chunks and store the file.
  std::lock_guard lock(mu_);
  UploadSession& session = sessions_.at(sessionId);
  std::string content;
  content.reserve(size);
  for (const auto& [order, bytes] : session.chunks) content += bytes;
  if (content.size() != size || session.chunks.size() != chunkCount) {
    return makeError(ErrorCode::kInvalid, "the chunks do not add up to the declared size");
  }
  Result<WorkspaceState*> ws = workspaceLocked(session.info.workspaceId);
  if (!ws.ok()) return ws.error();
  Result<Node> stored = storeFileLocked(**ws, session.parentId, session.name,
                                        session.existingFileId, std::move(content));
  if (!stored.ok()) return stored.error();
  session.chunks.clear();
  session.info.stored = true;
  session.info.newFileId = stored->id;
  session.storedNode = *stored;
  recordActivityLocked(user_.id, "upload:" + sessionId);
  return UploadResult{std::move(stored).value(), sessionId};
}

}  // namespace fastio::testing
