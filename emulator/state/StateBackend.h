#pragma once
// What the parts of State that change nodes work with: the state.db connections, the content
// files, and where a committed change is announced (activity keys, then storage hooks; both
// after the writer is released).

#include "emulator/state/ActivityLog.h"
#include "emulator/state/BlobStore.h"
#include "emulator/state/StateDb.h"
#include "emulator/state/StorageHooks.h"

namespace fastio::emu {

struct StateBackend {
  StateDb& db;
  const BlobStore& blobs;
  ActivityLog& activity;
  StorageHooks& hooks;
};

}  // namespace fastio::emu
