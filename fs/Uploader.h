#pragma once
// Turns dirty files into uploads (docs/SEMANTICS.md "Writes", "Uploads"). A file becomes
// ready `upload_delay` after its last change (at once when drained or fsync'd with
// sync_upload); `upload_threads` workers take ready files in order. Each upload sends a frozen
// snapshot of the file (DirtyStore::beginUpload): a single call up to 4 MiB, a resumable
// chunked session above. Before an update it compares the node's current version with the one
// the file was written over; on a mismatch the local version becomes a conflict copy next to
// the original. Transient failures retry with backoff, forever; permanent ones park the file
// with its error until it changes again. Nothing is ever dropped.

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <queue>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "client/RemoteStore.h"
#include "common/Clock.h"
#include "fs/BlockReader.h"
#include "fs/ContentCache.h"
#include "fs/DirtyStore.h"
#include "fs/FolderCache.h"
#include "fs/FsCounters.h"
#include "fs/Health.h"
#include "fs/ServerMove.h"
#include "fs/WriteBack.h"

namespace fastio::fs {

struct UploaderOptions {
  unsigned threads = 8;
  Duration retryMin = std::chrono::seconds(1);
  Duration retryMax = std::chrono::minutes(2);
  Duration remoteTimeout = std::chrono::seconds(60);
  // Uploaded bytes of files up to this size go into the block cache under the new version,
  // so reading the file again downloads nothing.
  uint64_t cacheUploadsUpTo = 256ull << 20;
  std::string hostName;  // for conflict copy names
};

struct UploadQueueStats {
  uint64_t filesPending = 0;  // waiting for their delay or a worker
  uint64_t bytesPending = 0;
  uint64_t filesInFlight = 0;
  uint64_t bytesInFlightDone = 0;
  uint64_t bytesInFlightTotal = 0;
  uint64_t filesDone = 0;
  uint64_t bytesDone = 0;
  uint64_t filesParked = 0;  // stopped by a permanent error
  uint64_t conflicts = 0;
  double bytesPerSecond = 0;              // over the last few seconds
  std::vector<std::string> parkedErrors;  // "name: reason", a few
};

// What the filesystem does when an upload is stored or a file became a conflict copy (inode
// re-keying, node records, kernel invalidations).
class UploadEvents {
 public:
  virtual ~UploadEvents() = default;
  // The record's content up to the snapshot is stored as `node`; `clean`: nothing newer.
  virtual void stored(DirtyKey key, const Node& node, bool clean) = 0;
  // The record no longer targets `previousNode`: it was renamed from `previousName` to its
  // conflict copy name, and will be uploaded as a new file.
  virtual void becameConflictCopy(DirtyKey key, const std::string& previousNode,
                                  const std::string& previousName) = 0;
};

class Uploader {
 public:
  Uploader(RemoteStore& remote, DirtyStore& store, WriteBack& writeBack, BlockReader& blocks,
           ContentCache& cache, FolderCache& folders, Health& health, FsCounters& counters,
           UploaderOptions options, const Clock& clock);
  ~Uploader();
  Uploader(const Uploader&) = delete;
  Uploader& operator=(const Uploader&) = delete;

  void setEvents(UploadEvents* events) { events_ = events; }
  void start();
  // Ends the workers. Uploads in flight are abandoned where they are; the journal keeps
  // everything needed to resume them at the next mount.
  void stop();

  // The file changed (or is new): ready at `readyAt` unless it is ready sooner already.
  void schedule(DirtyKey key, SteadyTime readyAt);
  // Ready now: drain, fsync with sync_upload.
  void expedite(DirtyKey key);
  void expediteAll();
  // `done` runs (on an upload thread) once every change up to `generation` is stored, or with
  // the error that stopped the upload.
  void whenStored(DirtyKey key, uint64_t generation, std::function<void(Status)> done);
  // Waits until nothing is pending or in flight (parked files do not count) or `until`.
  bool waitIdle(SteadyTime until);
  // Waits until no upload in flight creates a file named `name` in the folder (one whose
  // local file is gone ends soon: its transfer is cancelled, what it stored is trashed), or
  // `until`. A server node moved to that name before would be overwritten by that upload.
  bool waitNameFree(const std::string& workspaceId, const std::string& folderId,
                    const std::string& name, SteadyTime until);

  UploadQueueStats stats() const;
  // user.fastio.sync of a dirty file: pending, uploading N%, conflict, error: reason.
  std::string syncState(DirtyKey key) const;

  // "<stem> (conflict <host> <YYYY-MM-DD HHMMSS>)<ext>", within 255 bytes.
  static std::string conflictName(const std::string& name, const std::string& host, WallTime at);

 private:
  struct Item {
    SteadyTime readyAt{};
    bool queued = false;  // a heap entry with this readyAt exists
    bool inFlight = false;
    bool parked = false;
    bool conflict = false;  // became a conflict copy (shown until stored)
    uint32_t failures = 0;  // consecutive transient failures (backoff)
    std::string error;
    uint64_t bytesTotal = 0;
    uint64_t bytesDone = 0;
    bool rerun = false;  // changed while in flight
  };
  struct HeapEntry {
    SteadyTime at;
    DirtyKey key;
    bool operator>(const HeapEntry& o) const { return at > o.at; }
  };
  // kBlocked: another upload over the same server node (or creating the same name) is in
  // flight; this one waits for it.
  enum class Outcome { kDone, kRetry, kRetryNow, kPark, kGone, kBlocked };
  struct Attempt {
    Outcome outcome = Outcome::kDone;
    Error error;
    uint64_t storedGeneration = 0;
  };

  void worker();
  void pushLocked(DirtyKey key, Item& item, SteadyTime at);
  Attempt upload(DirtyKey key);
  // One upload at a time per server node: a second one would see the first one's version
  // appear before that upload returns, and take it for another client's (a false conflict).
  // And one at a time per name a new file is created under: the server overwrites a same-name
  // file in place, so a second create would land on the first one's node.
  bool claim(DirtyKey key, const std::string& claimKey);
  static std::string nodeClaim(const std::string& workspaceId, const std::string& nodeId);
  static std::string placeClaim(const std::string& workspaceId, const std::string& folderId,
                                const std::string& name);
  Attempt uploadSnapshot(DirtyKey key, const DirtyFile& file, const DirtyUpload& snapshot);
  // Checks the target before a fresh upload; may turn the file into a conflict copy or find
  // its content already stored (then returns the attempt that finished it).
  std::optional<Attempt> preflight(DirtyKey key, DirtyFile& file);
  Attempt adopt(DirtyKey key, const Node& node);
  // A single-call upload interrupted by a crash may have been stored: if the server holds the
  // snapshot's content, finishes with it (the file may have changed since the snapshot).
  std::optional<Attempt> adoptInterrupted(DirtyKey key, const DirtyFile& file,
                                          const DirtyUpload& snapshot);
  Attempt finishTombstone(DirtyKey key, const DirtyFile& file);
  Status makeConflictCopy(DirtyKey key, const DirtyFile& file);
  // The digest of the file's content now, or of its upload snapshot.
  Result<std::string> digestOf(DirtyKey key, const DirtyFile& file, const std::string& algo,
                               const DirtyUpload* snapshot = nullptr);
  Status readContent(DirtyKey key, const std::string& workspaceId, const std::string& baseNode,
                     const std::string& baseVersion, uint64_t baseSize, bool snapshot,
                     uint64_t offset, std::span<char> out);
  Status finishStored(DirtyKey key, const std::string& workspaceId, const DirtyUpload& snapshot,
                      Node node);
  void cacheUploaded(DirtyKey key, const DirtyUpload& snapshot, const DirtyFile& file,
                     const Node& node);
  Attempt classify(DirtyKey key, const Error& error, const DirtyUpload* snapshot);
  void settle(DirtyKey key, const Attempt& attempt);
  void notifyWaiters(DirtyKey key, uint64_t storedGeneration, const Status& status, bool all);
  Duration backoff(uint32_t failures) const;
  Deadline uploadDeadline(uint64_t size) const;

  RemoteStore& remote_;
  DirtyStore& store_;
  WriteBack& writeBack_;
  BlockReader& blocks_;
  ContentCache& cache_;
  FolderCache& folders_;
  Health& health_;
  FsCounters& counters_;
  UploaderOptions options_;
  const Clock& clock_;
  UploadEvents* events_ = nullptr;

  mutable std::mutex mu_;  // leaf: the queue, items, waiters, totals
  std::condition_variable cv_;
  std::condition_variable idleCv_;
  bool stopping_ = false;
  std::unordered_map<DirtyKey, Item> items_;
  std::priority_queue<HeapEntry, std::vector<HeapEntry>, std::greater<>> heap_;
  struct Waiter {
    uint64_t generation;
    std::function<void(Status)> done;
  };
  std::unordered_map<DirtyKey, std::vector<Waiter>> waiters_;
  std::unordered_map<std::string, DirtyKey> claims_;  // node or place -> the uploading key
  std::unordered_map<DirtyKey, std::vector<DirtyKey>> blockedBehind_;
  uint64_t filesDone_ = 0;
  uint64_t bytesDone_ = 0;
  uint64_t conflicts_ = 0;
  std::deque<std::pair<SteadyTime, uint64_t>> recentBytes_;  // for the rate
  std::vector<std::thread> threads_;
};

}  // namespace fastio::fs
