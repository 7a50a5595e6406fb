#pragma once
// The emulator's persistent state: one user, one org, workspaces, nodes (files and folders),
// file versions, trash, locks, tokens. Metadata lives in SQLite (WAL, one transaction per
// mutation); content lives in --data/blobs/<version id>, written to a temp name, fsync'd and
// renamed before the transaction that references it commits. Thread-safe (one internal mutex).
//
// Every mutation publishes activity keys (storage:{node}, storage:{parent}, storage) for its
// workspace and then fires StorageHooks. Failures carry the HTTP status and API code to reply
// with (emulator/ApiCodes.h).

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/Result.h"
#include "emulator/state/ActivityLog.h"
#include "emulator/state/StateTypes.h"
#include "emulator/state/StorageHooks.h"

namespace fastio::emu {

class Database;

struct NewWorkspace {
  std::string orgId;
  std::string folderName;
  std::string name;
  std::string description;
  bool intelligence = true;
  std::string permJoin = "Member or above";
  std::string permMemberManage = "Member or above";
};

struct StoreFileRequest {
  std::string workspaceId;
  std::string parentId = "root";       // folder id or "root"; ignored when existingFileId is set
  std::string name;                    // required; with existingFileId a different name renames
  std::string existingFileId;          // action=update: replace this file's content
  std::string ifVersionId;             // optional CAS on the existing file's current version
  std::filesystem::path blobTempPath;  // from newBlobTempPath(), complete; State fsyncs + renames
  std::int64_t size = 0;
  std::string md5;  // hex; computed from the blob when empty
};

struct AiResult {
  std::string state;  // "ready", "failed", "inprogress", ...
  std::string summaryTitle;
  std::string summaryShort;
  std::string summaryLong;
};

class State {
 public:
  // Opens (creating if needed) --data/state.db and --data/blobs/. Crash-safe: stale temp blobs
  // are removed, committed rows always have their blob.
  static Result<std::unique_ptr<State>> open(const std::filesystem::path& dataDir,
                                             ActivityLog& activity, StorageHooks& hooks);
  ~State();
  State(const State&) = delete;
  State& operator=(const State&) = delete;

  ActivityLog& activity() { return activity_; }
  StorageHooks& hooks() { return hooks_; }
  const std::filesystem::path& dataDir() const { return dataDir_; }

  // ---- identity and tokens
  UserRecord user() const;
  OrgRecord org() const;
  void setStaticToken(const std::string& token);  // the --token API key (never expires)
  // Extra bearer tokens (OAuth access tokens), valid until expiresUs; persisted.
  Status registerToken(const std::string& token, std::int64_t expiresUs);
  Status revokeToken(const std::string& token);
  bool isTokenValid(const std::string& token) const;

  // ---- workspaces
  std::vector<WorkspaceRecord> workspaces() const;
  // By numeric id or by folder_name (case-insensitive).
  Result<WorkspaceRecord> workspace(const std::string& idOrFolderName) const;
  // Validates folder_name (4-80, letters/digits/hyphen, globally unique) and name (2-100).
  Result<WorkspaceRecord> createWorkspace(const NewWorkspace& spec);

  // ---- nodes (ids may be hyphenated / upper case; "root" and "trash" are aliases)
  Result<NodeRecord> node(const std::string& workspaceId, const std::string& nodeId) const;
  Result<ListPage> listFolder(const std::string& workspaceId, const std::string& folderId,
                              const ListQuery& query) const;
  Result<ListPage> listTrash(const std::string& workspaceId, const ListQuery& query) const;
  // Files and folders of the whole tree, most recently modified first.
  Result<ListPage> listRecent(const std::string& workspaceId, const ListQuery& query) const;

  // Without force: returns the existing folder of that name. With force: always creates one,
  // renaming "name (2)", "name (3)"... on collision.
  Result<NodeRecord> createFolder(const std::string& workspaceId, const std::string& parentId,
                                  const std::string& name, bool force);
  // ifVersionId: nullopt = no CAS; "" = blank (error 207092); else must equal the current version.
  Result<NodeRecord> rename(const std::string& workspaceId, const std::string& nodeId,
                            const std::string& newName,
                            const std::optional<std::string>& ifVersionId);
  Result<NodeRecord> checkVersion(const std::string& workspaceId, const std::string& nodeId,
                                  const std::optional<std::string>& ifVersionId) const;
  // A same-name file at the destination goes to trash first; a folder/type conflict renames the
  // moved node "name (2)". Moving a folder into itself or its subtree fails (406).
  Result<NodeRecord> move(const std::string& workspaceId, const std::string& nodeId,
                          const std::string& newParentId);
  Result<NodeRecord> copy(const std::string& workspaceId, const std::string& nodeId,
                          const std::string& newParentId);
  Result<NodeRecord> trash(const std::string& workspaceId, const std::string& nodeId);
  Result<NodeRecord> restore(const std::string& workspaceId, const std::string& nodeId);
  Status purge(const std::string& workspaceId, const std::string& nodeId);
  Result<int> emptyTrash(const std::string& workspaceId);
  Result<std::vector<VersionRecord>> versions(const std::string& workspaceId,
                                              const std::string& nodeId) const;
  Result<NodeRecord> restoreVersion(const std::string& workspaceId, const std::string& nodeId,
                                    const std::string& versionId);

  // ---- locks (advisory: they do not block writes)
  Result<LockRecord> acquireLock(const std::string& workspaceId, const std::string& nodeId,
                                 int durationSec, const std::string& clientInfo);
  Result<std::optional<LockRecord>> lockStatus(const std::string& workspaceId,
                                               const std::string& nodeId) const;
  Result<LockRecord> heartbeatLock(const std::string& workspaceId, const std::string& nodeId,
                                   const std::string& lockToken, int durationSec);
  Status releaseLock(const std::string& workspaceId, const std::string& nodeId,
                     const std::string& lockToken);

  // ---- content
  // A fresh path under --data/blobs/tmp/ (same file system as the blobs) to write content to.
  std::filesystem::path newBlobTempPath();
  // Stores a complete blob as a file: a new node, or a new version of existingFileId, or (same
  // name + same parent as an existing file) a new version of that file. Publishes and fires
  // kVersionStored. On failure the temp blob is removed.
  Result<NodeRecord> storeFile(const StoreFileRequest& request);
  // The content of a file's current version (versionId "") or of an older version.
  Result<BlobRef> blob(const std::string& workspaceId, const std::string& nodeId,
                       const std::string& versionId) const;

  // ---- download tokens (requestread): valid for one hour, reusable, in memory only
  Result<std::string> mintReadToken(const std::string& workspaceId, const std::string& nodeId);
  bool checkReadToken(const std::string& token, const std::string& workspaceId,
                      const std::string& nodeId) const;

  // ---- intelligence: sets ai.state (+ summary when non-empty) if versionId is still current;
  // publishes ai_state:{node}. A stale version is ignored (returns ok).
  Status setAiResult(const std::string& workspaceId, const std::string& nodeId,
                     const std::string& versionId, const AiResult& result);

 private:
  State(std::filesystem::path dataDir, std::unique_ptr<Database> db, ActivityLog& activity,
        StorageHooks& hooks);
  struct Impl;
  std::filesystem::path dataDir_;
  ActivityLog& activity_;
  StorageHooks& hooks_;
  std::unique_ptr<Impl> impl_;
};

// "2026-11-26T12:00:00Z": the format of node created/modified (seconds, UTC).
std::string formatIsoSeconds(std::int64_t micros);
std::int64_t nowMicros();

}  // namespace fastio::emu
