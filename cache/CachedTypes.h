#pragma once
// What the metadata cache stores. cache/ must not include client/, so these mirror the fields
// of client/Types.h that the filesystem needs to answer lookups and listings offline; the fs
// layer converts field by field. Times are wall-clock nanoseconds since the epoch.

#include <cstdint>
#include <string>
#include <vector>

namespace fastio::cache {

enum class CachedNodeType : uint8_t { kFile = 0, kFolder = 1, kNote = 2, kLink = 3, kOther = 4 };

struct CachedNode {
  std::string id;
  std::string parentId;  // "root" for children of the storage root
  std::string name;
  CachedNodeType type = CachedNodeType::kOther;
  uint64_t size = 0;
  std::string version;  // empty for folders
  std::string hash;
  std::string hashAlgo;
  int64_t createdNs = 0;
  int64_t modifiedNs = 0;
  std::string mimetype;
  std::string aiState;
  std::string summaryTitle;
  std::string summaryShort;
  std::string summaryLong;
  bool locked = false;

  bool operator==(const CachedNode&) const = default;
};

struct CachedWorkspace {
  std::string id;
  std::string folderName;
  std::string name;
  std::string orgId;
  bool intelligence = false;

  bool operator==(const CachedWorkspace&) const = default;
};

}  // namespace fastio::cache
