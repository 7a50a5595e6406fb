// InMemoryRemoteStore: account, metadata, mutations, locks and the test helpers.
// Reads are in InMemoryContent.cpp, uploads in InMemoryUpload.cpp; search, ask and activity in
// InMemoryIntelligence.cpp.

#include "client/testing/InMemoryRemoteStore.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "client/testing/NodeIds.h"
#include "client/testing/SyntheticContent.h"
#include "client/testing/TextScoring.h"
#include "common/ContentDigest.h"
#include "common/MimeTypes.h"
#include "common/NameRules.h"

namespace fastio::testing {
namespace {

constexpr std::size_t kActivityRetained = 10000;
constexpr int kDefaultLockSeconds = 300;

std::string base36(uint64_t value, std::size_t width) {
  static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string out(width, '0');
  for (std::size_t i = width; i-- > 0 && value > 0;) {
    out[i] = kDigits[value % 36];
    value /= 36;
  }
  return out;
}

Error invalid(std::string message) {
  return makeError(ErrorCode::kInvalid, std::move(message));
}
Error notFound(std::string message) {
  return makeError(ErrorCode::kNotFound, std::move(message));
}

// Test helpers given impossible input are a bug in the test: say so loudly.
template <typename T>
T orThrow(Result<T> result, const char* what) {
  if (!result.ok()) {
    throw std::invalid_argument(std::string(what) + ": " + result.error().describe());
  }
  return std::move(result).value();
}

std::vector<std::string> splitPath(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t slash = path.find('/', start);
    const std::size_t end = slash == std::string::npos ? path.size() : slash;
    if (end > start) parts.push_back(path.substr(start, end - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return parts;
}

}  // namespace

InMemoryRemoteStore::InMemoryRemoteStore(Clock& clock) : clock_(clock) {
  user_ = UserInfo{"1000000000000000001", "tester@example.com", "Test User"};
  orgs_.push_back(Org{"2000000000000000001", "example", "Example Org"});
}

InMemoryRemoteStore::~InMemoryRemoteStore() = default;

// ---------------------------------------------------------------- internal helpers

Status InMemoryRemoteStore::begin(RemoteMethod method, const Deadline& deadline) {
  calls_.record(method);
  if (deadline.expired()) {
    return makeError(ErrorCode::kDeadline,
                     std::string(remoteMethodName(method)) + ": the deadline had passed");
  }
  return okStatus();
}

const InMemoryRemoteStore::WorkspaceState* InMemoryRemoteStore::findWorkspaceLocked(
    const std::string& workspaceId) const {
  if (auto it = workspaces_.find(workspaceId); it != workspaces_.end()) return &it->second;
  // Profile ids in paths also accept the workspace folder name.
  for (const auto& [id, ws] : workspaces_) {
    if (ws.info.folderName == workspaceId) return &ws;
  }
  return nullptr;
}

Result<InMemoryRemoteStore::WorkspaceState*> InMemoryRemoteStore::workspaceLocked(
    const std::string& workspaceId) {
  const WorkspaceState* ws = findWorkspaceLocked(workspaceId);
  if (ws == nullptr) return notFound("workspace '" + workspaceId + "' not found");
  return const_cast<WorkspaceState*>(ws);
}

const InMemoryRemoteStore::StoredNode* InMemoryRemoteStore::liveNodeLocked(
    const WorkspaceState& ws, const std::string& normalizedId) const {
  auto it = ws.nodes.find(normalizedId);
  if (it == ws.nodes.end() || it->second.trashed) return nullptr;
  // A node inside a trashed folder is gone too.
  std::string parent = it->second.node.parentId;
  while (parent != "root") {
    auto up = ws.nodes.find(parent);
    if (up == ws.nodes.end() || up->second.trashed) return nullptr;
    parent = up->second.node.parentId;
  }
  return &it->second;
}

InMemoryRemoteStore::StoredNode* InMemoryRemoteStore::liveNodeLocked(
    WorkspaceState& ws, const std::string& normalizedId) {
  return const_cast<StoredNode*>(
      static_cast<const InMemoryRemoteStore*>(this)->liveNodeLocked(ws, normalizedId));
}

Result<InMemoryRemoteStore::StoredNode*> InMemoryRemoteStore::requireLiveNodeLocked(
    WorkspaceState& ws, const std::string& nodeId) {
  StoredNode* stored = liveNodeLocked(ws, normalizeNodeId(nodeId));
  if (stored == nullptr) return notFound("node '" + nodeId + "' not found");
  return stored;
}

Status InMemoryRemoteStore::requireFolderLocked(WorkspaceState& ws,
                                                const std::string& normalizedFolderId) {
  if (normalizedFolderId == "root") return okStatus();
  const StoredNode* folder = liveNodeLocked(ws, normalizedFolderId);
  if (folder == nullptr) return notFound("folder '" + normalizedFolderId + "' not found");
  if (!folder->node.isFolder()) return invalid("'" + folder->node.name + "' is not a folder");
  return okStatus();
}

InMemoryRemoteStore::StoredNode* InMemoryRemoteStore::childNamedLocked(WorkspaceState& ws,
                                                                       const std::string& parentId,
                                                                       const std::string& name) {
  auto kids = ws.children.find(parentId);
  if (kids == ws.children.end()) return nullptr;
  auto child = kids->second.find(name);
  return child == kids->second.end() ? nullptr : &ws.nodes.at(child->second);
}

Node InMemoryRemoteStore::publicNodeLocked(const WorkspaceState& ws,
                                           const StoredNode& stored) const {
  Node node = stored.node;
  node.locked = lockHeldLocked(ws, node.id);
  if (node.type == NodeType::kFile) {
    if (!ws.info.intelligence) {
      node.aiState = "disabled";
    } else {
      node.aiState = clock_.now() < stored.searchableAt ? "pending" : "ready";
    }
  }
  return node;
}

std::vector<Node> InMemoryRemoteStore::sortedChildrenLocked(const WorkspaceState& ws,
                                                            const std::string& folderId) const {
  std::vector<Node> nodes;
  if (auto kids = ws.children.find(folderId); kids != ws.children.end()) {
    nodes.reserve(kids->second.size());
    for (const auto& [name, id] : kids->second) {
      nodes.push_back(publicNodeLocked(ws, ws.nodes.at(id)));
    }
  }
  return nodes;
}

std::string InMemoryRemoteStore::newIdLocked(char prefix) {
  // 1-char prefix + 28 chars, the length of a raw OpaqueId.
  return std::string(1, prefix) + base36(++idCounter_, 28);
}

InMemoryRemoteStore::StoredNode& InMemoryRemoteStore::insertNodeLocked(WorkspaceState& ws,
                                                                       Node node) {
  const std::string id = node.id;
  StoredNode& stored = ws.nodes[id];
  ws.children[node.parentId][node.name] = id;
  stored.node = std::move(node);
  stored.searchableAt = clock_.now() + searchIndexLag_;
  return stored;
}

void InMemoryRemoteStore::setContentLocked(WorkspaceState& ws, StoredNode& stored,
                                           std::string content) {
  (void)ws;
  const uint64_t size = content.size();
  std::string hash = digestHex(HashAlgorithm::kMd5, content);
  StoredVersion version;
  version.content = std::make_shared<const std::string>(std::move(content));
  addVersionLocked(stored, std::move(version), size, std::move(hash));
}

void InMemoryRemoteStore::addVersionLocked(StoredNode& stored, StoredVersion version, uint64_t size,
                                           std::string hash) {
  Node& node = stored.node;
  node.size = size;
  node.hashAlgo = hash.empty() ? "" : "md5";
  node.hash = std::move(hash);
  node.version = newIdLocked('v');
  node.modified = clock_.wallNow();
  version.id = node.version;
  stored.versions.push_back(std::move(version));
  stored.searchableAt = clock_.now() + searchIndexLag_;
}

void InMemoryRemoteStore::trashLocked(WorkspaceState& ws, StoredNode& stored) {
  stored.trashed = true;
  ws.children[stored.node.parentId].erase(stored.node.name);
  ws.locks.erase(stored.node.id);
  recordNodeChangeLocked(ws, stored);
}

void InMemoryRemoteStore::relinkLocked(WorkspaceState& ws, StoredNode& stored,
                                       const std::string& newParentId, const std::string& newName) {
  ws.children[stored.node.parentId].erase(stored.node.name);
  stored.node.parentId = newParentId;
  stored.node.name = newName;
  ws.children[newParentId][newName] = stored.node.id;
}

std::string InMemoryRemoteStore::freeNameLocked(WorkspaceState& ws, const std::string& parentId,
                                                const std::string& name, bool isFolder) {
  if (childNamedLocked(ws, parentId, name) == nullptr) return name;
  for (int n = 2;; ++n) {
    std::string candidate = names::numberedName(name, n, isFolder);
    if (childNamedLocked(ws, parentId, candidate) == nullptr) return candidate;
  }
}

void InMemoryRemoteStore::recordActivityLocked(const std::string& entityId,
                                               const std::string& key) {
  std::vector<ActivityEvent>& log = activity_[entityId];
  log.push_back(ActivityEvent{++activitySeq_, key});
  if (log.size() > kActivityRetained) {
    activityDropped_[entityId] = log[kActivityRetained / 2 - 1].seq;
    log.erase(log.begin(), log.begin() + static_cast<std::ptrdiff_t>(kActivityRetained / 2));
  }
  activityChanged_.notify_all();
}

void InMemoryRemoteStore::recordNodeChangeLocked(const WorkspaceState& ws,
                                                 const StoredNode& stored) {
  recordActivityLocked(ws.info.id, "storage:" + stored.node.id);
  recordActivityLocked(ws.info.id, "storage:" + stored.node.parentId);
}

bool InMemoryRemoteStore::lockHeldLocked(const WorkspaceState& ws,
                                         const std::string& nodeId) const {
  auto it = ws.locks.find(nodeId);
  return it != ws.locks.end() && clock_.now() < it->second.expires;
}

// ---------------------------------------------------------------- shared mutations

Result<Node> InMemoryRemoteStore::createFolderLocked(WorkspaceState& ws,
                                                     const std::string& parentId,
                                                     const std::string& name) {
  if (auto problem = names::nodeNameProblem(name)) {
    return invalid("cannot create folder: " + problem->reason);
  }
  const std::string parent = normalizeNodeId(parentId);
  FASTIO_TRY(requireFolderLocked(ws, parent));
  if (StoredNode* existing = childNamedLocked(ws, parent, name)) {
    if (existing->node.isFolder()) return publicNodeLocked(ws, *existing);  // idempotent
    return invalid("a file named '" + name + "' already exists in this folder");
  }
  Node node;
  node.id = newIdLocked('d');
  node.name = name;
  node.type = NodeType::kFolder;
  node.parentId = parent;
  node.created = node.modified = clock_.wallNow();
  StoredNode& stored = insertNodeLocked(ws, std::move(node));
  recordNodeChangeLocked(ws, stored);
  return publicNodeLocked(ws, stored);
}

Result<Node> InMemoryRemoteStore::renameLocked(WorkspaceState& ws, const std::string& nodeId,
                                               const std::string& newName,
                                               const std::string& ifVersionId) {
  if (normalizeNodeId(nodeId) == "root") return invalid("the storage root cannot be renamed");
  FASTIO_TRY_ASSIGN(StoredNode * found, requireLiveNodeLocked(ws, nodeId));
  StoredNode& stored = *found;
  if (auto problem = names::nodeNameProblem(newName)) {
    return invalid("cannot rename: " + problem->reason);
  }
  if (!ifVersionId.empty() && normalizeNodeId(ifVersionId) != stored.node.version) {
    return makeError(ErrorCode::kConflict, "version mismatch: '" + stored.node.name +
                                               "' is now at version '" + stored.node.version + "'");
  }
  if (stored.node.name == newName) return publicNodeLocked(ws, stored);
  if (childNamedLocked(ws, stored.node.parentId, newName) != nullptr) {
    return invalid("'" + newName + "' already exists in this folder");
  }
  relinkLocked(ws, stored, stored.node.parentId, newName);
  recordNodeChangeLocked(ws, stored);
  return publicNodeLocked(ws, stored);
}

Result<Node> InMemoryRemoteStore::moveLocked(WorkspaceState& ws, const std::string& nodeId,
                                             const std::string& newParentId) {
  if (normalizeNodeId(nodeId) == "root") return invalid("the storage root cannot be moved");
  FASTIO_TRY_ASSIGN(StoredNode * found, requireLiveNodeLocked(ws, nodeId));
  StoredNode& stored = *found;
  const std::string target = normalizeNodeId(newParentId);
  FASTIO_TRY(requireFolderLocked(ws, target));
  if (stored.node.isFolder()) {
    for (std::string up = target; up != "root"; up = ws.nodes.at(up).node.parentId) {
      if (up == stored.node.id) return invalid("a folder cannot be moved into itself");
    }
  }
  if (stored.node.parentId == target) return publicNodeLocked(ws, stored);

  std::string name = stored.node.name;
  if (StoredNode* clash = childNamedLocked(ws, target, name)) {
    if (clash->node.type == NodeType::kFile && stored.node.type == NodeType::kFile) {
      trashLocked(ws, *clash);  // the service trashes a same-name file at the destination
    } else {
      name = freeNameLocked(ws, target, name, stored.node.isFolder());
    }
  }
  const std::string oldParent = stored.node.parentId;
  relinkLocked(ws, stored, target, name);
  recordActivityLocked(ws.info.id, "storage:" + oldParent);
  recordNodeChangeLocked(ws, stored);
  return publicNodeLocked(ws, stored);
}

Status InMemoryRemoteStore::deleteLocked(WorkspaceState& ws, const std::string& nodeId) {
  if (normalizeNodeId(nodeId) == "root") return invalid("the storage root cannot be deleted");
  FASTIO_TRY_ASSIGN(StoredNode * found, requireLiveNodeLocked(ws, nodeId));
  trashLocked(ws, *found);
  return okStatus();
}

Result<Node> InMemoryRemoteStore::storeFileLocked(WorkspaceState& ws, const std::string& parentId,
                                                  const std::string& name,
                                                  const std::string& existingFileId,
                                                  std::string content) {
  if (auto problem = names::nodeNameProblem(name)) {
    return invalid("cannot store file: " + problem->reason);
  }
  const std::string parent = normalizeNodeId(parentId);
  StoredNode* target = nullptr;
  if (!existingFileId.empty()) {
    FASTIO_TRY_ASSIGN(StoredNode * found, requireLiveNodeLocked(ws, existingFileId));
    target = found;
    if (target->node.type != NodeType::kFile) {
      return invalid("'" + target->node.name + "' is not a file");
    }
    if (target->node.name != name) {  // rename-on-replace
      if (childNamedLocked(ws, target->node.parentId, name) != nullptr) {
        return invalid("'" + name + "' already exists in this folder");
      }
      relinkLocked(ws, *target, target->node.parentId, name);
    }
  } else {
    FASTIO_TRY(requireFolderLocked(ws, parent));
    target = childNamedLocked(ws, parent, name);
    if (target != nullptr && target->node.type != NodeType::kFile) {
      return invalid("a folder named '" + name + "' already exists in this folder");
    }
  }
  if (target == nullptr) {  // a new file; otherwise an overwrite in place keeps the id
    Node node;
    node.id = newIdLocked('f');
    node.name = name;
    node.type = NodeType::kFile;
    node.parentId = parent;
    node.mimetype = mimeForName(name).type;
    node.created = clock_.wallNow();
    target = &insertNodeLocked(ws, std::move(node));
  }
  setContentLocked(ws, *target, std::move(content));
  recordNodeChangeLocked(ws, *target);
  return publicNodeLocked(ws, *target);
}

// ---------------------------------------------------------------- account

Result<UserInfo> InMemoryRemoteStore::currentUser(Deadline deadline) {
  FASTIO_TRY(begin(RemoteMethod::kCurrentUser, deadline));
  std::lock_guard lock(mu_);
  return user_;
}

Result<std::vector<Org>> InMemoryRemoteStore::listOrgs(Deadline deadline) {
  FASTIO_TRY(begin(RemoteMethod::kListOrgs, deadline));
  std::lock_guard lock(mu_);
  return orgs_;
}

Result<std::vector<Workspace>> InMemoryRemoteStore::listWorkspaces(Deadline deadline) {
  FASTIO_TRY(begin(RemoteMethod::kListWorkspaces, deadline));
  std::lock_guard lock(mu_);
  std::vector<Workspace> out;
  for (const auto& [id, ws] : workspaces_) out.push_back(ws.info);
  return out;
}

Result<Workspace> InMemoryRemoteStore::createWorkspace(const CreateWorkspaceRequest& request,
                                                       Deadline deadline) {
  FASTIO_TRY(begin(RemoteMethod::kCreateWorkspace, deadline));
  std::lock_guard lock(mu_);
  return createWorkspaceLocked(request);
}

Result<Workspace> InMemoryRemoteStore::createWorkspaceLocked(
    const CreateWorkspaceRequest& request) {
  if (request.orgId.empty()) return invalid("an org id is required to create a workspace");
  if (auto problem = names::workspaceFolderNameProblem(request.folderName)) {
    return invalid(problem->reason);
  }
  if (auto problem = names::workspaceNameProblem(request.name)) return invalid(problem->reason);
  auto org = std::find_if(orgs_.begin(), orgs_.end(), [&](const Org& o) {
    return o.id == request.orgId || o.domain == request.orgId;
  });
  if (org == orgs_.end()) return notFound("org '" + request.orgId + "' not found");
  const std::string folderLower = toLowerAscii(request.folderName);
  for (const auto& [id, ws] : workspaces_) {
    if (toLowerAscii(ws.info.folderName) == folderLower) {
      return invalid("the workspace folder name '" + request.folderName + "' is taken");
    }
  }
  char id[24];
  std::snprintf(id, sizeof id, "3%018llu", static_cast<unsigned long long>(++idCounter_));
  Workspace info;
  info.id = id;
  info.folderName = request.folderName;
  info.name = request.name;
  info.orgId = org->id;
  info.intelligence = request.intelligence;
  workspaces_[info.id].info = info;
  recordActivityLocked(info.orgId, "workspace:" + info.id);
  return info;
}

// ---------------------------------------------------------------- metadata

Status InMemoryRemoteStore::listFolder(const std::string& workspaceId, const std::string& folderId,
                                       const std::function<bool(FolderPage&&)>& onPage,
                                       Deadline deadline) {
  FASTIO_TRY(begin(RemoteMethod::kListFolder, deadline));
  std::vector<Node> nodes;
  std::size_t pageSize = 0;
  {
    std::lock_guard lock(mu_);
    FASTIO_TRY_ASSIGN(WorkspaceState * ws, workspaceLocked(workspaceId));
    const std::string folder = normalizeNodeId(folderId);
    FASTIO_TRY(requireFolderLocked(*ws, folder));
    nodes = sortedChildrenLocked(*ws, folder);
    pageSize = pageSize_;
  }
  // Pages are cut from one snapshot; callbacks run without the lock.
  std::size_t start = 0;
  do {
    if (deadline.expired()) return makeError(ErrorCode::kDeadline, "listFolder: deadline passed");
    const std::size_t end = std::min(nodes.size(), start + pageSize);
    FolderPage page;
    page.nodes.assign(std::make_move_iterator(nodes.begin() + static_cast<std::ptrdiff_t>(start)),
                      std::make_move_iterator(nodes.begin() + static_cast<std::ptrdiff_t>(end)));
    page.last = end == nodes.size();
    start = end;
    if (!onPage(std::move(page))) break;
  } while (start < nodes.size());
  return okStatus();
}

Result<NodeDetailsBatch> InMemoryRemoteStore::nodeDetails(const std::string& workspaceId,
                                                          const std::vector<std::string>& nodeIds,
                                                          Deadline deadline) {
  FASTIO_TRY(begin(RemoteMethod::kNodeDetails, deadline));
  std::lock_guard lock(mu_);
  FASTIO_TRY_ASSIGN(WorkspaceState * ws, workspaceLocked(workspaceId));
  NodeDetailsBatch batch;
  std::set<std::string> seen;
  for (const std::string& requested : nodeIds) {
    const std::string id = normalizeNodeId(requested);
    if (!seen.insert(id).second) continue;
    if (id == "root") {
      Node root;
      root.id = "root";
      root.type = NodeType::kFolder;
      batch.nodes.push_back(root);
    } else if (auto hidden = hiddenFromDetails_.find(id); hidden != hiddenFromDetails_.end()) {
      if (--hidden->second <= 0) hiddenFromDetails_.erase(hidden);
      batch.missingIds.push_back(requested);
    } else if (const StoredNode* stored = liveNodeLocked(*ws, id)) {
      batch.nodes.push_back(publicNodeLocked(*ws, *stored));
    } else {
      batch.missingIds.push_back(requested);
    }
  }
  return batch;
}

// ---------------------------------------------------------------- mutations

Result<Node> InMemoryRemoteStore::createFolder(const std::string& workspaceId,
                                               const std::string& parentId, const std::string& name,
                                               Deadline deadline) {
  FASTIO_TRY(begin(RemoteMethod::kCreateFolder, deadline));
  std::lock_guard lock(mu_);
  FASTIO_TRY_ASSIGN(WorkspaceState * ws, workspaceLocked(workspaceId));
  return createFolderLocked(*ws, parentId, name);
}

Result<Node> InMemoryRemoteStore::rename(const std::string& workspaceId, const std::string& nodeId,
                                         const std::string& newName, const std::string& ifVersionId,
                                         Deadline deadline) {
  FASTIO_TRY(begin(RemoteMethod::kRename, deadline));
  std::lock_guard lock(mu_);
  FASTIO_TRY_ASSIGN(WorkspaceState * ws, workspaceLocked(workspaceId));
  return renameLocked(*ws, nodeId, newName, ifVersionId);
}

Result<Node> InMemoryRemoteStore::move(const std::string& workspaceId, const std::string& nodeId,
                                       const std::string& newParentId, Deadline deadline) {
  FASTIO_TRY(begin(RemoteMethod::kMove, deadline));
  std::lock_guard lock(mu_);
  FASTIO_TRY_ASSIGN(WorkspaceState * ws, workspaceLocked(workspaceId));
  return moveLocked(*ws, nodeId, newParentId);
}

Status InMemoryRemoteStore::deleteNode(const std::string& workspaceId, const std::string& nodeId,
                                       Deadline deadline) {
  FASTIO_TRY(begin(RemoteMethod::kDeleteNode, deadline));
  std::lock_guard lock(mu_);
  FASTIO_TRY_ASSIGN(WorkspaceState * ws, workspaceLocked(workspaceId));
  return deleteLocked(*ws, nodeId);
}

// ---------------------------------------------------------------- locks (advisory)

Result<LockInfo> InMemoryRemoteStore::acquireLock(const std::string& workspaceId,
                                                  const std::string& nodeId, int durationSeconds,
                                                  Deadline deadline) {
  FASTIO_TRY(begin(RemoteMethod::kAcquireLock, deadline));
  const int seconds = durationSeconds == 0 ? kDefaultLockSeconds : durationSeconds;
  if (seconds < 60 || seconds > 3600) return invalid("a lock lasts 60 to 3600 seconds");
  std::lock_guard lock(mu_);
  FASTIO_TRY_ASSIGN(WorkspaceState * ws, workspaceLocked(workspaceId));
  FASTIO_TRY_ASSIGN(StoredNode * found, requireLiveNodeLocked(*ws, nodeId));
  const std::string& id = found->node.id;
  if (lockHeldLocked(*ws, id)) {
    return makeError(ErrorCode::kConflict, "'" + found->node.name + "' is already locked");
  }
  StoredLock& held = ws->locks[id];
  held.token = newIdLocked('k');
  held.duration = Seconds(seconds);
  held.expires = clock_.now() + held.duration;
  recordActivityLocked(ws->info.id, "storage:" + id);
  return LockInfo{held.token, true, clock_.wallNow() + Seconds(seconds)};
}

Result<LockInfo> InMemoryRemoteStore::lockStatus(const std::string& workspaceId,
                                                 const std::string& nodeId, Deadline deadline) {
  FASTIO_TRY(begin(RemoteMethod::kLockStatus, deadline));
  std::lock_guard lock(mu_);
  FASTIO_TRY_ASSIGN(WorkspaceState * ws, workspaceLocked(workspaceId));
  FASTIO_TRY_ASSIGN(StoredNode * found, requireLiveNodeLocked(*ws, nodeId));
  const std::string& id = found->node.id;
  if (!lockHeldLocked(*ws, id)) return LockInfo{};
  const Duration left = ws->locks.at(id).expires - clock_.now();
  return LockInfo{"", true,
                  clock_.wallNow() + std::chrono::duration_cast<std::chrono::seconds>(left)};
}

Status InMemoryRemoteStore::heartbeatLock(const std::string& workspaceId, const std::string& nodeId,
                                          const std::string& lockToken, Deadline deadline) {
  FASTIO_TRY(begin(RemoteMethod::kHeartbeatLock, deadline));
  std::lock_guard lock(mu_);
  FASTIO_TRY_ASSIGN(WorkspaceState * ws, workspaceLocked(workspaceId));
  FASTIO_TRY_ASSIGN(StoredNode * found, requireLiveNodeLocked(*ws, nodeId));
  const std::string& id = found->node.id;
  if (!lockHeldLocked(*ws, id) || ws->locks.at(id).token != lockToken) {
    return makeError(ErrorCode::kConflict, "the lock token does not hold a current lock");
  }
  StoredLock& held = ws->locks.at(id);
  held.expires = clock_.now() + held.duration;
  return okStatus();
}

Status InMemoryRemoteStore::releaseLock(const std::string& workspaceId, const std::string& nodeId,
                                        const std::string& lockToken, Deadline deadline) {
  FASTIO_TRY(begin(RemoteMethod::kReleaseLock, deadline));
  std::lock_guard lock(mu_);
  FASTIO_TRY_ASSIGN(WorkspaceState * ws, workspaceLocked(workspaceId));
  FASTIO_TRY_ASSIGN(StoredNode * found, requireLiveNodeLocked(*ws, nodeId));
  const std::string& id = found->node.id;
  if (!lockHeldLocked(*ws, id) || ws->locks.at(id).token != lockToken) {
    return makeError(ErrorCode::kConflict, "the lock token does not hold a current lock");
  }
  ws->locks.erase(id);
  recordActivityLocked(ws->info.id, "storage:" + id);
  return okStatus();
}

// ---------------------------------------------------------------- switches and counters

void InMemoryRemoteStore::setPageSize(uint32_t nodesPerPage) {
  std::lock_guard lock(mu_);
  pageSize_ = std::max<uint32_t>(1, nodesPerPage);
}

void InMemoryRemoteStore::setIgnoreRange(bool ignore) {
  std::lock_guard lock(mu_);
  ignoreRange_ = ignore;
}

void InMemoryRemoteStore::setReadPieceSize(uint64_t bytes) {
  std::lock_guard lock(mu_);
  readPieceSize_ = std::max<uint64_t>(1, bytes);
}

void InMemoryRemoteStore::setUploadLimits(const UploadLimits& limits) {
  std::lock_guard lock(mu_);
  limits_ = limits;
  if (limits_.chunkSize == 0) limits_.chunkSize = 1;
}

void InMemoryRemoteStore::setSearchIndexLag(Duration lag) {
  std::lock_guard lock(mu_);
  searchIndexLag_ = lag;
}

void InMemoryRemoteStore::failChunkOnce(uint32_t order, Error error) {
  std::lock_guard lock(mu_);
  chunkFailures_.insert_or_assign(order, std::move(error));
}

uint64_t InMemoryRemoteStore::callCount(std::string_view method) const {
  return calls_.count(requireRemoteMethod(method));
}

uint64_t InMemoryRemoteStore::bytesServed() const {
  std::lock_guard lock(mu_);
  return bytesServed_;
}

// ---------------------------------------------------------------- seeding and external changes

std::string InMemoryRemoteStore::addWorkspace(const std::string& folderName, bool intelligence) {
  CreateWorkspaceRequest request;
  request.orgId = defaultOrgId();
  request.folderName = folderName;
  request.name = folderName;
  request.intelligence = intelligence;
  std::lock_guard lock(mu_);
  return orThrow(createWorkspaceLocked(request), "addWorkspace").id;
}

Node InMemoryRemoteStore::seedFolder(const std::string& workspaceId, const std::string& path) {
  std::lock_guard lock(mu_);
  WorkspaceState* ws = orThrow(workspaceLocked(workspaceId), "seedFolder");
  Node folder;
  folder.id = "root";
  folder.type = NodeType::kFolder;
  for (const std::string& part : splitPath(path)) {
    folder = orThrow(createFolderLocked(*ws, folder.id, part), "seedFolder");
  }
  return folder;
}

Node InMemoryRemoteStore::seedFile(const std::string& workspaceId, const std::string& path,
                                   std::string content) {
  std::vector<std::string> parts = splitPath(path);
  if (parts.empty()) throw std::invalid_argument("seedFile: empty path");
  const std::string leaf = parts.back();
  parts.pop_back();
  std::string parentPath;
  for (const std::string& part : parts) parentPath += part + "/";
  const Node parent = seedFolder(workspaceId, parentPath);
  std::lock_guard lock(mu_);
  WorkspaceState* ws = orThrow(workspaceLocked(workspaceId), "seedFile");
  return orThrow(storeFileLocked(*ws, parent.id, leaf, "", std::move(content)), "seedFile");
}

Node InMemoryRemoteStore::seedSyntheticFile(const std::string& workspaceId, const std::string& path,
                                            uint64_t size, uint32_t seed) {
  // Store an empty file first (creating parents, keeping an existing id), then give it a
  // synthetic version in place of that content.
  const Node placeholder = seedFile(workspaceId, path, std::string());
  std::lock_guard lock(mu_);
  WorkspaceState* ws = orThrow(workspaceLocked(workspaceId), "seedSyntheticFile");
  StoredNode& stored = ws->nodes.at(placeholder.id);
  stored.versions.pop_back();
  StoredVersion version;
  version.syntheticSize = size;
  version.syntheticSeed = seed;
  addVersionLocked(stored, std::move(version), size, "");
  recordNodeChangeLocked(*ws, stored);
  return publicNodeLocked(*ws, stored);
}

Result<Node> InMemoryRemoteStore::externalWrite(const std::string& workspaceId,
                                                const std::string& nodeId, std::string content) {
  std::lock_guard lock(mu_);
  FASTIO_TRY_ASSIGN(WorkspaceState * ws, workspaceLocked(workspaceId));
  FASTIO_TRY_ASSIGN(StoredNode * found, requireLiveNodeLocked(*ws, nodeId));
  const Node node = found->node;
  return storeFileLocked(*ws, node.parentId, node.name, node.id, std::move(content));
}

Result<Node> InMemoryRemoteStore::externalRename(const std::string& workspaceId,
                                                 const std::string& nodeId,
                                                 const std::string& newName) {
  std::lock_guard lock(mu_);
  FASTIO_TRY_ASSIGN(WorkspaceState * ws, workspaceLocked(workspaceId));
  return renameLocked(*ws, nodeId, newName, "");
}

Result<Node> InMemoryRemoteStore::externalMove(const std::string& workspaceId,
                                               const std::string& nodeId,
                                               const std::string& newParentId) {
  std::lock_guard lock(mu_);
  FASTIO_TRY_ASSIGN(WorkspaceState * ws, workspaceLocked(workspaceId));
  return moveLocked(*ws, nodeId, newParentId);
}

Status InMemoryRemoteStore::externalDelete(const std::string& workspaceId,
                                           const std::string& nodeId) {
  std::lock_guard lock(mu_);
  FASTIO_TRY_ASSIGN(WorkspaceState * ws, workspaceLocked(workspaceId));
  return deleteLocked(*ws, nodeId);
}

// ---------------------------------------------------------------- inspection

std::optional<Node> InMemoryRemoteStore::nodeAt(const std::string& workspaceId,
                                                const std::string& path) const {
  std::lock_guard lock(mu_);
  const WorkspaceState* ws = findWorkspaceLocked(workspaceId);
  if (ws == nullptr) return std::nullopt;
  std::string current = "root";
  const StoredNode* found = nullptr;
  for (const std::string& part : splitPath(path)) {
    found = nullptr;
    auto kids = ws->children.find(current);
    if (kids == ws->children.end()) return std::nullopt;
    auto child = kids->second.find(part);
    if (child == kids->second.end()) return std::nullopt;
    found = &ws->nodes.at(child->second);
    current = found->node.id;
  }
  if (found == nullptr) return std::nullopt;
  return publicNodeLocked(*ws, *found);
}

std::optional<Node> InMemoryRemoteStore::nodeById(const std::string& workspaceId,
                                                  const std::string& nodeId) const {
  std::lock_guard lock(mu_);
  const WorkspaceState* ws = findWorkspaceLocked(workspaceId);
  if (ws == nullptr) return std::nullopt;
  auto it = ws->nodes.find(normalizeNodeId(nodeId));
  if (it == ws->nodes.end()) return std::nullopt;
  return publicNodeLocked(*ws, it->second);
}

std::optional<std::string> InMemoryRemoteStore::contentOf(const std::string& workspaceId,
                                                          const std::string& nodeId) const {
  std::lock_guard lock(mu_);
  const WorkspaceState* ws = findWorkspaceLocked(workspaceId);
  if (ws == nullptr) return std::nullopt;
  auto it = ws->nodes.find(normalizeNodeId(nodeId));
  if (it == ws->nodes.end() || it->second.versions.empty()) return std::nullopt;
  const StoredVersion& current = it->second.versions.back();
  if (!current.content) {
    return syntheticBytes(current.syntheticSeed, 0, current.syntheticSize);
  }
  return *current.content;
}

std::vector<std::string> InMemoryRemoteStore::versionsOf(const std::string& workspaceId,
                                                         const std::string& nodeId) const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  const WorkspaceState* ws = findWorkspaceLocked(workspaceId);
  if (ws == nullptr) return out;
  auto it = ws->nodes.find(normalizeNodeId(nodeId));
  if (it == ws->nodes.end()) return out;
  for (const StoredVersion& v : it->second.versions) out.push_back(v.id);
  return out;
}

bool InMemoryRemoteStore::isTrashed(const std::string& workspaceId,
                                    const std::string& nodeId) const {
  std::lock_guard lock(mu_);
  const WorkspaceState* ws = findWorkspaceLocked(workspaceId);
  if (ws == nullptr) return false;
  const std::string id = normalizeNodeId(nodeId);
  return ws->nodes.count(id) != 0 && liveNodeLocked(*ws, id) == nullptr;
}

std::vector<Node> InMemoryRemoteStore::liveChildren(const std::string& workspaceId,
                                                    const std::string& folderId) const {
  std::lock_guard lock(mu_);
  const WorkspaceState* ws = findWorkspaceLocked(workspaceId);
  if (ws == nullptr) return {};
  const std::string folder = normalizeNodeId(folderId);
  if (folder != "root" && liveNodeLocked(*ws, folder) == nullptr) return {};
  return sortedChildrenLocked(*ws, folder);
}

std::optional<UploadSessionInfo> InMemoryRemoteStore::uploadSession(
    const std::string& sessionId) const {
  std::lock_guard lock(mu_);
  auto it = sessions_.find(normalizeNodeId(sessionId));
  if (it == sessions_.end()) return std::nullopt;
  return it->second.info;
}

uint64_t InMemoryRemoteStore::activityMarker() const {
  std::lock_guard lock(mu_);
  return activitySeq_;
}

}  // namespace fastio::testing
