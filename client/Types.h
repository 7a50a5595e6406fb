#pragma once
// Domain types the filesystem sees. They are decoupled from the wire JSON: the HTTP store
// decodes every documented variant into these, so nothing above client/ knows a field name.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fastio {

using WallTime = std::chrono::system_clock::time_point;

struct UserInfo {
  std::string id;
  std::string email;
  std::string displayName;
};

struct Org {
  std::string id;
  std::string domain;
  std::string name;
};

struct Workspace {
  std::string id;          // profile id (opaque decimal string)
  std::string folderName;  // unique, used as the directory name in the mount
  std::string name;        // display name
  std::string orgId;       // may be empty when the server does not say
  bool intelligence = false;
};

struct CreateWorkspaceRequest {
  std::string orgId;
  std::string folderName;  // 4-80 letters/digits/hyphens, globally unique
  std::string name;        // 2-100 chars
  bool intelligence = true;
};

enum class NodeType { kFile, kFolder, kNote, kLink, kOther };

struct NodeSummary {
  std::string title;
  std::string shortText;
  std::string longText;
};

struct Node {
  std::string id;    // OpaqueId, normalised (lower case, no hyphens)
  std::string name;  // as the server sent it; the fs layer decides if it is showable
  NodeType type = NodeType::kOther;
  std::string parentId;  // "root" for children of the storage root
  uint64_t size = 0;
  std::string version;  // changes on every content change; empty for folders
  std::string hash;
  std::string hashAlgo;
  WallTime created{};
  WallTime modified{};
  std::string mimetype;
  std::string aiState;  // "", disabled, pending, in_progress, ready, indexed, failed
  NodeSummary summary;
  bool locked = false;

  bool isFolder() const { return type == NodeType::kFolder; }
};

struct NodeDetailsBatch {
  std::vector<Node> nodes;
  std::vector<std::string> missingIds;  // ids the server reported as not found
};

struct FolderPage {
  std::vector<Node> nodes;
  bool last = true;
};

struct ReadRequest {
  std::string workspaceId;
  std::string nodeId;
  std::string versionId;  // empty = current version
  uint64_t offset = 0;
  uint64_t length = 0;  // 0 = to the end of the file
};

struct ReadOutcome {
  bool rangeHonoured = true;          // false when the server answered 200 with the whole body
  uint64_t bytesDelivered = 0;        // bytes passed to the sink (the whole body when not honoured)
  std::optional<uint64_t> totalSize;  // from Content-Range / Content-Length when known
};

struct UploadLimits {
  uint64_t chunkSize = 4 * 1024 * 1024;  // the maximum chunk size the plan allows
  uint64_t maxFileSize = 0;              // 0 = not stated
  uint32_t maxChunksPerSession = 550;
};

struct UploadRequest {
  std::string workspaceId;
  std::string parentId = "root";
  std::string name;
  uint64_t size = 0;
  std::string existingFileId;    // non-empty: action=update of this node (keeps the node id)
  std::string resumeSessionId;   // non-empty: continue this chunked session
  uint64_t resumeChunkSize = 0;  // the chunk size the session was started with
  // With existingFileId: store only if that node's current version is still this one
  // (compare-and-swap, `if_version_id`); a stale version fails with kConflict. Empty = no check.
  std::string ifVersionId;
};

struct UploadResult {
  // The stored node (id, new version, size). If the node could not be read back in time after
  // the server stored it, only id, name, type, size (and parentId for a create) are set and
  // version is empty: the caller must fetch the version later (nodeDetails).
  Node node;
  std::string sessionId;  // empty for a single-call upload
};

enum class SearchIn { kBoth, kContent, kFilename };

struct SearchOptions {
  SearchIn searchIn = SearchIn::kBoth;
  std::string nameMatch;  // "", auto, exact, prefix, contains, glob
  uint32_t limit = 100;
};

struct SearchHit {
  std::string nodeId;
  std::string name;
  std::string parentId;
  NodeType type = NodeType::kFile;
  double relevance = 0.0;  // normalised within the result set; ordering only
  std::optional<double> rawScore;
  std::string scoreSource;  // keyword, semantic, filename
  std::string matchSource;  // keyword, semantic, both
  std::string snippet;      // may be empty
  std::string mimetype;
  std::optional<int> pageStart;
  std::optional<int> pageEnd;
};

struct SearchResult {
  std::vector<SearchHit> hits;  // best first
  bool intelligenceEnabled = false;
  bool semanticAvailable = false;
};

struct Citation {
  std::string nodeId;
  std::string versionId;
  std::optional<int> page;
  std::string snippet;
};

struct AskAnswer {
  std::string chatId;
  std::string messageId;
  std::string state;  // terminal state: complete, errored, failed, needs_input, ...
  std::string text;   // the answer (or the clarifying question for needs_input)
  std::vector<Citation> citations;
};

struct ActivityBatch {
  std::vector<std::string> keys;  // storage:{id}, storage, ai_state:{id}, upload:{id}, ...
  std::string lastActivity;       // pass back on the next poll
};

struct LockInfo {
  std::string token;
  bool locked = false;
  std::optional<WallTime> expires;
};

}  // namespace fastio
