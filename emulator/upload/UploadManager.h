#pragma once
// The upload engine behind /current/upload/: sessions, chunks, assembly and storing, with no
// HTTP in it. Every call is scoped to the calling user (another user's session is "not found").
//
// Threads: request threads call in; `assemblyWorkers` threads assemble and store completed
// sessions. Locks: a session's `io` mutex (orders its disk changes) is taken before `mu_`
// (guards the session map and every session's fields); no lock is held while request bytes
// stream in or while the storage stores a file.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/Clock.h"
#include "common/Result.h"
#include "emulator/upload/ChunkFileWriter.h"
#include "emulator/upload/UploadLimits.h"
#include "emulator/upload/UploadSession.h"
#include "emulator/upload/UploadSessionStore.h"
#include "emulator/upload/UploadStorage.h"

namespace fastio::emu {

// The fields of POST /upload/, already split out of the form.
struct NewUpload {
  UploadTarget target;
  std::optional<std::uint64_t> size;
  std::string hash;
  std::string hashAlgo;
};

// The fields sent with one chunk (query or form).
struct ChunkFields {
  std::optional<int> order;
  std::optional<std::uint64_t> size;
  std::string hash;
  std::string hashAlgo;
};

class UploadManager;

// One chunk request in flight: holds one of the session's parallel slots until destroyed, and
// the file the chunk body streams into.
class ChunkReceipt {
 public:
  ~ChunkReceipt();
  ChunkReceipt(const ChunkReceipt&) = delete;
  ChunkReceipt& operator=(const ChunkReceipt&) = delete;

  ChunkFileWriter& body() { return *body_; }
  const std::string& sessionId() const { return sessionId_; }
  const std::string& userId() const { return userId_; }

 private:
  friend class UploadManager;
  ChunkReceipt(UploadManager* manager, std::string userId, std::string sessionId,
               std::unique_ptr<ChunkFileWriter> body);
  UploadManager* manager_;
  std::string userId_;
  std::string sessionId_;
  std::unique_ptr<ChunkFileWriter> body_;
};

class UploadManager {
 public:
  // Called (without locks held) after every status change: the routes turn it into an
  // `upload:{id}` activity key on the user's entity.
  using StatusListener = std::function<void(const UploadSession&)>;

  UploadManager(UploadSessionStore& store, UploadStorage& storage, Clock& clock,
                UploadLimits limits = {});
  ~UploadManager();
  UploadManager(const UploadManager&) = delete;
  UploadManager& operator=(const UploadManager&) = delete;

  void setStatusListener(StatusListener listener);
  // Loads persisted sessions, re-queues interrupted assemblies, starts the workers.
  Status start(int assemblyWorkers = 2);
  // Stops the workers and wakes every long-poll (idempotent, thread-safe; the destructor calls
  // it).
  void stop();

  const UploadLimits& limits() const { return limits_; }

  // Chunked flow, step 1: POST /upload/ without a chunk part.
  Result<UploadSession> createSession(const NewUpload& request);
  // Single call: POST /upload/ whose chunk part has streamed into `body` (finished or not).
  // Stores the file before returning.
  Result<UploadSession> storeSingleCall(const NewUpload& request, ChunkFileWriter& body);
  // A file for a single-call body to stream into, capped at limits().singleCallMax.
  Result<std::unique_ptr<ChunkFileWriter>> newSingleCallBody();

  // Claims a parallel slot (429 when limits().chunksInFlight are busy) and a temp file.
  Result<std::unique_ptr<ChunkReceipt>> beginChunk(const std::string& userId,
                                                   std::string_view sessionId);
  // Verifies and commits the streamed chunk; re-sending an order replaces it.
  Result<UploadSession> commitChunk(ChunkReceipt& receipt, const ChunkFields& fields);

  Result<UploadSession> deleteChunk(const std::string& userId, std::string_view sessionId,
                                    int order);
  // Queues assembly; the status then moves on in the background.
  Result<UploadSession> complete(const std::string& userId, std::string_view sessionId);
  // A snapshot; with wait > 0 it first waits (up to the cap) until the status changes.
  Result<UploadSession> details(const std::string& userId, std::string_view sessionId,
                                Duration wait = Duration::zero());
  Result<UploadSession> cancel(const std::string& userId, std::string_view sessionId);
  std::vector<UploadSession> list(const std::string& userId);

 private:
  friend class ChunkReceipt;
  struct Entry {
    std::mutex io;
    UploadSession session;
    int inFlight = 0;
  };
  using EntryPtr = std::shared_ptr<Entry>;

  Result<EntryPtr> find(const std::string& userId, std::string_view sessionId);
  Status validateNew(const NewUpload& request, bool singleCall);
  Status checkUserQuota(const std::string& userId, std::uint64_t size);
  UploadSession makeSession(const NewUpload& request, bool singleCall);
  void releaseSlot(const std::string& sessionId);
  // Sets the status under mu_, persists it, wakes pollers and returns the snapshot to announce.
  UploadSession setStatus(Entry& entry, UploadStatus status, std::string message = {},
                          long long errorCode = 0);
  void announce(const UploadSession& snapshot);
  void enqueueAssembly(const std::string& sessionId);
  void workerLoop();
  void assembleAndStore(const EntryPtr& entry);
  std::int64_t nowEpoch() const;
  bool stopsAtComplete(const UploadSession& session) const;
  // Forgets finished sessions older than limits_.finishedRetentionSec (at most once a minute).
  void pruneFinished();

  UploadSessionStore& store_;
  UploadStorage& storage_;
  Clock& clock_;
  UploadLimits limits_;
  StatusListener listener_;

  std::mutex mu_;
  std::condition_variable changed_;  // any status change, or stop
  std::condition_variable queued_;   // assembly queue
  std::map<std::string, EntryPtr> sessions_;
  std::deque<std::string> assemblyQueue_;
  std::mutex stopMu_;  // serialises stop() (it may be called from two threads)
  std::vector<std::thread> workers_;
  bool stopping_ = false;
  std::int64_t lastPruneEpoch_ = 0;
};

// Canonical form of an upload id as sent by a client (hyphens dropped, lower case).
std::string normalizeUploadId(std::string_view id);
// A new session OpaqueId with the "u" prefix.
std::string newUploadId();

}  // namespace fastio::emu
