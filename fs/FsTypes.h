#pragma once
// What the filesystem core answers the adapter with: attributes, entries, directory snapshots.
// Plain values in kernel terms (inode numbers, modes, times), without errno or libfuse.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "client/Types.h"
#include "common/Clock.h"
#include "fs/InodeTable.h"

namespace fastio::fs {

struct Attributes {
  InodeId ino = 0;
  uint32_t mode = 0;  // type bits (S_IF*) and permissions
  uint32_t nlink = 1;
  uint64_t size = 0;
  uint32_t uid = 0;
  uint32_t gid = 0;
  WallTime mtime{};
  WallTime ctime{};
  uint32_t blockSize = 4096;
};

struct EntryReply {
  Attributes attr;
  Duration entryTtl{};
  Duration attrTtl{};
};

struct AttrReply {
  Attributes attr;
  Duration ttl{};
};

// One directory entry; `key`/`info` let readdirplus take a kernel reference with acquire().
struct DirEntry {
  std::string name;
  Attributes attr;
  std::string key;
  InodeInfo info;
  std::optional<Node> node;  // remote entries
  SteadyTime seenAt{};       // when the listing that showed `node` was fetched
};

struct DirSnapshot {
  InodeId ino = 0;
  InodeId parent = 0;
  std::vector<DirEntry> entries;  // without "." and ".."
};

struct OpenReply {
  uint64_t handle = 0;
  bool keepCache = false;  // the version did not change since the last open: keep page cache
  bool directIo = false;   // generated content whose size is not known in advance
};

// What open() and create() are asked for, from the open flags.
struct OpenFlags {
  bool write = false;
  bool truncate = false;   // O_TRUNC
  bool append = false;     // O_APPEND
  bool exclusive = false;  // O_EXCL (create)
};

// Fields setattr changes; unset ones stay.
struct SetAttrRequest {
  std::optional<uint64_t> size;
  std::optional<WallTime> mtime;
  bool atime = false;  // accepted and not kept
  std::optional<uint32_t> mode;
  std::optional<uint32_t> uid;
  std::optional<uint32_t> gid;
  uint64_t handle = 0;  // the open file it came through, 0 if none
};

struct CreateReply {
  EntryReply entry;
  OpenReply open;
};

// rename(2) flags, as Linux numbers them.
inline constexpr unsigned kRenameNoReplace = 1;
inline constexpr unsigned kRenameExchange = 2;

struct FsStats {
  uint64_t blockSize = 0;
  uint64_t blocks = 0;
  uint64_t blocksFree = 0;
  uint64_t files = 0;
  uint64_t filesFree = 0;
  uint32_t nameMax = 255;
};

}  // namespace fastio::fs
