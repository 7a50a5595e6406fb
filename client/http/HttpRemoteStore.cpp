#include "client/http/HttpRemoteStore.h"

#include <set>
#include <unordered_set>

#include "client/wire/ErrorMapping.h"
#include "common/Log.h"

namespace fastio::http {
namespace {

constexpr size_t kDetailsBatch = 25;

bool isRedirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

std::string originOf(const std::string& url) {
  const auto schemeEnd = url.find("://");
  if (schemeEnd == std::string::npos) return {};
  const auto hostEnd = url.find('/', schemeEnd + 3);
  return url.substr(0, hostEnd);
}

}  // namespace

HttpRemoteStore::HttpRemoteStore(HttpTransport& transport, auth::TokenProvider& tokens,
                                 HttpRemoteStoreOptions options, Clock& clock)
    : transport_(transport), tokens_(tokens), options_(std::move(options)), clock_(clock) {
  options_.chunksInFlight = std::clamp(options_.chunksInFlight, 1, 3);
  if (options_.listPageSize != 100 && options_.listPageSize != 250) options_.listPageSize = 500;
}

std::string HttpRemoteStore::url(const std::string& path, const FormFields& query) const {
  return joinUrl(options_.apiUrl, path, query);
}

std::string HttpRemoteStore::storagePath(const std::string& workspaceId, const std::string& nodeId,
                                         const std::string& action) const {
  return "/workspace/" + percentEncode(workspaceId) + "/storage/" + percentEncode(nodeId) + "/" +
         action;
}

Status HttpRemoteStore::sleepUnlessCancelled(Duration d, Deadline deadline) {
  const SteadyTime until = clock_.now() + d;
  while (clock_.now() < until) {
    if (options_.cancel && options_.cancel->load()) {
      return makeError(ErrorCode::kCancelled, "cancelled while waiting to retry");
    }
    if (deadline.expired()) return makeError(ErrorCode::kDeadline, "deadline passed while waiting");
    clock_.sleepFor(std::min<Duration>(until - clock_.now(), std::chrono::milliseconds(250)));
  }
  return okStatus();
}

Result<HttpResponse> HttpRemoteStore::execute(const std::function<HttpRequest()>& build,
                                              Replay replay, Deadline deadline,
                                              bool notFoundAfterRetryIsSuccess, bool withAuth,
                                              bool acceptRedirect) {
  RetryState retry(options_.retry, clock_, deadline, replay);
  bool refreshed = false;
  for (;;) {
    if (options_.cancel && options_.cancel->load()) {
      return makeError(ErrorCode::kCancelled, "cancelled");
    }
    HttpRequest request = build();
    request.cancel = options_.cancel;
    std::string token;
    if (withAuth) {
      FASTIO_TRY_ASSIGN(std::string t, tokens_.bearer(deadline));
      token = std::move(t);
      request.headers.emplace_back("Authorization", "Bearer " + token);
    }
    Result<HttpResponse> response = transport_.perform(request, deadline);
    Error error;
    const HttpResponse* failed = nullptr;
    if (response.ok()) {
      if (response->status == 401 && withAuth && !refreshed) {
        // A 401 was not acted on, so even a call with side effects may be sent again.
        refreshed = true;
        FASTIO_TRY(tokens_.refreshAfterRejection(token, deadline));
        continue;
      }
      if (response->success() || (acceptRedirect && isRedirect(response->status))) {
        return response;
      }
      error = errorFromResponse(*response, request.logName);
      failed = &response.value();
    } else {
      error = response.error();
    }
    if (error.code == ErrorCode::kNotFound && notFoundAfterRetryIsSuccess && retry.attempts() > 1) {
      HttpResponse done;
      done.status = 200;
      done.body = "{\"result\":true}";
      return done;
    }
    std::optional<Duration> delay = retry.nextDelay(error, failed);
    if (!delay) {
      if (retry.attempts() > 1) {
        error.message += " (after " + std::to_string(retry.attempts()) + " attempts)";
      }
      return error;
    }
    FASTIO_LOG_DEBUG("retrying {} in {} ms: {}", request.logName,
                     std::chrono::duration_cast<std::chrono::milliseconds>(*delay).count(),
                     error.describe());
    FASTIO_TRY(sleepUnlessCancelled(*delay, deadline));
  }
}

Result<Json> HttpRemoteStore::callJson(const Call& call, Deadline deadline) {
  const std::string logName = std::string(methodName(call.method)) + " " + call.path;
  auto build = [&] {
    HttpRequest r;
    r.method = call.method;
    r.url = url(call.path, call.query);
    r.logName = logName;
    r.stallSeconds = call.stallSeconds;
    if (call.form) {
      r.body = call.form->encode();
      r.contentType = "application/x-www-form-urlencoded";
    }
    return r;
  };
  FASTIO_TRY_ASSIGN(HttpResponse response,
                    execute(build, call.replay, deadline, call.notFoundAfterRetryIsSuccess));
  return decodeEnvelope(response, logName);
}

// --- account ---

Result<UserInfo> HttpRemoteStore::currentUser(Deadline deadline) {
  Result<Json> p = callJson({.path = "/user/me/details/"}, deadline);
  if (!p.ok() &&
      (p.error().code == ErrorCode::kNotFound || p.error().code == ErrorCode::kNotSupported)) {
    p = callJson({.path = "/user/details/"}, deadline);
  }
  if (!p.ok()) return p.error();
  return decodeUser(*p);
}

Result<std::vector<Org>> HttpRemoteStore::listOrgs(Deadline deadline) {
  std::vector<Org> all;
  std::unordered_set<std::string> seen;
  for (const char* route : {"/orgs/list/", "/orgs/list/external/"}) {
    for (uint32_t offset = 0;; offset += 100) {
      Call call{.path = route};
      call.query.add("limit", "100").add("offset", std::to_string(offset));
      Result<Json> p = callJson(call, deadline);
      if (!p.ok()) {
        const bool optional =
            std::string_view(route) == "/orgs/list/external/" &&
            (p.error().code == ErrorCode::kNotFound || p.error().code == ErrorCode::kNotSupported);
        if (optional) break;
        return p.error();
      }
      FASTIO_TRY_ASSIGN(std::vector<Org> orgs, decodeOrgs(*p));
      size_t added = 0;
      for (Org& o : orgs) {
        if (seen.insert(o.id).second) {
          all.push_back(std::move(o));
          ++added;
        }
      }
      const Json* more = path(*p, {"pagination", "has_more"});
      if (added == 0 || asBool(more) != true) break;
    }
  }
  return all;
}

Result<std::vector<Workspace>> HttpRemoteStore::listWorkspaces(Deadline deadline) {
  std::vector<Workspace> all;
  std::unordered_set<std::string> seen;
  for (uint32_t offset = 0;; offset += 100) {
    Call call{.path = "/workspaces/all/"};
    call.query.add("limit", "100").add("offset", std::to_string(offset));
    FASTIO_TRY_ASSIGN(Json p, callJson(call, deadline));
    FASTIO_TRY_ASSIGN(WireWorkspaces page, decodeWorkspaces(p));
    size_t added = 0;
    for (Workspace& w : page.workspaces) {
      if (seen.insert(w.id).second) {
        all.push_back(std::move(w));
        ++added;
      }
    }
    if (!page.hasMore || added == 0) break;
  }
  return all;
}

Result<Workspace> HttpRemoteStore::createWorkspace(const CreateWorkspaceRequest& request,
                                                   Deadline deadline) {
  Call call{.method = HttpMethod::kPost,
            .path = "/org/" + percentEncode(request.orgId) + "/create/workspace/",
            .replay = Replay::kNotIfSent};
  call.form = FormFields()
                  .add("folder_name", request.folderName)
                  .add("name", request.name)
                  .add("perm_join", "Member or above")
                  .add("perm_member_manage", "Member or above")
                  .add("intelligence", request.intelligence ? "true" : "false");
  FASTIO_TRY_ASSIGN(Json p, callJson(call, deadline));
  FASTIO_TRY_ASSIGN(Workspace w, decodeWorkspace(p));
  if (w.folderName.empty()) w.folderName = request.folderName;
  if (w.name.empty()) w.name = request.name;
  if (w.orgId.empty()) w.orgId = request.orgId;
  return w;
}

// --- metadata ---

Status HttpRemoteStore::listFolder(const std::string& workspaceId, const std::string& folderId,
                                   const std::function<bool(FolderPage&&)>& onPage,
                                   Deadline deadline) {
  std::string cursor;
  std::set<std::string> seenCursors;
  for (;;) {
    Call call{.path = storagePath(workspaceId, folderId, "list/")};
    call.query.add("sort_by", "name")
        .add("sort_dir", "asc")
        .add("page_size", std::to_string(options_.listPageSize))
        .add("output", "standard")
        .addIf(!cursor.empty(), "cursor", cursor);
    FASTIO_TRY_ASSIGN(Json p, callJson(call, deadline));
    FASTIO_TRY_ASSIGN(WireFolderPage page, decodeFolderPage(p));
    if (page.skippedEntries > 0) {
      FASTIO_LOG_WARN("listing of folder {} skipped {} entries without a usable id", folderId,
                      page.skippedEntries);
    }
    FolderPage out;
    out.nodes = std::move(page.nodes);
    out.last = page.nextCursor.empty();
    if (!onPage(std::move(out)) || page.nextCursor.empty()) return okStatus();
    if (!seenCursors.insert(page.nextCursor).second) {
      return makeError(ErrorCode::kProtocol,
                       "listing of folder " + folderId + ": the server repeated a page cursor");
    }
    cursor = page.nextCursor;
  }
}

Result<NodeDetailsBatch> HttpRemoteStore::nodeDetails(const std::string& workspaceId,
                                                      const std::vector<std::string>& nodeIds,
                                                      Deadline deadline) {
  NodeDetailsBatch all;
  for (size_t start = 0; start < nodeIds.size(); start += kDetailsBatch) {
    const size_t end = std::min(nodeIds.size(), start + kDetailsBatch);
    std::string joined;
    for (size_t i = start; i < end; ++i) {
      if (i > start) joined += ',';  // a literal comma joins the ids
      joined += percentEncode(nodeIds[i]);
    }
    Call call{.path =
                  "/workspace/" + percentEncode(workspaceId) + "/storage/" + joined + "/details/"};
    call.query.add("output", "full");
    Result<Json> p = callJson(call, deadline);
    std::set<std::string> answered;
    if (!p.ok()) {
      if (p.error().code != ErrorCode::kNotFound) return p.error();
    } else {
      FASTIO_TRY_ASSIGN(NodeDetailsBatch batch, decodeNodeDetails(*p));
      for (Node& n : batch.nodes) {
        answered.insert(n.id);
        all.nodes.push_back(std::move(n));
      }
      for (std::string& id : batch.missingIds) answered.insert(id);
      all.missingIds.insert(all.missingIds.end(), batch.missingIds.begin(), batch.missingIds.end());
    }
    // Ids the server neither returned nor listed as errors are missing too.
    for (size_t i = start; i < end; ++i) {
      const std::string id = normaliseId(nodeIds[i]);
      if (!answered.count(id)) all.missingIds.push_back(id);
    }
  }
  return all;
}

Result<Node> HttpRemoteStore::nodeFromMutation(const Json& payload, const std::string& workspaceId,
                                               const std::string& fallbackId, Deadline deadline) {
  const Json* candidate = firstMember(payload, {"node", "folder", "file"});
  if (candidate == nullptr) candidate = &payload;
  Result<Node> node = decodeNode(*candidate);
  if (node.ok() && !node->name.empty() && node->type != NodeType::kOther) return node;
  const std::string id = node.ok() ? node->id : normaliseId(fallbackId);
  if (id.empty()) return makeError(ErrorCode::kProtocol, "mutation answer without a node id");
  Result<NodeDetailsBatch> details = nodeDetails(workspaceId, {id}, deadline);
  if (!details.ok()) return details.error();
  if (details->nodes.empty()) {
    return makeError(ErrorCode::kNotFound, "node " + id + " vanished right after the change");
  }
  return details->nodes.front();
}

// --- mutations ---

Result<Node> HttpRemoteStore::createFolder(const std::string& workspaceId,
                                           const std::string& parentId, const std::string& name,
                                           Deadline deadline) {
  // createfolder returns the existing same-name folder, so replaying it is harmless.
  Call call{.method = HttpMethod::kPost,
            .path = storagePath(workspaceId, parentId, "createfolder/")};
  call.form = FormFields().add("name", name);
  FASTIO_TRY_ASSIGN(Json p, callJson(call, deadline));
  return nodeFromMutation(p, workspaceId, "", deadline);
}

Result<Node> HttpRemoteStore::rename(const std::string& workspaceId, const std::string& nodeId,
                                     const std::string& newName, const std::string& ifVersionId,
                                     Deadline deadline) {
  Call call{.method = HttpMethod::kPost, .path = storagePath(workspaceId, nodeId, "update/")};
  call.form =
      FormFields().add("name", newName).addIf(!ifVersionId.empty(), "if_version_id", ifVersionId);
  FASTIO_TRY_ASSIGN(Json p, callJson(call, deadline));
  return nodeFromMutation(p, workspaceId, nodeId, deadline);
}

Result<Node> HttpRemoteStore::move(const std::string& workspaceId, const std::string& nodeId,
                                   const std::string& newParentId, Deadline deadline) {
  Call call{.method = HttpMethod::kPost, .path = storagePath(workspaceId, nodeId, "move/")};
  call.form = FormFields().add("parent", newParentId);
  FASTIO_TRY_ASSIGN(Json p, callJson(call, deadline));
  return nodeFromMutation(p, workspaceId, nodeId, deadline);
}

Status HttpRemoteStore::deleteNode(const std::string& workspaceId, const std::string& nodeId,
                                   Deadline deadline) {
  Call call{.method = HttpMethod::kDelete,
            .path = storagePath(workspaceId, nodeId, "delete/"),
            .notFoundAfterRetryIsSuccess = true};
  FASTIO_TRY(callJson(call, deadline));
  return okStatus();
}

// --- content ---

Result<ReadOutcome> HttpRemoteStore::read(const ReadRequest& request, const ByteSink& sink,
                                          Deadline deadline) {
  ReadOutcome outcome;
  const bool ranged = request.offset > 0 || request.length > 0;
  const uint64_t lastWanted = request.length > 0 ? request.offset + request.length - 1 : 0;
  // Across attempts: the next file offset the sink still needs; bytes below it were delivered.
  bool started = false;
  uint64_t floor = request.offset;
  std::string target =
      url(storagePath(request.workspaceId, request.nodeId, "read/"),
          FormFields().addIf(!request.versionId.empty(), "version_id", request.versionId));
  bool sameOrigin = true;
  const std::string logName = "GET " + storagePath(request.workspaceId, request.nodeId, "read/");

  auto build = [&] {
    HttpRequest r;
    r.url = target;
    r.logName = logName;
    const uint64_t from = started ? floor : request.offset;
    if (ranged || from > 0) {
      r.headers.emplace_back("Range", "bytes=" + std::to_string(from) + "-" +
                                          (request.length > 0 ? std::to_string(lastWanted) : ""));
    }
    auto position = std::make_shared<std::optional<uint64_t>>();
    r.responseWriter = [&, position](const HttpResponse& head, std::string_view bytes) -> Status {
      if (!position->has_value()) {
        if (head.status == 206) {
          const std::string cr = head.header("content-range").value_or("");
          uint64_t a = 0, b = 0, total = 0;
          if (std::sscanf(cr.c_str(), "bytes %lu-%lu/%lu", &a, &b, &total) >= 2) {
            if (total > 0) outcome.totalSize = total;
          } else {
            return makeError(ErrorCode::kProtocol, logName + ": 206 without a valid Content-Range");
          }
          const uint64_t asked = started ? floor : request.offset;
          if (a != asked) {
            return makeError(ErrorCode::kProtocol, logName + ": the server sent a different range");
          }
          *position = a;
        } else {
          *position = 0;  // 200: the whole body, from the first byte
          if (ranged || started) outcome.rangeHonoured = false;
          if (auto len = head.header("content-length")) {
            outcome.totalSize = std::strtoull(len->c_str(), nullptr, 10);
          }
          if (!started) floor = 0;  // the contract: deliver the whole body with its offsets
        }
        started = true;
      }
      uint64_t pos = **position;
      *position = pos + bytes.size();
      if (pos + bytes.size() <= floor) return okStatus();  // already delivered by an earlier try
      if (pos < floor) {
        bytes.remove_prefix(static_cast<size_t>(floor - pos));
        pos = floor;
      }
      FASTIO_TRY(sink(pos, bytes));
      outcome.bytesDelivered += bytes.size();
      floor = pos + bytes.size();
      return okStatus();
    };
    return r;
  };

  for (int redirects = 0;; ++redirects) {
    Result<HttpResponse> response =
        execute(build, Replay::kSafe, deadline, false, sameOrigin, true);
    if (!response.ok()) {
      if (response.error().httpStatus == 416) return outcome;  // the range starts past the end
      return response.error();
    }
    if (!isRedirect(response->status)) break;
    auto location = response->header("location");
    if (!location || redirects >= 1) {
      return makeError(ErrorCode::kProtocol, logName + ": unexpected redirect");
    }
    // Follow once; never send the bearer token to another host.
    if (location->rfind("http", 0) != 0) *location = originOf(target) + *location;
    sameOrigin = originOf(*location) == originOf(target);
    target = *location;
  }
  return outcome;
}

Result<UploadLimits> HttpRemoteStore::uploadLimits(Deadline deadline) {
  {
    std::lock_guard lock(limitsMu_);
    if (cachedLimits_ && clock_.now() - limitsFetchedAt_ < std::chrono::minutes(10)) {
      return *cachedLimits_;
    }
  }
  Result<Json> p = callJson({.path = "/upload/limits/"}, deadline);
  if (!p.ok()) return p.error();
  FASTIO_TRY_ASSIGN(UploadLimits limits, decodeUploadLimits(*p));
  std::lock_guard lock(limitsMu_);
  cachedLimits_ = limits;
  limitsFetchedAt_ = clock_.now();
  return limits;
}

// --- intelligence ---

Result<SearchResult> HttpRemoteStore::search(const std::string& workspaceId,
                                             const std::string& query, const SearchOptions& options,
                                             Deadline deadline) {
  if (query.size() < 2 || query.size() > 1000) {
    return makeError(ErrorCode::kInvalid, "a search query must be 2 to 1000 characters long");
  }
  Call call{.path = "/workspace/" + percentEncode(workspaceId) + "/storage/search/"};
  const char* in = options.searchIn == SearchIn::kContent    ? "content"
                   : options.searchIn == SearchIn::kFilename ? "filename"
                                                             : "both";
  call.query.add("search", query)
      .add("search_in", in)
      .addIf(!options.nameMatch.empty(), "name_match", options.nameMatch)
      .add("limit", std::to_string(std::clamp<uint32_t>(options.limit, 1, 500)))
      .add("output", "standard");
  FASTIO_TRY_ASSIGN(Json p, callJson(call, deadline));
  return decodeSearch(p);
}

Result<AskAnswer> HttpRemoteStore::ask(const std::string& workspaceId, const std::string& question,
                                       Deadline deadline) {
  if (question.empty() || question.size() > 32000) {
    return makeError(ErrorCode::kInvalid, "a question must be 1 to 32000 characters long");
  }
  const std::string base = "/workspace/" + percentEncode(workspaceId) + "/ai/agent/";
  // Creating a chat costs credits and is not idempotent: never replayed once sent.
  Call create{.method = HttpMethod::kPost, .path = base, .replay = Replay::kNotIfSent};
  create.form = FormFields().add("question", question);
  FASTIO_TRY_ASSIGN(Json created, callJson(create, deadline));
  FASTIO_TRY_ASSIGN(ChatIds ids, decodeChatCreated(created));

  std::string lastActivity = serverDate(created);
  Duration pause = std::chrono::milliseconds(200);
  bool activityUsable = true;
  for (;;) {
    Call details{.path = base + percentEncode(ids.chatId) + "/message/" +
                         percentEncode(ids.messageId) + "/details/"};
    FASTIO_TRY_ASSIGN(Json p, callJson(details, deadline));
    FASTIO_TRY_ASSIGN(AskAnswer answer, decodeMessageDetails(p));
    answer.chatId = ids.chatId;
    answer.messageId = ids.messageId;
    if (isTerminalMessageState(answer.state)) {
      if (isFailedMessageState(answer.state)) {
        return makeError(ErrorCode::kUnavailable,
                         "the workspace AI did not answer (state " + answer.state + ")");
      }
      return answer;
    }
    if (deadline.remaining() < std::chrono::seconds(1)) {
      return makeError(ErrorCode::kDeadline,
                       "no answer before the deadline (last state " + answer.state + ")");
    }
    const SteadyTime before = clock_.now();
    if (activityUsable) {
      const auto leftSeconds =
          std::chrono::duration_cast<std::chrono::seconds>(deadline.remaining()).count() - 1;
      const int wait = static_cast<int>(std::clamp<long long>(leftSeconds, 1, 30));
      Result<ActivityBatch> batch = pollActivity(workspaceId, lastActivity, wait, deadline);
      if (batch.ok()) {
        if (!batch->lastActivity.empty()) lastActivity = batch->lastActivity;
      } else if (batch.error().code == ErrorCode::kNotFound ||
                 batch.error().code == ErrorCode::kNotSupported ||
                 batch.error().code == ErrorCode::kProtocol) {
        activityUsable = false;
      } else if (!batch.error().isRetryable()) {
        return batch.error();
      }
    }
    // Never poll the details in a tight loop, whatever the long-poll did.
    if (clock_.now() - before < std::chrono::milliseconds(200)) {
      FASTIO_TRY(sleepUnlessCancelled(pause, deadline));
      pause = std::min<Duration>(pause * 2, std::chrono::seconds(2));
    }
  }
}

// --- change notification ---

Result<ActivityBatch> HttpRemoteStore::pollActivity(const std::string& entityId,
                                                    const std::string& lastActivity,
                                                    int waitSeconds, Deadline deadline) {
  waitSeconds = std::clamp(waitSeconds, 0, 95);
  Call call{.path = "/activity/poll/" + percentEncode(entityId) + "/", .stallSeconds = 0};
  call.query.add("wait", std::to_string(waitSeconds))
      .addIf(!lastActivity.empty(), "lastactivity", lastActivity)
      .addIf(!lastActivity.empty(), "updated", "1");
  FASTIO_TRY_ASSIGN(Json p,
                    callJson(call, deadline.capped(std::chrono::seconds(waitSeconds + 30))));
  return decodeActivity(p);
}

// --- locks ---

Result<LockInfo> HttpRemoteStore::acquireLock(const std::string& workspaceId,
                                              const std::string& nodeId, int durationSeconds,
                                              Deadline deadline) {
  if (durationSeconds < 60 || durationSeconds > 3600) {
    return makeError(ErrorCode::kInvalid,
                     "a lock lasts 60 to 3600 seconds, not " + std::to_string(durationSeconds));
  }
  Call call{.method = HttpMethod::kPost,
            .path = storagePath(workspaceId, nodeId, "lock/"),
            .replay = Replay::kNotIfSent};
  call.form = FormFields()
                  .add("duration", std::to_string(durationSeconds))
                  .add("client_info", R"({"device_name":"fastiofs","client_version":"0.1"})");
  FASTIO_TRY_ASSIGN(Json p, callJson(call, deadline));
  Result<LockInfo> info = decodeLock(p);
  if (info.ok() && info->token.empty()) {
    return makeError(ErrorCode::kProtocol, "lock answer without a lock_token");
  }
  return info;
}

Result<LockInfo> HttpRemoteStore::lockStatus(const std::string& workspaceId,
                                             const std::string& nodeId, Deadline deadline) {
  Result<Json> p = callJson({.path = storagePath(workspaceId, nodeId, "lock/")}, deadline);
  if (!p.ok()) return p.error();
  return decodeLock(*p);
}

Status HttpRemoteStore::heartbeatLock(const std::string& workspaceId, const std::string& nodeId,
                                      const std::string& lockToken, Deadline deadline) {
  Call call{.method = HttpMethod::kPost,
            .path = storagePath(workspaceId, nodeId, "lock/heartbeat/")};
  call.form = FormFields().add("lock_token", lockToken);
  FASTIO_TRY(callJson(call, deadline));
  return okStatus();
}

Status HttpRemoteStore::releaseLock(const std::string& workspaceId, const std::string& nodeId,
                                    const std::string& lockToken, Deadline deadline) {
  // The server does not read DELETE bodies: the token goes in the query string.
  Call call{.method = HttpMethod::kDelete,
            .path = storagePath(workspaceId, nodeId, "lock/"),
            .notFoundAfterRetryIsSuccess = true};
  call.query.add("lock_token", lockToken);
  FASTIO_TRY(callJson(call, deadline));
  return okStatus();
}

}  // namespace fastio::http
