#pragma once
// The emulator's persistent state: one user, one org, workspaces, nodes (files and folders),
// file versions, trash, locks, tokens. Metadata lives in SQLite (state.db: WAL, one transaction
// per mutation); content lives in --data/blobs/<version id>, made durable before the transaction
// that references it commits.
//
// State opens the data directory (cleaning up after a crash) and owns one part per concern; use
// the part. Every part is thread-safe:
//   - mutations hold state.db's one writer connection exclusively from their checks to their
//     commit (StateDb::write), so check-then-write never interleaves;
//   - reads lease a pooled read connection each (StateDb::read) and run concurrently with each
//     other and with a write in progress (WAL: they see the last committed state);
//   - in-memory maps (static token, download tokens) sit behind shared_mutexes.
// Every mutation publishes activity keys (storage:{node}, storage:{parent}, storage) for its
// workspace and then fires StorageHooks, with no lock held. Failures carry the HTTP status and
// API code to reply with (emulator/ApiCodes.h).

#include <filesystem>
#include <memory>

#include "common/Result.h"
#include "emulator/state/AccountIdentity.h"
#include "emulator/state/ActivityLog.h"
#include "emulator/state/AiResults.h"
#include "emulator/state/BearerTokens.h"
#include "emulator/state/BlobStore.h"
#include "emulator/state/FileVersions.h"
#include "emulator/state/NodeLocks.h"
#include "emulator/state/NodeReader.h"
#include "emulator/state/ReadTokens.h"
#include "emulator/state/StateBackend.h"
#include "emulator/state/StateClock.h"
#include "emulator/state/StateDb.h"
#include "emulator/state/StateTypes.h"
#include "emulator/state/StorageHooks.h"
#include "emulator/state/TrashBin.h"
#include "emulator/state/TreeEditor.h"
#include "emulator/state/WorkspaceStore.h"

namespace fastio::emu {

class State {
 public:
  // Opens (creating if needed) --data/state.db and --data/blobs/. Crash-safe: stale temp blobs
  // and blobs no committed version references are removed.
  static Result<std::unique_ptr<State>> open(const std::filesystem::path& dataDir,
                                             ActivityLog& activity, StorageHooks& hooks);
  ~State();
  State(const State&) = delete;
  State& operator=(const State&) = delete;

  ActivityLog& activity() { return activity_; }
  StorageHooks& hooks() { return hooks_; }
  const std::filesystem::path& dataDir() const { return dataDir_; }

  // The one user and org.
  const AccountIdentity& identity() const { return identity_; }
  // Bearer tokens: the static API key and OAuth access tokens.
  BearerTokens& tokens() { return tokens_; }
  WorkspaceStore& workspaces() { return workspaces_; }
  // Reading nodes: details, listings, the CAS check.
  NodeReader& nodes() { return nodes_; }
  // Folders, renames, moves, copies.
  TreeEditor& tree() { return tree_; }
  TrashBin& trash() { return trash_; }
  // Content: storing uploads, reading versions, restoring one.
  FileVersions& files() { return files_; }
  NodeLocks& locks() { return locks_; }
  // Download tokens (requestread/).
  ReadTokens& readTokens() { return readTokens_; }
  // The intelligence pipeline's ai.state and summaries.
  AiResults& aiResults() { return aiResults_; }

 private:
  State(std::filesystem::path dataDir, ActivityLog& activity, StorageHooks& hooks,
        std::unique_ptr<StateDb> db, BlobStore blobs, AccountIdentity identity);

  std::filesystem::path dataDir_;
  ActivityLog& activity_;
  StorageHooks& hooks_;
  std::unique_ptr<StateDb> db_;
  const BlobStore blobs_;
  const AccountIdentity identity_;
  const StateBackend backend_;
  BearerTokens tokens_;
  WorkspaceStore workspaces_;
  NodeReader nodes_;
  TreeEditor tree_;
  TrashBin trash_;
  FileVersions files_;
  NodeLocks locks_;
  ReadTokens readTokens_;
  AiResults aiResults_;
};

}  // namespace fastio::emu
