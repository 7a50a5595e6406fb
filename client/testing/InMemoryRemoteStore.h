#pragma once
// InMemoryRemoteStore: a faithful in-memory model of the Fast.io service behind RemoteStore.
//
// What it models (fastio-api.md section in brackets):
// - workspaces in orgs, a user; workspace folder names globally unique [3];
// - nodes with ids, versions (a new version id on every content change, the node id kept on an
//   overwrite), old versions readable by version id [4, 5.3, 6.4];
// - same-name + same-parent upload = overwrite in place; createFolder idempotent; rename onto
//   an existing name -> kInvalid; CAS (ifVersionId) mismatch -> kConflict; move trashes a
//   same-name file at the destination and auto-renames on a folder/type clash ("name (2)");
//   delete moves to trash (the subtree disappears) [4.2];
// - listing in pages of a configurable size, sorted by name [4.1];
// - ranged reads, a switch that makes it answer like a server ignoring Range [5.2];
// - single-call uploads up to 4 MiB, chunked sessions above, kept with their acknowledged chunks
//   so an interrupted upload can be resumed; upload CAS (ifVersionId) checked when the session
//   is created and again when it is stored; a source error or a cancelUpload drops the
//   session [6];
// - search: simple keyword scoring over names and text content (no semantics), with an
//   optional index lag; ask: an answer quoting the best matching file, with a citation [7];
// - the activity long-poll, woken by every change, honouring wait and deadline [8.1];
// - advisory locks with tokens and expiry on the store's clock; a second acquire, or a heartbeat
//   or release without the current token, is kConflict (409) [4.3].
//
// Thread-safe: one mutex guards the model; sinks, sources, observers and listing callbacks run
// outside it, so they may call back into the store. Every public RemoteStore call is counted.
// The test helpers (seed*, external*, inspection) neither count as calls nor check deadlines.

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "client/RemoteStore.h"
#include "client/testing/RemoteMethod.h"
#include "common/Clock.h"

namespace fastio::testing {

// Files up to this size are uploaded in a single call; larger ones use a chunked session.
inline constexpr uint64_t kSingleCallUploadMax = 4ull * 1024 * 1024;

struct UploadSessionInfo {
  std::string id;
  std::string workspaceId;
  uint64_t size = 0;
  uint64_t chunkSize = 0;
  std::set<uint32_t> acknowledgedChunks;  // 1-based orders
  bool stored = false;
  std::string newFileId;  // set once stored
};

class InMemoryRemoteStore final : public RemoteStore {
 public:
  // The clock stamps nodes, expires locks and applies the search index lag.
  explicit InMemoryRemoteStore(Clock& clock = RealClock::instance());
  ~InMemoryRemoteStore() override;

  InMemoryRemoteStore(const InMemoryRemoteStore&) = delete;
  InMemoryRemoteStore& operator=(const InMemoryRemoteStore&) = delete;

  // ---- RemoteStore ----
  FASTIO_REMOTE_STORE_OVERRIDES

  // ---- behaviour switches ----
  void setPageSize(uint32_t nodesPerPage);  // listing page size (default 100; min 1)
  void setIgnoreRange(bool ignore);         // answer reads with the whole body
  void setReadPieceSize(uint64_t bytes);    // bytes per sink call (default 64 KiB; min 1)
  void setUploadLimits(const UploadLimits& limits);
  void setSearchIndexLag(Duration lag);  // content becomes searchable after this long
  // The next upload of chunk `order` fails with `error` (once), after the earlier chunks were
  // acknowledged. A transient error (unavailable, rate limited) leaves the session resumable;
  // any other error abandons it, as HttpRemoteStore does (the session is cancelled).
  void failChunkOnce(uint32_t order, Error error);
  // Files stored by later uploads are not visible at once, as happens on the service: each
  // answers "missing" to the next `detailsCalls` nodeDetails calls that ask for it, and the
  // upload returns what HttpRemoteStore returns when it gives up waiting for the node: id, name,
  // type, size (and parentId for a create) with an empty version. 0 turns it off.
  void hideStoredNodesFromDetails(int detailsCalls);

  // ---- call counting ----
  uint64_t callCount(RemoteMethod method) const { return calls_.count(method); }
  uint64_t callCount(std::string_view method) const;  // throws on a misspelt name
  uint64_t totalCalls() const { return calls_.total(); }
  void resetCallCounts() { calls_.reset(); }
  uint64_t bytesServed() const;  // file bytes handed to read sinks

  // ---- seeding (setup; emits activity like any change, so seedFile also serves as "another
  // client created this file"). Impossible input (a bad name, an unknown workspace) is a bug in
  // the test and throws std::invalid_argument. ----
  const std::string& userId() const { return user_.id; }
  const std::string& defaultOrgId() const { return orgs_.front().id; }
  std::string addWorkspace(const std::string& folderName, bool intelligence = true);
  // Creates the missing folders of `path` ("a/b/c") under root; returns the last folder.
  Node seedFolder(const std::string& workspaceId, const std::string& path);
  // Creates or overwrites the file at `path`, creating parent folders as needed.
  Node seedFile(const std::string& workspaceId, const std::string& path, std::string content);
  // The same, with `size` bytes computed on demand from `seed` (see SyntheticContent.h) and not
  // stored: a multi-GiB file costs nothing. Its hash is empty and search skips its content.
  Node seedSyntheticFile(const std::string& workspaceId, const std::string& path, uint64_t size,
                         uint32_t seed);

  // ---- changes made "by another client" (emit activity; do not count as calls) ----
  Result<Node> externalWrite(const std::string& workspaceId, const std::string& nodeId,
                             std::string content);
  Result<Node> externalRename(const std::string& workspaceId, const std::string& nodeId,
                              const std::string& newName);
  Result<Node> externalMove(const std::string& workspaceId, const std::string& nodeId,
                            const std::string& newParentId);
  Status externalDelete(const std::string& workspaceId, const std::string& nodeId);

  // ---- inspection (nodeById, contentOf and versionsOf also see trashed nodes) ----
  std::optional<Node> nodeAt(const std::string& workspaceId, const std::string& path) const;
  std::optional<Node> nodeById(const std::string& workspaceId, const std::string& nodeId) const;
  std::optional<std::string> contentOf(const std::string& workspaceId,
                                       const std::string& nodeId) const;
  std::vector<std::string> versionsOf(const std::string& workspaceId,
                                      const std::string& nodeId) const;  // oldest first
  bool isTrashed(const std::string& workspaceId, const std::string& nodeId) const;
  std::vector<Node> liveChildren(const std::string& workspaceId,
                                 const std::string& folderId) const;  // sorted by name
  std::optional<UploadSessionInfo> uploadSession(const std::string& sessionId) const;
  uint64_t activityMarker() const;  // the marker a poll would return now

 private:
  struct StoredVersion {
    std::string id;
    std::shared_ptr<const std::string> content;  // null for a synthetic version
    uint64_t syntheticSize = 0;
    uint32_t syntheticSeed = 0;
  };
  struct StoredNode {
    Node node;
    std::vector<StoredVersion> versions;  // files only; back() is current
    bool trashed = false;
    SteadyTime searchableAt{};
  };
  struct StoredLock {
    std::string token;
    SteadyTime expires{};
    Duration duration{};  // a heartbeat extends the lock by this much again
  };
  struct WorkspaceState {
    Workspace info;
    std::map<std::string, StoredNode> nodes;  // by id, trashed ones included
    // parent id -> (name -> id) of its live children: name lookups and sorted listings are cheap.
    std::map<std::string, std::map<std::string, std::string>> children;
    std::map<std::string, StoredLock> locks;  // by node id
  };
  struct UploadSession {
    UploadSessionInfo info;
    std::string parentId;
    std::string name;
    std::string existingFileId;
    std::string ifVersionId;
    std::map<uint32_t, std::string> chunks;
    Node storedNode;
  };
  struct ActivityEvent {
    uint64_t seq;
    std::string key;
  };

  // All *Locked helpers require mu_ to be held.
  Status begin(RemoteMethod method, const Deadline& deadline);
  Result<WorkspaceState*> workspaceLocked(const std::string& workspaceId);
  const WorkspaceState* findWorkspaceLocked(const std::string& workspaceId) const;
  StoredNode* liveNodeLocked(WorkspaceState& ws, const std::string& normalizedId);
  const StoredNode* liveNodeLocked(const WorkspaceState& ws, const std::string& normalizedId) const;
  Result<StoredNode*> requireLiveNodeLocked(WorkspaceState& ws, const std::string& nodeId);
  Status requireFolderLocked(WorkspaceState& ws, const std::string& normalizedFolderId);
  StoredNode* childNamedLocked(WorkspaceState& ws, const std::string& parentId,
                               const std::string& name);
  Node publicNodeLocked(const WorkspaceState& ws, const StoredNode& stored) const;
  std::vector<Node> sortedChildrenLocked(const WorkspaceState& ws,
                                         const std::string& folderId) const;
  std::string newIdLocked(char prefix);
  StoredNode& insertNodeLocked(WorkspaceState& ws, Node node);
  void setContentLocked(WorkspaceState& ws, StoredNode& stored, std::string content);
  void addVersionLocked(StoredNode& stored, StoredVersion version, uint64_t size, std::string hash);
  void trashLocked(WorkspaceState& ws, StoredNode& stored);
  // Moves and/or renames a live node, keeping the children index right.
  void relinkLocked(WorkspaceState& ws, StoredNode& stored, const std::string& newParentId,
                    const std::string& newName);
  std::string freeNameLocked(WorkspaceState& ws, const std::string& parentId,
                             const std::string& name, bool isFolder);
  void recordActivityLocked(const std::string& entityId, const std::string& key);
  void recordNodeChangeLocked(const WorkspaceState& ws, const StoredNode& stored);
  bool lockHeldLocked(const WorkspaceState& ws, const std::string& nodeId) const;

  // Shared by the RemoteStore calls and the seed*/external* helpers.
  Result<Workspace> createWorkspaceLocked(const CreateWorkspaceRequest& request);
  Result<Node> createFolderLocked(WorkspaceState& ws, const std::string& parentId,
                                  const std::string& name);
  Result<Node> renameLocked(WorkspaceState& ws, const std::string& nodeId,
                            const std::string& newName, const std::string& ifVersionId);
  Result<Node> moveLocked(WorkspaceState& ws, const std::string& nodeId,
                          const std::string& newParentId);
  Status deleteLocked(WorkspaceState& ws, const std::string& nodeId);
  // Creates the file or overwrites the same-name file (or `existingFileId`) with content.
  Result<Node> storeFileLocked(WorkspaceState& ws, const std::string& parentId,
                               const std::string& name, const std::string& existingFileId,
                               std::string content);
  Status checkUploadTargetLocked(WorkspaceState& ws, const UploadRequest& request);
  // kConflict unless ifVersionId is empty or still the current version of fileId.
  Status checkVersionLocked(WorkspaceState& ws, const std::string& fileId,
                            const std::string& ifVersionId);
  // The answer for a stored file, applying hideStoredNodesFromDetails.
  UploadResult uploadResultLocked(const Node& stored, bool created, const std::string& sessionId);
  Result<UploadResult> uploadChunked(const UploadRequest& request, const ByteSource& source,
                                     UploadObserver* observer, const Deadline& deadline);
  // Stores a session whose chunks are all in, or fails (the session is then gone).
  Result<UploadResult> completeSessionLocked(const std::string& sessionId);
  Result<SearchResult> searchLocked(const WorkspaceState& ws, const std::string& query,
                                    const SearchOptions& options) const;

  Clock& clock_;
  CallCounter calls_;
  mutable std::mutex mu_;
  std::condition_variable activityChanged_;

  UserInfo user_;
  std::vector<Org> orgs_;
  std::map<std::string, WorkspaceState> workspaces_;            // by id
  std::map<std::string, UploadSession> sessions_;               // by id
  std::map<std::string, std::vector<ActivityEvent>> activity_;  // by entity id
  std::map<std::string, uint64_t> activityDropped_;             // entity -> last seq no longer kept
  uint64_t activitySeq_ = 0;
  uint64_t idCounter_ = 0;
  uint64_t bytesServed_ = 0;

  uint32_t pageSize_ = 100;
  bool ignoreRange_ = false;
  uint64_t readPieceSize_ = 64 * 1024;
  UploadLimits limits_;
  Duration searchIndexLag_{0};
  std::map<uint32_t, Error> chunkFailures_;
  int hideStoredForDetails_ = 0;
  std::map<std::string, int> hiddenFromDetails_;  // node id -> details calls still to miss
};

}  // namespace fastio::testing
