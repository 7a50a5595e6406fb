// InMemoryRemoteStore: file content — ranged reads (uploads are in InMemoryUpload.cpp).

#include <algorithm>

#include "client/testing/InMemoryRemoteStore.h"
#include "client/testing/NodeIds.h"
#include "client/testing/SyntheticContent.h"

namespace fastio::testing {
namespace {

Error deadlinePassed(const char* what) {
  return makeError(ErrorCode::kDeadline, std::string(what) + ": the deadline passed");
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
    FASTIO_TRY_ASSIGN(WorkspaceState * ws, workspaceLocked(request.workspaceId));
    FASTIO_TRY_ASSIGN(StoredNode * found, requireLiveNodeLocked(*ws, request.nodeId));
    const StoredNode& stored = *found;
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

}  // namespace fastio::testing
