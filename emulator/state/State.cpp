#include "emulator/state/State.h"

#include <set>
#include <string>
#include <utility>

#include "emulator/state/StateSchema.h"

namespace fastio::emu {

namespace fs = std::filesystem;

namespace {

Result<std::set<std::string>> committedVersionIds(Database& db) {
  std::set<std::string> known;
  FASTIO_TRY_ASSIGN(auto st, db.prepare("SELECT version_id FROM versions"));
  while (true) {
    FASTIO_TRY_ASSIGN(auto row, st.step());
    if (!row) break;
    known.insert(st.text(0));
  }
  return known;
}

// Brings state.db and blobs/ to a clean start: the schema, no crash leftovers (temp blobs of
// interrupted writes, blobs no committed version references), the user and org.
Result<AccountIdentity> prepareDataDir(StateDb& db, const BlobStore& blobs) {
  auto writer = db.write();
  FASTIO_TRY(applyStateSchema(writer.db()));
  FASTIO_TRY_ASSIGN(auto known, committedVersionIds(writer.db()));
  blobs.removeLeftovers(known);
  return AccountIdentity::loadOrCreate(writer.db());
}

}  // namespace

State::State(fs::path dataDir, ActivityLog& activity, StorageHooks& hooks,
             std::unique_ptr<StateDb> db, BlobStore blobs, AccountIdentity identity)
    : dataDir_(std::move(dataDir)),
      activity_(activity),
      hooks_(hooks),
      db_(std::move(db)),
      blobs_(std::move(blobs)),
      identity_(std::move(identity)),
      backend_{*db_, blobs_, activity_, hooks_},
      tokens_(*db_),
      workspaces_(*db_, identity_),
      nodes_(*db_),
      tree_(backend_),
      trash_(backend_),
      files_(backend_),
      locks_(backend_),
      readTokens_(*db_),
      aiResults_(backend_) {}

State::~State() = default;

Result<std::unique_ptr<State>> State::open(const fs::path& dataDir, ActivityLog& activity,
                                           StorageHooks& hooks) {
  FASTIO_TRY_ASSIGN(auto blobs, BlobStore::open(dataDir));
  FASTIO_TRY_ASSIGN(auto db, StateDb::open(dataDir / "state.db"));
  FASTIO_TRY_ASSIGN(auto identity, prepareDataDir(*db, blobs));
  return std::unique_ptr<State>(
      new State(dataDir, activity, hooks, std::move(db), std::move(blobs), std::move(identity)));
}

}  // namespace fastio::emu
