#include "fs/Uploader.h"

#include <time.h>

#include <algorithm>
#include <cstring>

#include "common/ContentDigest.h"
#include "common/FaultPoints.h"
#include "common/Log.h"
#include "common/NameRules.h"
#include "fs/ServerMove.h"

namespace fastio::fs {
namespace {

constexpr size_t kMaxShownErrors = 5;

bool transient(ErrorCode code) {
  switch (code) {
    case ErrorCode::kUnavailable:
    case ErrorCode::kRateLimited:
    case ErrorCode::kDeadline:
    case ErrorCode::kCancelled:
    case ErrorCode::kProtocol:
    case ErrorCode::kIo:
      return true;
    default:
      return false;
  }
}

// Watches the client's progress and records what a resume needs in the journal.
class JournalObserver final : public UploadObserver {
 public:
  JournalObserver(DirtyStore& store, DirtyKey key, std::function<void(uint64_t)> progress)
      : store_(store), key_(key), progress_(std::move(progress)) {}
  void onSessionCreated(const std::string& sessionId, uint64_t chunkSize) override {
    if (Status s = store_.setUploadSession(key_, sessionId, chunkSize); !s.ok()) {
      FASTIO_LOG_WARN("upload session of {} not recorded: {}", key_, s.error().describe());
    }
  }
  void onChunkAcknowledged(uint32_t order, uint64_t) override {
    if (Status s = store_.ackChunk(key_, order); !s.ok()) {
      FASTIO_LOG_DEBUG("chunk {} of {} not recorded: {}", order, key_, s.error().describe());
    }
    (void)faults::hit("upload.after_chunk");
  }
  void onBytesSent(uint64_t total) override { progress_(total); }

 private:
  DirtyStore& store_;
  DirtyKey key_;
  std::function<void(uint64_t)> progress_;
};

}  // namespace

Uploader::Uploader(RemoteStore& remote, DirtyStore& store, WriteBack& writeBack,
                   BlockReader& blocks, ContentCache& cache, FolderCache& folders, Health& health,
                   FsCounters& counters, UploaderOptions options, const Clock& clock)
    : remote_(remote),
      store_(store),
      writeBack_(writeBack),
      blocks_(blocks),
      cache_(cache),
      folders_(folders),
      health_(health),
      counters_(counters),
      options_(std::move(options)),
      clock_(clock) {}

Uploader::~Uploader() {
  stop();
}

void Uploader::start() {
  std::lock_guard lock(mu_);
  if (!threads_.empty()) return;
  stopping_ = false;
  for (unsigned i = 0; i < std::max(1u, options_.threads); ++i) {
    threads_.emplace_back([this] { worker(); });
  }
}

void Uploader::stop() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    threads.swap(threads_);
  }
  cv_.notify_all();
  idleCv_.notify_all();
  for (std::thread& t : threads) t.join();
}

// ---------------------------------------------------------------- the queue

void Uploader::pushLocked(DirtyKey key, Item& item, SteadyTime at) {
  item.readyAt = at;
  item.queued = true;
  heap_.push(HeapEntry{at, key});
  cv_.notify_one();
}

void Uploader::schedule(DirtyKey key, SteadyTime readyAt) {
  std::lock_guard lock(mu_);
  Item& item = items_[key];
  if (item.parked) {
    // A change after a permanent error: worth another try.
    item.parked = false;
    item.error.clear();
  }
  if (item.inFlight) {
    item.rerun = true;
    item.readyAt = std::max(item.readyAt, readyAt);
    return;
  }
  if (item.queued) {
    // Later than what is queued: the worker re-queues the entry when it pops it.
    if (readyAt > item.readyAt) item.readyAt = readyAt;
    if (readyAt < item.readyAt) pushLocked(key, item, readyAt);
    return;
  }
  pushLocked(key, item, readyAt);
}

void Uploader::expedite(DirtyKey key) {
  std::lock_guard lock(mu_);
  Item& item = items_[key];
  item.parked = false;
  item.failures = 0;
  if (item.inFlight) {
    item.rerun = true;
    item.readyAt = clock_.now();
    return;
  }
  pushLocked(key, item, clock_.now());
}

void Uploader::expediteAll() {
  std::lock_guard lock(mu_);
  const SteadyTime now = clock_.now();
  for (auto& [key, item] : items_) {
    if (item.inFlight) {
      item.readyAt = now;
      continue;
    }
    item.failures = 0;
    if (!item.parked) pushLocked(key, item, now);
  }
}

void Uploader::whenStored(DirtyKey key, uint64_t generation, std::function<void(Status)> done) {
  {
    std::lock_guard lock(mu_);
    if (items_.count(key) != 0) {
      waiters_[key].push_back(Waiter{generation, std::move(done)});
      return;
    }
  }
  done(okStatus());  // nothing pending: already stored
}

bool Uploader::waitIdle(SteadyTime until) {
  std::unique_lock lock(mu_);
  auto idle = [&] {
    return std::all_of(items_.begin(), items_.end(),
                       [](const auto& kv) { return kv.second.parked; });
  };
  while (!idle()) {
    if (stopping_ || clock_.now() >= until) return idle();
    idleCv_.wait_for(lock, std::chrono::milliseconds(50));
  }
  return true;
}

void Uploader::worker() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (heap_.empty()) {
      cv_.wait(lock);
      continue;
    }
    const HeapEntry top = heap_.top();
    auto it = items_.find(top.key);
    if (it == items_.end() || !it->second.queued || it->second.inFlight || it->second.parked) {
      heap_.pop();
      continue;
    }
    Item& item = it->second;
    if (item.readyAt != top.at) {
      heap_.pop();
      if (item.readyAt > top.at) heap_.push(HeapEntry{item.readyAt, top.key});
      continue;
    }
    const SteadyTime now = clock_.now();
    if (top.at > now) {
      // Bounded, so a test's fake clock moving forward is noticed too.
      cv_.wait_for(lock, std::min<Duration>(top.at - now, std::chrono::milliseconds(50)));
      continue;
    }
    heap_.pop();
    item.queued = false;
    item.inFlight = true;
    item.rerun = false;
    item.bytesDone = 0;
    const DirtyKey key = top.key;
    lock.unlock();
    Attempt attempt = upload(key);
    settle(key, attempt);
    lock.lock();
  }
}

Duration Uploader::backoff(uint32_t failures) const {
  Duration d = options_.retryMin;
  for (uint32_t i = 1; i < failures && d < options_.retryMax; ++i) d *= 2;
  return std::min(d, options_.retryMax);
}

Deadline Uploader::uploadDeadline(uint64_t size) const {
  // A minute per 64 MiB on top of the call timeout: never cuts a slow but moving upload short.
  const auto extra = std::chrono::minutes(1) * static_cast<int64_t>(size / (64ull << 20));
  return Deadline::after(options_.remoteTimeout + std::chrono::minutes(10) + extra, clock_);
}

void Uploader::settle(DirtyKey key, const Attempt& attempt) {
  // Asked before taking mu_: the uploader's lock is a leaf.
  const bool gone = attempt.outcome == Outcome::kGone || !writeBack_.findByKey(key);
  std::vector<Waiter> ready;
  {
    std::lock_guard lock(mu_);
    std::erase_if(claims_, [&](const auto& kv) { return kv.second == key; });
    if (auto blocked = blockedBehind_.find(key); blocked != blockedBehind_.end()) {
      for (DirtyKey next : blocked->second) {
        auto waiting = items_.find(next);
        if (waiting == items_.end()) continue;
        if (waiting->second.inFlight) {
          // Its own settle has not run yet: it re-queues itself from there.
          waiting->second.rerun = true;
          waiting->second.readyAt = clock_.now();
        } else if (!waiting->second.parked) {
          pushLocked(next, waiting->second, clock_.now());
        }
      }
      blockedBehind_.erase(blocked);
    }
    auto it = items_.find(key);
    if (it == items_.end()) return;
    Item& item = it->second;
    item.inFlight = false;
    if (gone) {
      items_.erase(it);
    } else {
      switch (attempt.outcome) {
        case Outcome::kDone:
          item.failures = 0;
          item.error.clear();
          pushLocked(key, item, item.rerun ? item.readyAt : clock_.now());
          break;
        case Outcome::kRetryNow:
          pushLocked(key, item, clock_.now());
          break;
        case Outcome::kRetry:
          ++item.failures;
          item.error = attempt.error.message;
          pushLocked(key, item, std::max(item.readyAt, clock_.now() + backoff(item.failures)));
          break;
        case Outcome::kPark:
          item.parked = true;
          item.error = attempt.error.message;
          if (item.rerun) {
            item.parked = false;  // changed meanwhile: the change may have fixed it
            pushLocked(key, item, item.readyAt);
          }
          break;
        case Outcome::kGone:
          break;
        case Outcome::kBlocked:
          // Queued again when the upload it waits for settles (or already, if that happened).
          if (item.rerun) pushLocked(key, item, item.readyAt);
          break;
      }
    }
    // Waiters: satisfied by what was stored, or told why it was not.
    auto w = waiters_.find(key);
    if (w != waiters_.end()) {
      const bool failed = attempt.outcome == Outcome::kPark || attempt.outcome == Outcome::kRetry;
      std::vector<Waiter> keep;
      for (Waiter& waiter : w->second) {
        if (gone || failed || attempt.storedGeneration >= waiter.generation ||
            items_.count(key) == 0) {
          ready.push_back(std::move(waiter));
        } else {
          keep.push_back(std::move(waiter));
        }
      }
      if (keep.empty()) {
        waiters_.erase(w);
      } else {
        w->second = std::move(keep);
      }
    }
  }
  idleCv_.notify_all();
  writeBack_.spaceFreed();
  const bool failed = attempt.outcome == Outcome::kPark || attempt.outcome == Outcome::kRetry;
  for (Waiter& waiter : ready) {
    waiter.done(failed && attempt.storedGeneration < waiter.generation ? Status(attempt.error)
                                                                       : okStatus());
  }
}

// ---------------------------------------------------------------- one upload

std::string Uploader::nodeClaim(const std::string& workspaceId, const std::string& nodeId) {
  return "n" + workspaceId + '\0' + nodeId;
}

std::string Uploader::placeClaim(const std::string& workspaceId, const std::string& folderId,
                                 const std::string& name) {
  return "p" + workspaceId + '\0' + folderId + '\0' + name;
}

bool Uploader::claim(DirtyKey key, const std::string& claimKey) {
  std::lock_guard lock(mu_);
  auto [it, inserted] = claims_.try_emplace(claimKey, key);
  if (inserted || it->second == key) return true;
  blockedBehind_[it->second].push_back(key);
  counters_.uploadsQueuedBehind++;
  return false;
}

bool Uploader::waitNameFree(const std::string& workspaceId, const std::string& folderId,
                            const std::string& name, SteadyTime until) {
  const std::string place = placeClaim(workspaceId, folderId, name);
  std::unique_lock lock(mu_);
  if (claims_.count(place) != 0) counters_.renamesBehindUploads++;
  while (claims_.count(place) != 0) {
    if (stopping_ || clock_.now() >= until) return false;
    idleCv_.wait_for(lock, std::chrono::milliseconds(50));
  }
  return true;
}

Uploader::Attempt Uploader::upload(DirtyKey key) {
  auto state = store_.state(key);
  if (!state.ok()) return Attempt{Outcome::kGone, state.error(), 0};
  DirtyFile file = std::move(*state);
  if (file.meta.unlinked) return finishTombstone(key, file);
  if (!file.syncError.empty()) {
    return Attempt{Outcome::kPark,
                   makeError(ErrorCode::kIo, "written data did not reach the local disk (" +
                                                 file.syncError + "); rewrite the file"),
                   0};
  }
  if (file.upload && file.upload->sessionId.empty()) {
    // A snapshot without a session (interrupted before one existed, or a single-call upload
    // interrupted, perhaps after the server stored it): adopt what was stored, or start afresh.
    if (auto adopted = adoptInterrupted(key, file, *file.upload)) return *adopted;
    (void)store_.recordFailure(key, "interrupted", false);
    file.upload.reset();
  }
  const std::string& targetNode = file.upload ? file.upload->targetNodeId : file.meta.targetNodeId;
  const std::string firstClaim =
      targetNode.empty() ? placeClaim(file.workspaceId, file.meta.parentId, file.meta.name)
                         : nodeClaim(file.workspaceId, targetNode);
  if (!claim(key, firstClaim)) return Attempt{Outcome::kBlocked, Error{}, 0};
  if (!file.upload) {
    if (auto finished = preflight(key, file)) return *finished;
    auto snapshot = store_.beginUpload(key);
    if (!snapshot.ok()) return classify(key, snapshot.error(), nullptr);
    file.upload = *snapshot;
  }
  return uploadSnapshot(key, file, *file.upload);
}

std::optional<Uploader::Attempt> Uploader::preflight(DirtyKey key, DirtyFile& file) {
  const Deadline deadline = Deadline::after(options_.remoteTimeout, clock_);
  if (!file.meta.targetNodeId.empty()) {
    auto details = remote_.nodeDetails(file.workspaceId, {file.meta.targetNodeId}, deadline);
    if (!details.ok()) return classify(key, details.error(), nullptr);
    const Node* current = nullptr;
    for (const Node& n : details->nodes) {
      if (n.id == file.meta.targetNodeId) current = &n;
    }
    if (current == nullptr) {
      // Deleted on the server meanwhile: the local version comes back as a new file.
      FASTIO_LOG_WARN(
          "{} was deleted on the server while it had local changes; uploading it "
          "again as a new file",
          file.meta.name);
      Status s = store_.amend(key, [](DirtyMeta& m) {
        m.targetNodeId.clear();
        m.targetVersion.clear();
      });
      if (!s.ok()) return classify(key, s.error(), nullptr);
      auto again = store_.state(key);
      if (!again.ok()) return Attempt{Outcome::kGone, again.error(), 0};
      file = std::move(*again);
      return preflight(key, file);
    }
    if (file.meta.targetVersion.empty() || current->version == file.meta.targetVersion) {
      return std::nullopt;
    }
    if (writeBack_.isOwnVersion(file.workspaceId, current->id, current->version)) {
      // Moved on by this mount's own upload (of content this file replaced since): no
      // conflict; the update goes over that version.
      const std::string version = current->version;
      Status s = store_.amend(key, [&](DirtyMeta& m) { m.targetVersion = version; });
      if (!s.ok()) return classify(key, s.error(), nullptr);
      file.meta.targetVersion = version;
      return std::nullopt;
    }
    // The node moved on since we wrote over it: ours already (a crash after `stored`)?
    if (!current->hash.empty()) {
      auto ours = digestOf(key, file, current->hashAlgo.empty() ? "md5" : current->hashAlgo);
      if (ours.ok() && *ours == current->hash) return adopt(key, *current);
    }
    Status s = makeConflictCopy(key, file);
    if (!s.ok()) return classify(key, s.error(), nullptr);
    auto again = store_.state(key);
    if (!again.ok()) return Attempt{Outcome::kGone, again.error(), 0};
    file = std::move(*again);
    return std::nullopt;
  }
  // A new file: is its name taken in the folder already (another client, or our own upload
  // stored just before a crash)? After a failed attempt the listing must be fresh: that
  // attempt may have stored the file.
  if (file.attempts > 0) folders_.invalidate(file.workspaceId, file.meta.parentId);
  auto listing = folders_.get(file.workspaceId, file.meta.parentId);
  if (!listing.ok()) {
    if (listing.error().code == ErrorCode::kNotFound) {
      return Attempt{Outcome::kPark,
                     makeError(ErrorCode::kNotFound, "its folder no longer exists on the server"),
                     0};
    }
    return classify(key, listing.error(), nullptr);
  }
  // Local names pass the service's rules, so they are shown as they are: the display name
  // is the server name.
  const Node* existing = (*listing)->find(file.meta.name);
  const NamePolicy names = writeBack_.namePolicy(file.workspaceId);
  if (existing != nullptr && !existing->isFolder() &&
      names.mayFree(*existing, file.meta.parentId)) {
    // The name is still held by a node this mount replaced, unlinked or renamed away, which
    // the server has not seen yet: a create by that name would overwrite it in place. Park it
    // first.
    Status parked = freeName(remote_, folders_, file.workspaceId, file.meta.parentId,
                             file.meta.name, "", names, deadline);
    if (!parked.ok()) return classify(key, parked.error(), nullptr);
    return Attempt{Outcome::kRetryNow, Error{}, 0};
  }
  if (existing == nullptr || existing->isFolder() ||
      writeBack_.hides(file.workspaceId, existing->id)) {
    return std::nullopt;
  }
  Node node = *existing;
  if (node.hash.empty()) {
    auto details = remote_.nodeDetails(file.workspaceId, {node.id}, deadline);
    if (details.ok() && !details->nodes.empty()) node = details->nodes.front();
  }
  if (!node.hash.empty()) {
    auto ours = digestOf(key, file, node.hashAlgo.empty() ? "md5" : node.hashAlgo);
    if (ours.ok() && *ours == node.hash) return adopt(key, node);
  }
  Status s = makeConflictCopy(key, file);
  if (!s.ok()) return classify(key, s.error(), nullptr);
  auto again = store_.state(key);
  if (!again.ok()) return Attempt{Outcome::kGone, again.error(), 0};
  file = std::move(*again);
  return std::nullopt;
}

Uploader::Attempt Uploader::finishTombstone(DirtyKey key, const DirtyFile& file) {
  // Unlinked while open: never uploaded. Its server nodes go to the trash once the last
  // descriptor closed; then the tombstone goes.
  if (writeBack_.tombstoneHeld(key)) return Attempt{Outcome::kGone, Error{}, 0};
  const Deadline deadline = Deadline::after(options_.remoteTimeout, clock_);
  for (const std::string& node : file.meta.trashAfterUpload) {
    Status s = remote_.deleteNode(file.workspaceId, node, deadline);
    if (!s.ok() && s.error().code != ErrorCode::kNotFound) return classify(key, s.error(), nullptr);
    Status amended = store_.amend(key, [&](DirtyMeta& m) { std::erase(m.trashAfterUpload, node); });
    if (!amended.ok()) return classify(key, amended.error(), nullptr);
    writeBack_.noteTrashed(file.workspaceId, node);
  }
  if (!file.meta.trashAfterUpload.empty()) folders_.invalidateWorkspace(file.workspaceId);
  if (Status s = store_.discard(key); !s.ok()) return classify(key, s.error(), nullptr);
  writeBack_.forget(key);
  writeBack_.spaceFreed();
  return Attempt{Outcome::kGone, Error{}, 0};
}

std::optional<Uploader::Attempt> Uploader::adoptInterrupted(DirtyKey key, const DirtyFile& file,
                                                            const DirtyUpload& snapshot) {
  const Deadline deadline = Deadline::after(options_.remoteTimeout, clock_);
  std::optional<Node> stored;
  if (!snapshot.targetNodeId.empty()) {
    auto details = remote_.nodeDetails(file.workspaceId, {snapshot.targetNodeId}, deadline);
    if (!details.ok()) return classify(key, details.error(), nullptr);
    for (const Node& n : details->nodes) {
      if (n.id == snapshot.targetNodeId && n.version != snapshot.targetVersion) stored = n;
    }
  } else {
    folders_.invalidate(file.workspaceId, snapshot.parentId);
    auto listing = folders_.get(file.workspaceId, snapshot.parentId);
    if (!listing.ok()) {
      if (listing.error().code == ErrorCode::kNotFound) return std::nullopt;
      return classify(key, listing.error(), nullptr);
    }
    const Node* n = (*listing)->find(snapshot.name);
    if (n != nullptr && !n->isFolder() && !writeBack_.hides(file.workspaceId, n->id)) stored = *n;
  }
  if (!stored || stored->size != snapshot.size) return std::nullopt;
  if (stored->hash.empty()) {
    auto details = remote_.nodeDetails(file.workspaceId, {stored->id}, deadline);
    if (details.ok() && !details->nodes.empty()) stored = details->nodes.front();
  }
  if (stored->hash.empty()) return std::nullopt;
  auto ours = digestOf(key, file, stored->hashAlgo.empty() ? "md5" : stored->hashAlgo, &snapshot);
  if (!ours.ok() || *ours != stored->hash) return std::nullopt;
  FASTIO_LOG_INFO("{} was stored before the interruption: not uploading it again", snapshot.name);
  counters_.uploadsAdopted++;
  Status s = finishStored(key, file.workspaceId, snapshot, *stored);
  if (!s.ok()) return classify(key, s.error(), &snapshot);
  return Attempt{Outcome::kDone, Error{}, snapshot.generation};
}

Uploader::Attempt Uploader::adopt(DirtyKey key, const Node& node) {
  FASTIO_LOG_INFO("{} is already stored on the server (same content): not uploading it again",
                  node.name);
  counters_.uploadsAdopted++;
  auto snapshot = store_.beginUpload(key);
  if (!snapshot.ok()) return classify(key, snapshot.error(), nullptr);
  auto state = store_.state(key);
  if (!state.ok()) return Attempt{Outcome::kGone, state.error(), 0};
  Status s = finishStored(key, state->workspaceId, *snapshot, node);
  if (!s.ok()) return classify(key, s.error(), &*snapshot);
  return Attempt{Outcome::kDone, Error{}, snapshot->generation};
}

Status Uploader::makeConflictCopy(DirtyKey key, const DirtyFile& file) {
  const std::string copy = conflictName(file.meta.name, options_.hostName, clock_.wallNow());
  FASTIO_LOG_WARN(
      "conflict: {} changed on the server since it was written here; the local "
      "version is kept as '{}'",
      file.meta.name, copy);
  auto rec = writeBack_.findByKey(key);
  if (!rec) return makeError(ErrorCode::kStale, "the file is gone");
  FASTIO_TRY(writeBack_.retarget(*rec, "", "", {}, file.meta.parentId, copy));
  counters_.uploadConflicts++;
  {
    std::lock_guard lock(mu_);
    items_[key].conflict = true;
    ++conflicts_;
  }
  if (events_) events_->becameConflictCopy(key, file.meta.targetNodeId, file.meta.name);
  return okStatus();
}

std::string Uploader::conflictName(const std::string& name, const std::string& host, WallTime at) {
  const time_t t = std::chrono::system_clock::to_time_t(at);
  struct tm local {};
  localtime_r(&t, &local);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H%M%S", &local);
  std::string stem = name;
  std::string ext;
  const size_t dot = name.rfind('.');
  if (dot != std::string::npos && dot > 0 && name.size() - dot <= 16) {
    stem = name.substr(0, dot);
    ext = name.substr(dot);
  }
  std::string safeHost = host.empty() ? "localhost" : host;
  for (char& c : safeHost) {
    if (c == '/' || static_cast<unsigned char>(c) < 0x20) c = '-';
  }
  const std::string tag = " (conflict " + safeHost + " " + stamp + ")";
  const size_t room = 255 > tag.size() + ext.size() ? 255 - tag.size() - ext.size() : 0;
  if (stem.size() > room) {
    stem.resize(room);
    // Do not cut a UTF-8 sequence in half.
    while (!stem.empty() && (static_cast<unsigned char>(stem.back()) & 0xC0) == 0x80) {
      stem.pop_back();
    }
    if (!stem.empty() && (static_cast<unsigned char>(stem.back()) & 0x80) != 0) stem.pop_back();
  }
  return stem + tag + ext;
}

Status Uploader::readContent(DirtyKey key, const std::string& workspaceId,
                             const std::string& baseNode, const std::string& baseVersion,
                             uint64_t baseSize, bool snapshot, uint64_t offset,
                             std::span<char> out) {
  auto plan = snapshot ? store_.readSnapshot(key, offset, out) : store_.read(key, offset, out);
  if (!plan.ok()) return plan.error();
  if (plan->length != out.size()) {
    return makeError(ErrorCode::kIo, "the dirty file is shorter than its upload");
  }
  const FileVersion base{workspaceId, baseNode, baseVersion, baseSize};
  for (const DirtyRange& r : plan->fromBase) {
    auto bytes = blocks_.read(base, r.offset, r.length);
    if (!bytes.ok()) return bytes.error();
    if (bytes->size() != r.length) {
      return makeError(ErrorCode::kIo, "the base version ended before the dirty file did");
    }
    size_t at = r.offset - offset;
    for (std::string_view slice : bytes->slices()) {
      std::memcpy(out.data() + at, slice.data(), slice.size());
      at += slice.size();
    }
  }
  return okStatus();
}

Result<std::string> Uploader::digestOf(DirtyKey key, const DirtyFile& file, const std::string& algo,
                                       const DirtyUpload* snapshot) {
  auto digest = ContentDigest::create(algo);
  if (!digest) return makeError(ErrorCode::kNotSupported, "unknown hash algorithm " + algo);
  const uint64_t size = snapshot ? snapshot->size : file.size;
  const std::string& baseNode = snapshot ? snapshot->baseNodeId : file.baseNodeId;
  const std::string& baseVersion = snapshot ? snapshot->baseVersion : file.baseVersion;
  std::string buffer;
  const uint64_t piece = 1ull << 20;
  for (uint64_t at = 0; at < size; at += piece) {
    buffer.resize(std::min(piece, size - at));
    FASTIO_TRY(readContent(key, file.workspaceId, baseNode, baseVersion, file.baseSize,
                           snapshot != nullptr, at, std::span<char>(buffer.data(), buffer.size())));
    digest->update(buffer);
  }
  return digest->hex();
}

Uploader::Attempt Uploader::uploadSnapshot(DirtyKey key, const DirtyFile& file,
                                           const DirtyUpload& snapshot) {
  UploadRequest request;
  request.workspaceId = file.workspaceId;
  request.parentId = snapshot.parentId;
  request.name = snapshot.name;
  request.size = snapshot.size;
  request.existingFileId = snapshot.targetNodeId;
  if (!snapshot.targetNodeId.empty()) request.ifVersionId = snapshot.targetVersion;
  request.resumeSessionId = snapshot.sessionId;
  request.resumeChunkSize = snapshot.chunkSize;
  {
    std::lock_guard lock(mu_);
    items_[key].bytesTotal = snapshot.size;
  }
  FASTIO_LOG_DEBUG("dirty {}: uploading generation {} ({} bytes) to {}/{}{}", key,
                   snapshot.generation, snapshot.size, snapshot.parentId, snapshot.name,
                   snapshot.targetNodeId.empty() ? "" : " over " + snapshot.targetNodeId);
  const uint64_t chunk = snapshot.chunkSize;
  ByteSource source = [&](uint64_t offset, char* out, size_t length) -> Result<size_t> {
    if (offset >= snapshot.size) return size_t{0};
    const size_t n = static_cast<size_t>(std::min<uint64_t>(length, snapshot.size - offset));
    if (chunk == 0 || offset % chunk == 0) FASTIO_TRY(faults::hit("upload.before_chunk"));
    // Deleted (or replaced) here meanwhile: the rest of the transfer would only be trashed.
    if (!writeBack_.findByKey(key)) {
      return makeError(ErrorCode::kCancelled, "the file was deleted during its upload");
    }
    FASTIO_TRY(readContent(key, file.workspaceId, snapshot.baseNodeId, snapshot.baseVersion,
                           file.baseSize, true, offset, std::span<char>(out, n)));
    return n;
  };
  JournalObserver observer(store_, key, [this, key](uint64_t total) {
    std::lock_guard lock(mu_);
    if (auto it = items_.find(key); it != items_.end()) it->second.bytesDone = total;
  });
  if (snapshot.targetNodeId.empty()) {
    if (!claim(key, placeClaim(file.workspaceId, snapshot.parentId, snapshot.name))) {
      return Attempt{Outcome::kBlocked, Error{}, 0};
    }
    writeBack_.uploadStarting(key, file.workspaceId, snapshot.parentId, snapshot.name);
  }
  struct UploadEnds {
    WriteBack& writeBack;
    DirtyKey key;
    ~UploadEnds() { writeBack.uploadEnded(key); }
  } ends{writeBack_, key};
  auto result = remote_.upload(request, source, &observer, uploadDeadline(snapshot.size));
  if (!result.ok()) {
    counters_.uploadFailures++;
    return classify(key, result.error(), &snapshot);
  }
  health_.recordSuccess();
  writeBack_.noteOwnVersion(file.workspaceId, result->node.id, result->node.version);
  if (Status s = faults::hit("upload.after_stored"); !s.ok())
    return classify(key, s.error(), &snapshot);
  Node node = result->node;
  if (node.version.empty()) {
    // Stored but not visible yet: the version comes with the next listing or details.
    auto details = remote_.nodeDetails(file.workspaceId, {node.id},
                                       Deadline::after(options_.remoteTimeout, clock_));
    if (details.ok() && !details->nodes.empty()) node = details->nodes.front();
    writeBack_.noteOwnVersion(file.workspaceId, node.id, node.version);
  }
  counters_.uploadsStored++;
  counters_.uploadBytesStored += snapshot.size;
  {
    std::lock_guard lock(mu_);
    ++filesDone_;
    bytesDone_ += snapshot.size;
    const SteadyTime now = clock_.now();
    recentBytes_.emplace_back(now, snapshot.size);
    while (!recentBytes_.empty() && now - recentBytes_.front().first > std::chrono::seconds(10)) {
      recentBytes_.pop_front();
    }
  }
  cacheUploaded(key, snapshot, file, node);
  Status finished = finishStored(key, file.workspaceId, snapshot, node);
  if (!finished.ok()) return classify(key, finished.error(), &snapshot);
  return Attempt{Outcome::kDone, Error{}, snapshot.generation};
}

void Uploader::cacheUploaded(DirtyKey key, const DirtyUpload& snapshot, const DirtyFile& file,
                             const Node& node) {
  if (node.version.empty() || snapshot.size > options_.cacheUploadsUpTo) return;
  const uint64_t bs = blocks_.blockSize();
  std::string block;
  for (uint64_t index = 0; index * bs < snapshot.size; ++index) {
    const uint64_t at = index * bs;
    block.resize(std::min<uint64_t>(bs, snapshot.size - at));
    if (!readContent(key, file.workspaceId, snapshot.baseNodeId, snapshot.baseVersion,
                     file.baseSize, true, at, std::span<char>(block.data(), block.size()))
             .ok()) {
      return;
    }
    if (!cache_.put(ContentKey{node.id, node.version, index}, block).ok()) return;
  }
}

Status Uploader::finishStored(DirtyKey key, const std::string& workspaceId,
                              const DirtyUpload& snapshot, Node node) {
  // Where the stored node is on the server now (a move below changes it).
  std::string placedParent = snapshot.parentId;
  std::string placedName = snapshot.name;
  for (;;) {
    const uint64_t placementSeq = writeBack_.placementSeq(key);
    auto state = store_.state(key);
    const bool gone = !state.ok() || state->meta.unlinked;
    if (gone) {
      // Deleted while it was uploading: what we just created must not stay.
      if (snapshot.targetNodeId.empty()) {
        Status s = remote_.deleteNode(workspaceId, node.id,
                                      Deadline::after(options_.remoteTimeout, clock_));
        if (!s.ok() && s.error().code != ErrorCode::kNotFound) return s.error();
        writeBack_.noteTrashed(workspaceId, node.id);
      }
      return okStatus();
    }
    const DirtyFile& now = *state;
    FASTIO_LOG_DEBUG("dirty {}: stored as {} ({}) at {}/{}; now at {}/{}", key, node.id,
                     node.version, placedParent, node.name, now.meta.parentId, now.meta.name);
    const Deadline deadline = Deadline::after(options_.remoteTimeout, clock_);
    // Renamed over another file while it uploaded: its content now belongs to that file, not
    // to the node just stored (moving that node there would trash the target). A node this
    // upload created goes; the next attempt updates the new target and trashes what the rename
    // left.
    if (now.meta.targetNodeId != snapshot.targetNodeId) {
      if (snapshot.targetNodeId.empty()) {
        Status s = remote_.deleteNode(workspaceId, node.id, deadline);
        if (!s.ok() && s.error().code != ErrorCode::kNotFound) return s.error();
        writeBack_.noteTrashed(workspaceId, node.id);
      }
      return makeError(ErrorCode::kConflict,
                       "renamed over another file during its upload; uploading it there");
    }
    // Renamed or moved during the upload: the server gets the last name given, never through
    // a name the destination holds (the server would trash that file).
    if (now.meta.parentId != placedParent ||
        (now.meta.name != placedName && now.meta.name != node.name)) {
      auto moved =
          moveAndRename(remote_, folders_, now.workspaceId, node, placedParent, now.meta.parentId,
                        now.meta.name, writeBack_.namePolicy(now.workspaceId), deadline);
      if (!moved.ok()) return moved.error();
      node = *moved;
      placedParent = now.meta.parentId;
      placedName = now.meta.name;
    }
    // The sources of a rename over this file go to the trash now that its content is stored.
    for (const std::string& trashed : now.meta.trashAfterUpload) {
      FASTIO_TRY(faults::hit("upload.before_trash"));
      Status s = remote_.deleteNode(now.workspaceId, trashed, deadline);
      if (!s.ok() && s.error().code != ErrorCode::kNotFound) return s.error();
      writeBack_.noteTrashed(now.workspaceId, trashed);
      FASTIO_TRY(store_.amend(key, [&](DirtyMeta& m) { std::erase(m.trashAfterUpload, trashed); }));
      folders_.invalidateWorkspace(now.workspaceId);
    }
    auto completion = writeBack_.complete(key, node.id, node.version, placementSeq);
    if (!completion.ok()) return completion.error();
    if (*completion == WriteBack::Completion::kMoved) {
      FASTIO_LOG_DEBUG("dirty {}: renamed as its upload completed; placing it again", key);
      continue;
    }
    const bool clean = *completion == WriteBack::Completion::kClean;
    if (!clean) writeBack_.rebased(key, node, snapshot.size);
    writeBack_.noteStored(now.workspaceId, now.meta.parentId, now.meta.name, node);
    if (events_) events_->stored(key, node, clean);
    if (clean) writeBack_.forget(key);
    {
      std::lock_guard lock(mu_);
      if (auto it = items_.find(key); it != items_.end()) it->second.conflict = false;
    }
    return okStatus();
  }
}

Uploader::Attempt Uploader::classify(DirtyKey key, const Error& error,
                                     const DirtyUpload* snapshot) {
  Attempt a;
  a.error = error;
  const std::string message = error.describe();
  if (error.code == ErrorCode::kStale) {
    a.outcome = Outcome::kGone;
    return a;
  }
  if (error.code == ErrorCode::kConflict && snapshot != nullptr) {
    // The server refused our if_version_id: the next attempt's preflight makes a conflict copy.
    (void)store_.recordFailure(key, message, false);
    a.outcome = Outcome::kRetryNow;
    return a;
  }
  if (error.code == ErrorCode::kNotFound && snapshot != nullptr && !snapshot->sessionId.empty()) {
    // The session expired or was cancelled: start over with a fresh snapshot.
    (void)store_.recordFailure(key, message, false);
    a.outcome = Outcome::kRetryNow;
    return a;
  }
  if (transient(error.code) || Health::meansOffline(error)) {
    health_.recordFailure("upload", error);
    (void)store_.recordFailure(key, message, true);
    a.outcome = Outcome::kRetry;
    FASTIO_LOG_DEBUG("upload of {} will be retried: {}", key, message);
    return a;
  }
  FASTIO_LOG_WARN(
      "upload of dirty file {} stopped: {} (kept locally; retried when it changes "
      "or at the next mount)",
      key, message);
  if (snapshot != nullptr && !snapshot->sessionId.empty()) {
    (void)remote_.cancelUpload(snapshot->sessionId,
                               Deadline::after(options_.remoteTimeout, clock_));
  }
  (void)store_.recordFailure(key, message, false);
  a.outcome = Outcome::kPark;
  return a;
}

// ---------------------------------------------------------------- status

UploadQueueStats Uploader::stats() const {
  UploadQueueStats s;
  std::lock_guard lock(mu_);
  for (const auto& [key, item] : items_) {
    if (item.inFlight) {
      ++s.filesInFlight;
      s.bytesInFlightDone += item.bytesDone;
      s.bytesInFlightTotal += item.bytesTotal;
    } else if (item.parked) {
      ++s.filesParked;
      if (s.parkedErrors.size() < kMaxShownErrors) {
        s.parkedErrors.push_back(std::to_string(key) + ": " + item.error);
      }
    } else {
      ++s.filesPending;
    }
  }
  s.filesDone = filesDone_;
  s.bytesDone = bytesDone_;
  s.conflicts = conflicts_;
  const SteadyTime now = clock_.now();
  uint64_t recent = 0;
  for (const auto& [at, bytes] : recentBytes_) {
    if (now - at <= std::chrono::seconds(10)) recent += bytes;
  }
  s.bytesPerSecond = static_cast<double>(recent) / 10.0;
  return s;
}

std::string Uploader::syncState(DirtyKey key) const {
  std::lock_guard lock(mu_);
  auto it = items_.find(key);
  if (it == items_.end()) return "pending";
  const Item& item = it->second;
  if (item.parked) return "error: " + item.error;
  if (item.inFlight) {
    const uint64_t pct = item.bytesTotal == 0 ? 0 : item.bytesDone * 100 / item.bytesTotal;
    return "uploading " + std::to_string(pct) + "%";
  }
  if (item.conflict) return "conflict";
  if (!item.error.empty()) return "pending (retrying: " + item.error + ")";
  return "pending";
}

}  // namespace fastio::fs
