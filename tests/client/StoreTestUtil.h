#pragma once
// Small helpers for tests that drive a RemoteStore: test content, byte sources, reading and
// listing whole, and printable outcomes ("ok" or the error code's name).

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "client/RemoteStore.h"

namespace fastio::testutil {

inline Deadline soon(Duration d = Seconds(60)) {
  return Deadline::after(d);
}

// Deterministic, position-dependent bytes: a misplaced chunk or an off-by-one shows.
inline std::string patternBytes(std::size_t size, uint32_t seed = 1) {
  std::string out(size, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (std::size_t i = 0; i < size; ++i) {
    x = x * 1664525u + 1013904223u;
    out[i] = static_cast<char>(x >> 24);
  }
  return out;
}

inline ByteSource stringSource(const std::string& content) {
  return [&content](uint64_t offset, char* out, std::size_t length) -> Result<std::size_t> {
    if (offset > content.size()) {
      return makeError(ErrorCode::kInvalid, "source read past its end");
    }
    const std::size_t n = std::min<std::size_t>(length, content.size() - offset);
    std::memcpy(out, content.data() + offset, n);
    return n;
  };
}

template <typename T>
std::string outcome(const Result<T>& result) {
  return result.ok() ? "ok" : std::string(errorCodeName(result.error().code));
}

template <typename T>
std::string describe(const Result<T>& result) {
  return result.ok() ? "ok" : result.error().describe();
}

// Reads [offset, offset+length) and places every delivered byte at its file offset.
struct ReadBack {
  std::string bytes;  // indexed from the smallest offset delivered
  uint64_t firstOffset = UINT64_MAX;
  ReadOutcome outcome;
};

inline Result<ReadBack> readRange(RemoteStore& store, const std::string& ws,
                                  const std::string& nodeId, uint64_t offset, uint64_t length,
                                  const std::string& versionId = "") {
  ReadRequest request;
  request.workspaceId = ws;
  request.nodeId = nodeId;
  request.versionId = versionId;
  request.offset = offset;
  request.length = length;
  ReadBack back;
  uint64_t expectedNext = UINT64_MAX;
  Result<ReadOutcome> result = store.read(
      request,
      [&](uint64_t fileOffset, std::string_view bytes) -> Status {
        if (back.firstOffset == UINT64_MAX) back.firstOffset = fileOffset;
        if (expectedNext != UINT64_MAX && fileOffset != expectedNext) {
          return makeError(ErrorCode::kProtocol, "sink saw a gap or overlap in offsets");
        }
        expectedNext = fileOffset + bytes.size();
        back.bytes.append(bytes);
        return okStatus();
      },
      soon());
  if (!result.ok()) return result.error();
  back.outcome = *result;
  return back;
}

inline Result<std::string> readAll(RemoteStore& store, const std::string& ws,
                                   const std::string& nodeId, const std::string& versionId = "") {
  Result<ReadBack> back = readRange(store, ws, nodeId, 0, 0, versionId);
  if (!back.ok()) return back.error();
  return std::move(back->bytes);
}

struct Listing {
  std::vector<Node> nodes;
  int pages = 0;
  bool sawLast = false;
};

inline Result<Listing> listAll(RemoteStore& store, const std::string& ws,
                               const std::string& folderId) {
  Listing listing;
  Status status = store.listFolder(
      ws, folderId,
      [&](FolderPage&& page) {
        ++listing.pages;
        listing.sawLast = listing.sawLast || page.last;
        for (Node& n : page.nodes) listing.nodes.push_back(std::move(n));
        return true;
      },
      soon());
  if (!status.ok()) return status.error();
  return listing;
}

inline const Node* findNamed(const std::vector<Node>& nodes, const std::string& name) {
  for (const Node& n : nodes) {
    if (n.name == name) return &n;
  }
  return nullptr;
}

inline Result<UploadResult> uploadString(RemoteStore& store, const std::string& ws,
                                         const std::string& parentId, const std::string& name,
                                         const std::string& content,
                                         UploadObserver* observer = nullptr,
                                         const std::string& existingFileId = "") {
  UploadRequest request;
  request.workspaceId = ws;
  request.parentId = parentId;
  request.name = name;
  request.size = content.size();
  request.existingFileId = existingFileId;
  return store.upload(request, stringSource(content), observer, soon(Seconds(120)));
}

// Records observer callbacks; safe when chunks are acknowledged from several threads.
class RecordingObserver : public UploadObserver {
 public:
  void onSessionCreated(const std::string& sessionId, uint64_t chunkSize) override {
    std::lock_guard lock(mu_);
    sessions.push_back(sessionId);
    this->chunkSize = chunkSize;
  }
  void onChunkAcknowledged(uint32_t order, uint64_t bytes) override {
    std::lock_guard lock(mu_);
    acknowledged.insert(order);
    acknowledgedBytes += bytes;
  }
  void onBytesSent(uint64_t totalBytesSent) override {
    std::lock_guard lock(mu_);
    maxBytesSent = std::max(maxBytesSent, totalBytesSent);
  }

  uint64_t chunkSizeSeen() {
    std::lock_guard lock(mu_);
    return chunkSize;
  }

  std::vector<std::string> sessions;
  uint64_t chunkSize = 0;
  std::set<uint32_t> acknowledged;
  uint64_t acknowledgedBytes = 0;
  uint64_t maxBytesSent = 0;

 private:
  std::mutex mu_;
};

// Starts an upload and lets its own deadline stop it: the source holds back every byte from
// chunk `holdFromOrder` on (1-based, in the chunk size the store announced) until the deadline
// has passed. The session is left as a lost connection would leave it: resumable, with the
// chunks before (or some of them) acknowledged.
inline Result<UploadResult> uploadStoppedByDeadline(
    RemoteStore& store, const UploadRequest& request, const std::string& content,
    uint32_t holdFromOrder, RecordingObserver& observer, Duration patience = Seconds(5)) {
  const Deadline deadline = soon(patience);
  const ByteSource whole = stringSource(content);
  return store.upload(
      request,
      [&](uint64_t offset, char* out, std::size_t length) -> Result<std::size_t> {
        const uint64_t chunk = observer.chunkSizeSeen();
        if (chunk > 0 && offset >= chunk * (holdFromOrder - 1)) {
          while (!deadline.expired()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        return whole(offset, out, length);
      },
      &observer, deadline);
}

}  // namespace fastio::testutil
