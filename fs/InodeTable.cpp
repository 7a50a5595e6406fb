#include "fs/InodeTable.h"

#include <cstring>

#include "common/Log.h"

namespace fastio::fs {

bool isVirtual(InodeKind kind) {
  switch (kind) {
    case InodeKind::kMountRoot:
    case InodeKind::kWorkspace:
    case InodeKind::kFolder:
    case InodeKind::kFile:
      return false;
    default:
      return true;
  }
}

bool isDirectoryKind(InodeKind kind) {
  switch (kind) {
    case InodeKind::kMountRoot:
    case InodeKind::kWorkspace:
    case InodeKind::kFolder:
    case InodeKind::kControlDir:
    case InodeKind::kSearchDir:
    case InodeKind::kSearchQueryDir:
    case InodeKind::kAskDir:
      return true;
    default:
      return false;
  }
}

InodeTable::InodeTable() {
  Slot root;
  root.info.ino = kRootInode;
  root.info.kind = InodeKind::kMountRoot;
  root.info.parent = kRootInode;
  root.info.lookupCount = 1;  // the kernel holds the root for the whole mount
  root.key = "/";
  slots_.emplace(kRootInode, root);
  byKey_.emplace("/", kRootInode);
}

std::string InodeTable::indexKey(InodeId parent, std::string_view name) {
  std::string k(sizeof parent, '\0');
  std::memcpy(k.data(), &parent, sizeof parent);
  k.append(name);
  return k;
}

void InodeTable::unindexLocked(const Slot& slot) {
  if (slot.info.ino == kRootInode) return;
  auto it = byParentName_.find(indexKey(slot.info.parent, slot.info.name));
  if (it != byParentName_.end() && it->second == slot.info.ino) byParentName_.erase(it);
}

InodeId InodeTable::assignLocked(const std::string& asked, const InodeInfo& askedInfo) {
  auto assign = [&](const std::string& key, const InodeInfo& info) {
    auto found = byKey_.find(key);
    InodeId ino;
    if (found == byKey_.end()) {
      ino = next_++;
      byKey_.emplace(key, ino);
      if (key.starts_with("l/")) FASTIO_LOG_DEBUG("inode {} for {} ({})", ino, key, info.name);
    } else {
      ino = found->second;
    }
    auto [it, inserted] = slots_.try_emplace(ino);
    Slot& slot = it->second;
    if (!inserted) {
      if (slot.info.parent == info.parent && slot.info.name == info.name) {
        // Same place: refresh the descriptive fields only.
        slot.info.payload = info.payload;
        slot.info.kind = info.kind;
        return ino;
      }
      unindexLocked(slot);
    }
    const uint64_t count = inserted ? 0 : slot.info.lookupCount;
    slot.info = info;
    slot.info.ino = ino;
    slot.info.lookupCount = count;
    slot.key = key;
    if (ino != kRootInode) byParentName_[indexKey(info.parent, info.name)] = ino;
    return ino;
  };
  if (byKey_.count(asked) == 0) {
    // A key re-keyed a moment ago (a file whose upload just finished), seen by a caller that
    // looked before: the inode it became, as it is now (or a new one for its node).
    if (auto moved = movedKeys_.find(asked); moved != movedKeys_.end()) {
      auto now = byKey_.find(moved->second.key);
      if (now != byKey_.end() && slots_.count(now->second) != 0) return now->second;
      InodeInfo info = askedInfo;
      info.nodeId = moved->second.nodeId;
      info.dirtyKey = 0;
      return assign(moved->second.key, info);
    }
  }
  return assign(asked, askedInfo);
}

void InodeTable::rememberMoveLocked(const std::string& from, const std::string& to,
                                    const std::string& nodeId) {
  // Only a file created here moves for good from its local key to its node's; a node key
  // given up (a conflict copy) is reused by the node's own inode.
  if (!from.starts_with("l/")) return;
  if (movedKeys_.insert_or_assign(from, Moved{to, nodeId}).second) movedOrder_.push_back(from);
  while (movedOrder_.size() > kMovedKeysKept) {
    movedKeys_.erase(movedOrder_.front());
    movedOrder_.pop_front();
  }
}

InodeInfo InodeTable::lookupOrCreate(const std::string& key, const InodeInfo& info) {
  std::lock_guard lock(mu_);
  const InodeId ino = assignLocked(key, info);
  Slot& slot = slots_.at(ino);
  ++slot.info.lookupCount;
  return slot.info;
}

InodeId InodeTable::numberFor(const std::string& key, const InodeInfo& info) {
  std::lock_guard lock(mu_);
  return assignLocked(key, info);
}

std::optional<InodeInfo> InodeTable::get(InodeId ino) const {
  std::lock_guard lock(mu_);
  auto it = slots_.find(ino);
  if (it == slots_.end()) return std::nullopt;
  return it->second.info;
}

std::optional<InodeId> InodeTable::find(std::string_view key) const {
  std::lock_guard lock(mu_);
  auto it = byKey_.find(std::string(key));
  if (it == byKey_.end()) return std::nullopt;
  return it->second;
}

std::optional<InodeId> InodeTable::childOf(InodeId parent, std::string_view name) const {
  std::lock_guard lock(mu_);
  auto it = byParentName_.find(indexKey(parent, name));
  if (it == byParentName_.end()) return std::nullopt;
  return it->second;
}

uint64_t InodeTable::forget(InodeId ino, uint64_t n) {
  std::lock_guard lock(mu_);
  auto it = slots_.find(ino);
  if (it == slots_.end()) return 0;
  if (ino == kRootInode) return it->second.info.lookupCount;  // held for the whole mount
  uint64_t& count = it->second.info.lookupCount;
  count = n >= count ? 0 : count - n;
  const uint64_t left = count;
  releaseIfUnusedLocked(it);
  return left;
}

void InodeTable::releaseIfUnusedLocked(std::unordered_map<InodeId, Slot>::iterator it) {
  if (it->first == kRootInode || it->second.info.lookupCount != 0 || it->second.pins != 0) return;
  // The number stays reserved in byKey_; the descriptive slot can go.
  unindexLocked(it->second);
  slots_.erase(it);
}

void InodeTable::pin(InodeId ino) {
  std::lock_guard lock(mu_);
  auto it = slots_.find(ino);
  if (it != slots_.end()) ++it->second.pins;
}

void InodeTable::unpin(InodeId ino) {
  std::lock_guard lock(mu_);
  auto it = slots_.find(ino);
  if (it == slots_.end() || it->second.pins == 0) return;
  --it->second.pins;
  releaseIfUnusedLocked(it);
}

void InodeTable::rekey(InodeId ino, const std::string& newKey, const std::string& nodeId,
                       uint64_t dirtyKey) {
  std::lock_guard lock(mu_);
  auto it = slots_.find(ino);
  if (it != slots_.end()) {
    if (it->second.key == newKey) {
      it->second.info.nodeId = nodeId;
      it->second.info.dirtyKey = dirtyKey;
      return;
    }
    auto old = byKey_.find(it->second.key);
    if (old != byKey_.end() && old->second == ino) byKey_.erase(old);
    rememberMoveLocked(it->second.key, newKey, nodeId);
    it->second.key = newKey;
    it->second.info.nodeId = nodeId;
    it->second.info.dirtyKey = dirtyKey;
  } else {
    // No slot (forgotten, unpinned): only the key moves.
    for (auto k = byKey_.begin(); k != byKey_.end(); ++k) {
      if (k->second == ino) {
        rememberMoveLocked(k->first, newKey, nodeId);
        byKey_.erase(k);
        break;
      }
    }
  }
  auto holder = byKey_.find(newKey);
  if (holder != byKey_.end() && holder->second != ino) {
    // The previous holder keeps its number and slot but is no longer found by this key.
    auto prev = slots_.find(holder->second);
    if (prev != slots_.end()) prev->second.key.clear();
  }
  byKey_[newKey] = ino;
}

InodeInfo InodeTable::ensure(const std::string& key, const InodeInfo& info) {
  std::lock_guard lock(mu_);
  const InodeId ino = assignLocked(key, info);
  return slots_.at(ino).info;
}

void InodeTable::reparent(InodeId ino, InodeId newParent, const std::string& newName) {
  std::lock_guard lock(mu_);
  auto it = slots_.find(ino);
  if (it == slots_.end() || ino == kRootInode) return;
  unindexLocked(it->second);
  it->second.info.parent = newParent;
  it->second.info.name = newName;
  byParentName_[indexKey(newParent, newName)] = ino;
}

void InodeTable::detach(InodeId ino) {
  std::lock_guard lock(mu_);
  auto it = slots_.find(ino);
  if (it == slots_.end()) return;
  unindexLocked(it->second);
}

size_t InodeTable::size() const {
  std::lock_guard lock(mu_);
  return slots_.size();
}

uint64_t InodeTable::lookupCount(InodeId ino) const {
  std::lock_guard lock(mu_);
  auto it = slots_.find(ino);
  return it == slots_.end() ? 0 : it->second.info.lookupCount;
}

std::string InodeTable::workspaceKey(std::string_view workspaceId) {
  return "w/" + std::string(workspaceId);
}

std::string InodeTable::nodeKey(std::string_view workspaceId, std::string_view nodeId) {
  std::string k = "n/";
  k += workspaceId;
  k += '/';
  k += nodeId;
  return k;
}

std::string InodeTable::localKey(uint64_t journalKey) {
  return "l/" + std::to_string(journalKey);
}

std::string InodeTable::virtualKey(std::string_view kind, std::string_view workspaceId,
                                   std::string_view rest) {
  std::string k = "v/";
  k += kind;
  k += '/';
  k += workspaceId;
  k += '/';
  k.append(rest.data(), rest.size());
  return k;
}

}  // namespace fastio::fs
