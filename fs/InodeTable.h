#pragma once
// Inode numbers for the life of the mount. Every object the kernel can see (the mount root,
// a workspace, a remote node, a virtual file) has a string identity key; the same key always
// gets the same number, even after the kernel forgot it and looks it up again. Lookup counts
// are exact: every entry handed to the kernel adds one, forget() subtracts what the kernel says.
//
// A remote node's key is its node id. A file created locally has no node id until its upload
// is stored, so its key is its journal key (localKey); when the upload returns a node id the
// inode is re-keyed to it (rekey) and keeps its number. An inode that is open or dirty is
// pinned: its slot (parent, name, kind) stays even when the kernel forgets it.

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/Result.h"

namespace fastio::fs {

using InodeId = uint64_t;
inline constexpr InodeId kRootInode = 1;

enum class InodeKind {
  kMountRoot,       // lists workspaces
  kWorkspace,       // a workspace's storage root
  kFolder,          // a remote folder
  kFile,            // a remote file (or note)
  kControlDir,      // MOUNT/.fastio
  kControlFile,     // MOUNT/.fastio/<name>
  kSearchDir,       // WS/.search
  kSearchQueryDir,  // WS/.search/<query>
  kSearchFile,      // WS/.search/<query>/results.{txt,json}
  kSearchHitLink,   // WS/.search/<query>/NN <name>
  kAskDir,          // WS/.ask
  kAskFile,         // WS/.ask/<question>
};

bool isVirtual(InodeKind kind);
bool isDirectoryKind(InodeKind kind);

struct InodeInfo {
  InodeId ino = 0;
  InodeKind kind = InodeKind::kFile;
  InodeId parent = 0;
  std::string name;         // the name under parent, as shown to the kernel
  std::string workspaceId;  // empty for the mount root and .fastio
  std::string nodeId;       // remote node id ("root" for a workspace); empty for virtual and
                            // for a local file not uploaded yet
  std::string payload;      // the query / question / hit target for virtual inodes
  uint64_t dirtyKey = 0;    // journal key of a local file not uploaded yet (key localKey())
  uint64_t lookupCount = 0;
};

class InodeTable {
 public:
  InodeTable();

  // Returns the inode for key, creating it (or refreshing where it lives) and adding one
  // kernel reference. `info.ino` and `info.lookupCount` are ignored.
  InodeInfo lookupOrCreate(const std::string& key, const InodeInfo& info);
  // Same without taking a kernel reference (for readdir without plus, internal use).
  InodeId numberFor(const std::string& key, const InodeInfo& info);

  std::optional<InodeInfo> get(InodeId ino) const;
  std::optional<InodeId> find(std::string_view key) const;
  std::optional<InodeId> childOf(InodeId parent, std::string_view name) const;

  // Drops n kernel references; returns the count left. An inode at zero keeps its number; its
  // slot goes unless pinned.
  uint64_t forget(InodeId ino, uint64_t n);
  // Pins are counted: open handles and dirty state each hold one. An unpinned slot with no
  // kernel reference is released.
  void pin(InodeId ino);
  void unpin(InodeId ino);
  // Gives ino a new identity key (and node id, possibly empty). An inode that held newKey
  // before loses it (it keeps its number and slot, but the key no longer finds it).
  void rekey(InodeId ino, const std::string& newKey, const std::string& nodeId,
             uint64_t dirtyKey = 0);
  // Creates (or finds) the slot for key without a kernel reference, as numberFor does, and
  // returns its info.
  InodeInfo ensure(const std::string& key, const InodeInfo& info);
  // A remote node was renamed or moved: update its place in the parent/name index.
  void reparent(InodeId ino, InodeId newParent, const std::string& newName);
  // The (parent, name) pair no longer names ino (removed remotely); ino keeps its number.
  void detach(InodeId ino);

  size_t size() const;
  uint64_t lookupCount(InodeId ino) const;

  // Identity keys, one place so every caller agrees.
  static std::string workspaceKey(std::string_view workspaceId);
  static std::string nodeKey(std::string_view workspaceId, std::string_view nodeId);
  static std::string virtualKey(std::string_view kind, std::string_view workspaceId,
                                std::string_view rest);
  // A file known only to the local journal (no node id yet).
  static std::string localKey(uint64_t journalKey);

 private:
  struct Slot {
    InodeInfo info;
    std::string key;
    uint32_t pins = 0;
  };
  static std::string indexKey(InodeId parent, std::string_view name);
  InodeId assignLocked(const std::string& key, const InodeInfo& info);
  void unindexLocked(const Slot& slot);
  void releaseIfUnusedLocked(std::unordered_map<InodeId, Slot>::iterator it);
  void rememberMoveLocked(const std::string& from, const std::string& to,
                          const std::string& nodeId);

  // The last re-keys (old key -> new key), bounded: enough for lookups racing an upload.
  static constexpr size_t kMovedKeysKept = 4096;
  struct Moved {
    std::string key;
    std::string nodeId;
  };
  std::unordered_map<std::string, Moved> movedKeys_;
  std::deque<std::string> movedOrder_;

  mutable std::mutex mu_;
  InodeId next_ = kRootInode + 1;
  std::unordered_map<InodeId, Slot> slots_;
  std::unordered_map<std::string, InodeId> byKey_;
  std::unordered_map<std::string, InodeId> byParentName_;
};

}  // namespace fastio::fs
