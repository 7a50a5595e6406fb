#pragma once
// Storage events State fires after each committed change, for listeners such as the
// intelligence pipeline. Listeners run on the request thread after the transaction committed and
// after no State lock is held: they must be quick (enqueue work) and may call back into State.

#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "emulator/state/StateTypes.h"

namespace fastio::emu {

struct StorageEvent {
  enum class Kind {
    kVersionStored,    // a file got new content (new node or new version of an existing node)
    kVersionRestored,  // an older version became current again
    kFolderCreated,
    kRenamed,
    kMoved,
    kCopied,  // node = the new copy (its subtree fires its own kCopied events)
    kTrashed,
    kRestored,  // back from trash
    kPurged,    // gone for good (node = its last state)
  };
  Kind kind;
  NodeRecord node;        // state after the change (before it, for kPurged)
  std::string oldName;    // kRenamed
  std::string oldParent;  // kMoved
  std::string blobPath;   // kVersionStored / kVersionRestored / kCopied files: the content
};

class StorageHooks {
 public:
  using Listener = std::function<void(const StorageEvent&)>;

  void subscribe(Listener listener) {
    std::lock_guard lock(mu_);
    listeners_.push_back(std::move(listener));
  }

  void emit(const StorageEvent& event) const {
    std::vector<Listener> copy;
    {
      std::lock_guard lock(mu_);
      copy = listeners_;
    }
    for (const auto& l : copy) l(event);
  }

 private:
  mutable std::mutex mu_;
  std::vector<Listener> listeners_;
};

}  // namespace fastio::emu
