#pragma once
// Plain records that State hands out. Times are microseconds since the Unix epoch (UTC).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fastio::emu {

struct UserRecord {
  std::string id;  // numeric string
  std::string firstName;
  std::string lastName;
  std::string email;
};

struct OrgRecord {
  std::string id;  // numeric string
  std::string domain;
  std::string name;
};

struct WorkspaceRecord {
  std::string id;  // numeric string (19 digits)
  std::string orgId;
  std::string folderName;
  std::string name;
  std::string description;
  bool intelligence = true;
  std::string permJoin;
  std::string permMemberManage;
  std::int64_t createdUs = 0;
};

enum class NodeType { kFile, kFolder };

struct LockRecord {
  std::string token;
  std::string clientInfo;  // JSON text as sent by the client ("" if none)
  std::int64_t acquiredUs = 0;
  std::int64_t expiresUs = 0;
};

struct NodeRecord {
  std::string id;  // OpaqueId, unhyphenated lower case
  std::string workspaceId;
  std::string parentId;  // "root" for children of the root
  std::string name;
  NodeType type = NodeType::kFile;
  std::int64_t size = 0;  // files only
  std::string versionId;  // files only; a new id on every content change
  std::string md5;        // hex, files only
  std::string mimetype;
  std::string mimecategory;
  std::int64_t createdUs = 0;
  std::int64_t modifiedUs = 0;
  // ai.state: "disabled" when the workspace has intelligence off, else "pending" for a fresh
  // version until the intelligence pipeline sets "ready" (or "failed").
  std::string aiState = "disabled";
  std::string summaryTitle;
  std::string summaryShort;
  std::string summaryLong;
  bool trashed = false;
  std::int64_t deletedUs = 0;
  std::string deletedFrom;         // parent id before it went to trash
  std::optional<LockRecord> lock;  // only while unexpired

  bool isFile() const { return type == NodeType::kFile; }
  bool isFolder() const { return type == NodeType::kFolder; }
};

struct VersionRecord {
  std::string versionId;
  std::string nodeId;
  std::string name;  // the file name when this version was stored
  std::int64_t size = 0;
  std::string md5;
  std::int64_t createdUs = 0;
  bool current = false;
};

enum class SortBy { kName, kUpdated, kCreated, kType };

struct ListQuery {
  SortBy sortBy = SortBy::kName;
  bool descending = false;
  int pageSize = 100;      // 100, 250 or 500 (validated by the route)
  std::string cursor;      // opaque, from the previous page; "" = first page
  std::string typeFilter;  // recent only: "file" / "folder" / "" (all)
};

struct ListPage {
  std::vector<NodeRecord> nodes;
  std::string nextCursor;  // "" when there are no more pages
};

// A readable version of a file's content.
struct BlobRef {
  std::string path;  // file under --data/blobs/, stream it, never load it whole
  std::int64_t size = 0;
  std::string md5;
  std::string versionId;
  std::string name;
  std::string mimetype;
};

}  // namespace fastio::emu
