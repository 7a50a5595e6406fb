#include "client/wire/WireDecoder.h"

#include <algorithm>

#include "client/wire/ErrorMapping.h"
#include "client/wire/Timestamps.h"

namespace fastio::http {
namespace {

Error protocolError(std::string message) {
  return makeError(ErrorCode::kProtocol, std::move(message));
}

// Arrays as they are; objects as their values (PHP-style maps keyed by id or by index).
std::vector<const Json*> collectionItems(const Json& c) {
  std::vector<const Json*> out;
  if (c.is_array()) {
    for (const Json& item : c) out.push_back(&item);
  } else if (c.is_object()) {
    for (auto it = c.begin(); it != c.end(); ++it) out.push_back(&it.value());
  }
  return out;
}

std::optional<WallTime> timeField(const Json* j) {
  if (j == nullptr) return std::nullopt;
  if (j->is_number()) return epochToWallTime(j->get<double>());
  if (j->is_string()) return parseTimestamp(j->get_ref<const std::string&>());
  return std::nullopt;
}

std::optional<int> pageNumber(const Json* j) {
  if (j == nullptr) return std::nullopt;
  if (j->is_object()) return pageNumber(firstMember(*j, {"start_page", "page", "start"}));
  auto v = asUint(j);
  if (!v || *v > 1000000000ULL) return std::nullopt;
  return static_cast<int>(*v);
}

}  // namespace

Result<Json> unwrapEnvelope(const Json& body, int status, std::string_view what) {
  if (!body.is_object()) {
    return protocolError(std::string(what) + ": expected a JSON object, got " + body.type_name());
  }
  const Json* result = member(body, "result");
  const bool resultIsFlag = result != nullptr && !result->is_object() && !result->is_array();
  if (resultIsFlag) {
    auto flag = asBool(result);
    if (!flag) return protocolError(std::string(what) + ": unrecognised `result` value");
    if (!*flag) return errorFromEnvelope(status, body, what);
  } else if (member(body, "error") != nullptr || member(body, "error_message") != nullptr) {
    if (member(body, "success") == nullptr || asBool(member(body, "success")) != true) {
      return errorFromEnvelope(status, body, what);
    }
  }
  if (const Json* response = member(body, "response");
      response != nullptr && response->is_object()) {
    Json payload = *response;
    if (const Json* date = member(body, "server_date"); date && !member(payload, "server_date")) {
      payload["server_date"] = *date;
    }
    return payload;
  }
  Json payload = body;
  if (resultIsFlag) payload.erase("result");
  payload.erase("current_api_version");
  return payload;
}

Result<Json> decodeEnvelope(const HttpResponse& response, std::string_view what) {
  if (!response.success()) return errorFromResponse(response, what);
  FASTIO_TRY_ASSIGN(Json parsed, parseJson(response.body, what));
  return unwrapEnvelope(parsed, response.status, what);
}

NodeType decodeNodeType(std::string_view t) {
  if (t == "file") return NodeType::kFile;
  if (t == "folder" || t == "directory" || t == "dir") return NodeType::kFolder;
  if (t == "note") return NodeType::kNote;
  if (t == "link") return NodeType::kLink;
  return NodeType::kOther;
}

Result<Node> decodeNode(const Json& j) {
  if (!j.is_object()) return protocolError(std::string("node is a JSON ") + j.type_name());
  Node n;
  auto id = asText(firstMember(j, {"id", "node_id", "nodeId"}));
  if (!id || id->empty()) return protocolError("node without a usable id");
  n.id = normaliseId(*id);
  n.name = textOr(member(j, "name"));
  n.type = decodeNodeType(textOr(member(j, "type")));
  auto parent = asText(firstMember(j, {"parent", "parent_id", "parentId"}));
  n.parentId = parent ? normaliseId(*parent) : std::string();
  if (const Json* size = member(j, "size")) {
    auto v = asUint(size);
    if (!v) return protocolError("node " + n.id + " has an invalid size");
    n.size = *v;
  }
  const Json* version = firstMember(j, {"version", "version_id", "versionId"});
  if (version != nullptr && version->is_object())
    version = firstMember(*version, {"id", "version_id"});
  n.version = textOr(version);
  n.hash = textOr(member(j, "hash"));
  n.hashAlgo = textOr(member(j, "hash_algo"));
  if (auto t = timeField(member(j, "created"))) n.created = *t;
  if (auto t = timeField(firstMember(j, {"modified", "updated"}))) n.modified = *t;
  if (n.modified == WallTime{}) n.modified = n.created;
  n.mimetype = textOr(member(j, "mimetype"));
  if (const Json* ai = member(j, "ai"); ai != nullptr && ai->is_object()) {
    n.aiState = textOr(member(*ai, "state"));
  } else {
    n.aiState = textOr(member(j, "ai_state"));
  }
  if (const Json* s = member(j, "summary"); s != nullptr && s->is_object()) {
    n.summary.title = textOr(member(*s, "title"));
    n.summary.shortText = textOr(member(*s, "short"));
    n.summary.longText = textOr(member(*s, "long"));
  }
  n.locked = asBool(member(j, "locked")).value_or(false);
  return n;
}

Result<WireFolderPage> decodeFolderPage(const Json& payload) {
  const Json* collection = firstMember(payload, {"nodes", "items", "files", "children"});
  if (collection != nullptr && collection->is_object()) {
    if (const Json* items = member(*collection, "items")) collection = items;
  }
  if (collection == nullptr || !(collection->is_array() || collection->is_object())) {
    return protocolError("folder listing without a node collection");
  }
  WireFolderPage page;
  for (const Json* item : collectionItems(*collection)) {
    Result<Node> node = decodeNode(*item);
    if (node.ok()) {
      page.nodes.push_back(std::move(node).value());
    } else {
      ++page.skippedEntries;
    }
  }
  const Json* cursor = member(payload, "next_cursor");
  const Json* pagination = member(payload, "pagination");
  if (cursor == nullptr && pagination != nullptr) cursor = member(*pagination, "next_cursor");
  page.nextCursor = textOr(cursor);
  if (pagination != nullptr && asBool(member(*pagination, "has_more")) == false) {
    page.nextCursor.clear();
  }
  return page;
}

namespace {

// A node in the trash (flag, timestamp or the trash as parent) counts as gone for callers.
bool isTrashed(const Json& node) {
  const Json* deleted = member(node, "deleted");
  if (deleted != nullptr) {
    if (auto flag = asBool(deleted)) {
      if (*flag) return true;
    } else if (deleted->is_string() && !deleted->get_ref<const std::string&>().empty()) {
      return true;  // a deletion time
    }
  }
  return textOr(firstMember(node, {"parent", "parent_id"})) == "trash";
}

}  // namespace

Result<NodeDetailsBatch> decodeNodeDetails(const Json& payload) {
  NodeDetailsBatch batch;
  const Json* nodes = member(payload, "nodes");
  const Json* single = member(payload, "node");
  if (nodes == nullptr && single == nullptr && member(payload, "id") != nullptr) single = &payload;
  auto add = [&](const Json& j) -> Status {
    FASTIO_TRY_ASSIGN(Node n, decodeNode(j));
    if (isTrashed(j)) {
      batch.missingIds.push_back(n.id);
    } else {
      batch.nodes.push_back(std::move(n));
    }
    return okStatus();
  };
  if (single != nullptr) FASTIO_TRY(add(*single));
  if (nodes != nullptr) {
    for (const Json* item : collectionItems(*nodes)) FASTIO_TRY(add(*item));
  }
  if (const Json* errors = member(payload, "errors")) {
    for (const Json* e : collectionItems(*errors)) {
      auto id = asText(firstMember(*e, {"node_id", "id"}));
      if (id) batch.missingIds.push_back(normaliseId(*id));
    }
  }
  if (single == nullptr && nodes == nullptr && batch.missingIds.empty()) {
    return protocolError("node details without `node` or `nodes`");
  }
  return batch;
}

namespace {

Result<Workspace> workspaceFrom(const Json& j) {
  if (!j.is_object()) return protocolError("workspace is not a JSON object");
  Workspace w;
  auto id = asText(firstMember(j, {"id", "workspace_id"}));
  if (!id || id->empty()) return protocolError("workspace without a usable id");
  w.id = *id;
  w.folderName = textOr(member(j, "folder_name"));
  w.name = textOr(member(j, "name"));
  const Json* org = firstMember(j, {"org_id", "parent_org", "org"});
  if (org != nullptr && org->is_object()) org = member(*org, "id");
  w.orgId = textOr(org);
  w.intelligence = asBool(member(j, "intelligence")).value_or(false);
  return w;
}

}  // namespace

Result<WireWorkspaces> decodeWorkspaces(const Json& payload) {
  const Json* collection = firstMember(payload, {"workspaces", "items", "results"});
  if (collection != nullptr && collection->is_object()) {
    if (const Json* items = member(*collection, "items")) collection = items;
  }
  if (collection == nullptr) return protocolError("workspace list without `workspaces`");
  WireWorkspaces out;
  for (const Json* item : collectionItems(*collection)) {
    FASTIO_TRY_ASSIGN(Workspace w, workspaceFrom(*item));
    out.workspaces.push_back(std::move(w));
  }
  if (const Json* p = member(payload, "pagination")) {
    out.hasMore = asBool(member(*p, "has_more")).value_or(false);
  }
  return out;
}

Result<Workspace> decodeWorkspace(const Json& payload) {
  if (const Json* w = member(payload, "workspace")) return workspaceFrom(*w);
  return workspaceFrom(payload);
}

Result<std::vector<Org>> decodeOrgs(const Json& payload) {
  const Json* collection = firstMember(payload, {"orgs", "items"});
  if (collection == nullptr) return protocolError("org list without `orgs`");
  std::vector<Org> out;
  for (const Json* item : collectionItems(*collection)) {
    auto id = asText(firstMember(*item, {"id", "org_id"}));
    if (!id || id->empty()) return protocolError("org without a usable id");
    out.push_back(Org{*id, textOr(member(*item, "domain")), textOr(member(*item, "name"))});
  }
  return out;
}

Result<UserInfo> decodeUser(const Json& payload) {
  const Json* u = member(payload, "user");
  if (u == nullptr) u = &payload;
  auto id = asText(firstMember(*u, {"id", "user_id"}));
  if (!id || id->empty()) return protocolError("user details without a usable id");
  UserInfo info;
  info.id = *id;
  info.email = textOr(firstMember(*u, {"email_address", "email"}));
  std::string name = textOr(member(*u, "first_name"));
  const std::string last = textOr(member(*u, "last_name"));
  if (!last.empty()) name += name.empty() ? last : " " + last;
  if (name.empty()) name = textOr(firstMember(*u, {"display_name", "name"}));
  info.displayName = name;
  return info;
}

Result<SearchResult> decodeSearch(const Json& payload) {
  SearchResult out;
  if (const Json* meta = member(payload, "search_metadata")) {
    out.intelligenceEnabled = asBool(member(*meta, "intelligence_enabled")).value_or(false);
    out.semanticAvailable = asBool(member(*meta, "semantic_available")).value_or(false);
  }
  const Json* files = member(payload, "files");
  const Json* results = member(payload, "results");
  if (files == nullptr && results == nullptr) {
    return protocolError("search answer without `files` or `results`");
  }
  if (files != nullptr) {
    if (!files->is_object() && !files->is_array()) return protocolError("search `files` malformed");
    auto addHit = [&](std::string key, const Json& f) -> Status {
      if (!f.is_object()) return protocolError("search hit is not an object");
      SearchHit hit;
      auto id = asText(firstMember(f, {"id", "node_id"}));
      if (id) key = *id;
      if (key.empty()) return protocolError("search hit without a node id");
      hit.nodeId = normaliseId(key);
      const Json* node = member(f, "node");
      hit.name = textOr(member(f, "name"), node ? textOr(member(*node, "name")) : "");
      hit.parentId = normaliseId(textOr(firstMember(f, {"parent_id", "parent"})));
      hit.type = decodeNodeType(textOr(member(f, "type"), "file"));
      hit.relevance = asDouble(member(f, "relevance_score")).value_or(0.0);
      hit.rawScore = asDouble(member(f, "raw_score"));
      hit.scoreSource = textOr(member(f, "score_source"));
      hit.matchSource = textOr(member(f, "match_source"));
      hit.snippet = textOr(member(f, "content_snippet"));
      hit.mimetype = textOr(member(f, "mimetype"));
      if (const Json* page = member(f, "page"); page != nullptr && page->is_object()) {
        hit.pageStart = pageNumber(member(*page, "start_page"));
        hit.pageEnd = pageNumber(member(*page, "end_page"));
      } else {
        hit.pageStart = pageNumber(page);
      }
      out.hits.push_back(std::move(hit));
      return okStatus();
    };
    if (files->is_object()) {
      for (auto it = files->begin(); it != files->end(); ++it) FASTIO_TRY(addHit(it.key(), *it));
    } else {
      for (const Json& f : *files) FASTIO_TRY(addHit({}, f));
    }
  } else {
    for (const Json* r : collectionItems(*results)) {
      if (!r->is_object()) return protocolError("legacy search result is not an object");
      const Json* node = member(*r, "node");
      const Json& n = node ? *node : *r;
      SearchHit hit;
      auto id = asText(firstMember(n, {"id", "node_id"}));
      if (!id || id->empty()) return protocolError("legacy search result without a node id");
      hit.nodeId = normaliseId(*id);
      hit.name = textOr(member(n, "name"));
      hit.parentId = normaliseId(textOr(firstMember(n, {"parent", "parent_id"})));
      hit.type = decodeNodeType(textOr(member(n, "type"), "file"));
      hit.mimetype = textOr(member(n, "mimetype"));
      hit.relevance = asDouble(firstMember(*r, {"score", "relevance_score"})).value_or(0.0);
      hit.rawScore = asDouble(member(*r, "score"));
      hit.snippet = textOr(firstMember(*r, {"content", "snippet", "content_snippet"}));
      hit.pageStart = pageNumber(member(*r, "page"));
      out.hits.push_back(std::move(hit));
    }
  }
  std::stable_sort(out.hits.begin(), out.hits.end(), [](const SearchHit& a, const SearchHit& b) {
    return a.relevance > b.relevance;
  });
  return out;
}

Result<ChatIds> decodeChatCreated(const Json& payload) {
  ChatIds ids;
  ids.chatId = textOr(firstMember(payload, {"thread_id", "chat_id"}));
  ids.messageId = textOr(firstMember(payload, {"turn_id", "message_id"}));
  if (ids.chatId.empty()) {
    if (const Json* t = firstMember(payload, {"thread", "chat"})) {
      ids.chatId = textOr(firstMember(*t, {"thread_id", "chat_id", "id"}));
    }
  }
  if (ids.messageId.empty()) {
    if (const Json* t = firstMember(payload, {"turn", "message"})) {
      ids.messageId = textOr(firstMember(*t, {"turn_id", "message_id", "id"}));
    }
  }
  if (ids.chatId.empty() || ids.messageId.empty()) {
    return protocolError("chat creation answer without thread and turn ids");
  }
  return ids;
}

bool isTerminalMessageState(std::string_view s) {
  return s == "complete" || s == "completed" || s == "errored" || s == "failed" ||
         s == "needs_input" || s == "cancelled" || s == "canceled" || s == "lost";
}

bool isFailedMessageState(std::string_view s) {
  return s == "errored" || s == "failed" || s == "cancelled" || s == "canceled" || s == "lost";
}

namespace {

void appendCitations(const Json* list, std::vector<Citation>& out) {
  if (list == nullptr) return;
  for (const Json* c : collectionItems(*list)) {
    if (!c->is_object()) continue;
    Citation base;
    const Json* node = member(*c, "node");
    base.nodeId = normaliseId(textOr(firstMember(*c, {"nodeId", "node_id", "id"}),
                                     node ? textOr(member(*node, "id")) : ""));
    base.versionId = textOr(firstMember(*c, {"versionId", "version_id"}));
    const Json* entries = member(*c, "entries");
    if (entries != nullptr && entries->is_array() && !entries->empty()) {
      for (const Json& e : *entries) {
        Citation cit = base;
        cit.page = pageNumber(firstMember(e, {"page", "start_page"}));
        cit.snippet = textOr(firstMember(e, {"snippet", "text"}));
        out.push_back(std::move(cit));
      }
    } else {
      base.page = pageNumber(firstMember(*c, {"page", "start_page"}));
      base.snippet = textOr(firstMember(*c, {"snippet", "text", "content"}));
      out.push_back(std::move(base));
    }
  }
}

std::string clarification(const Json* j) {
  if (j == nullptr) return {};
  if (j->is_string()) return j->get<std::string>();
  return textOr(firstMember(*j, {"question", "text"}));
}

}  // namespace

Result<AskAnswer> decodeMessageDetails(const Json& payload) {
  const Json* m = firstMember(payload, {"message", "turn"});
  if (m == nullptr) m = &payload;
  if (!m->is_object()) return protocolError("message details are not an object");
  AskAnswer a;
  a.state = textOr(firstMember(*m, {"status", "state"}));
  if (a.state.empty()) return protocolError("message details without a state");
  a.chatId = textOr(firstMember(*m, {"thread_id", "chat_id"}));
  a.messageId = textOr(firstMember(*m, {"turn_id", "message_id", "id"}));
  const Json* mResult = member(*m, "result");
  const Json* pResult = m == &payload ? nullptr : member(payload, "result");
  if (mResult != nullptr && !mResult->is_object()) mResult = nullptr;
  if (pResult != nullptr && !pResult->is_object()) pResult = nullptr;

  if (const Json* t = path(*m, {"response", "text"})) {
    a.text = textOr(t);
  } else if (m != &payload && member(payload, "text") != nullptr) {
    a.text = textOr(member(payload, "text"));
  } else if (mResult != nullptr && member(*mResult, "text") != nullptr) {
    a.text = textOr(member(*mResult, "text"));
  } else if (pResult != nullptr) {
    a.text = textOr(member(*pResult, "text"));
  } else if (const Json* answer = member(*m, "answer")) {
    a.text = textOr(answer);
  }
  if (a.state == "needs_input" && a.text.empty()) {
    a.text = clarification(member(*m, "clarification"));
    if (a.text.empty() && mResult) a.text = clarification(member(*mResult, "clarification"));
    if (a.text.empty() && pResult) a.text = clarification(member(*pResult, "clarification"));
  }
  appendCitations(path(*m, {"response", "citations"}), a.citations);
  if (a.citations.empty() && m != &payload)
    appendCitations(member(payload, "citations"), a.citations);
  if (a.citations.empty() && mResult) appendCitations(member(*mResult, "citations"), a.citations);
  if (a.citations.empty() && pResult) appendCitations(member(*pResult, "citations"), a.citations);
  if (a.citations.empty()) appendCitations(member(*m, "citations"), a.citations);
  return a;
}

Result<ActivityBatch> decodeActivity(const Json& payload) {
  ActivityBatch batch;
  const Json* keys = firstMember(payload, {"activity", "activities", "keys", "events"});
  if (keys != nullptr && keys->is_object()) {
    if (const Json* inner = firstMember(*keys, {"keys", "items"})) keys = inner;
  }
  if (keys != nullptr) {
    for (const Json* k : collectionItems(*keys)) {
      std::string key =
          k->is_object() ? textOr(firstMember(*k, {"key", "activity", "name"})) : textOr(k);
      if (!key.empty()) batch.keys.push_back(std::move(key));
    }
  }
  batch.lastActivity = textOr(firstMember(payload, {"lastactivity", "last_activity"}));
  if (batch.lastActivity.empty()) batch.lastActivity = serverDate(payload);
  if (keys == nullptr && batch.lastActivity.empty()) {
    return protocolError("activity answer without keys or a lastactivity marker");
  }
  return batch;
}

Result<WireUploadSession> decodeUploadSession(const Json& payload) {
  const Json* s = firstMember(payload, {"session", "upload"});
  if (s == nullptr || !s->is_object()) s = &payload;
  WireUploadSession out;
  out.id = textOr(firstMember(*s, {"id", "upload_id", "session_id"}));
  if (out.id.empty()) out.id = textOr(firstMember(payload, {"id", "upload_id"}));
  out.status = textOr(firstMember(*s, {"status", "state"}));
  out.statusMessage = textOr(member(*s, "status_message"));
  out.newFileId = textOr(firstMember(*s, {"new_file_id", "file_id", "node_id"}));
  if (out.newFileId.empty()) out.newFileId = textOr(member(payload, "new_file_id"));
  if (!out.newFileId.empty()) out.newFileId = normaliseId(out.newFileId);
  if (const Json* chunks = member(*s, "chunks")) {
    if (chunks->is_object()) {
      for (auto it = chunks->begin(); it != chunks->end(); ++it) {
        Json key = it.key();
        auto order = asUint(&key);
        auto bytes = it->is_object() ? asUint(member(*it, "size")) : asUint(&*it);
        if (!order || *order == 0 || *order > 1000000 || !bytes) {
          return protocolError("upload session has a malformed chunks map");
        }
        out.chunks[static_cast<uint32_t>(*order)] = *bytes;
      }
    } else if (chunks->is_array()) {
      for (const Json& c : *chunks) {
        auto order = c.is_object() ? asUint(member(c, "order")) : asUint(&c);
        auto bytes = c.is_object() ? asUint(member(c, "size")) : std::optional<uint64_t>(0);
        if (!order || *order == 0 || *order > 1000000 || !bytes) {
          return protocolError("upload session has a malformed chunks list");
        }
        out.chunks[static_cast<uint32_t>(*order)] = *bytes;
      }
    }
  }
  if (out.id.empty() && out.status.empty() && out.newFileId.empty()) {
    return protocolError("upload answer without a session id, status or file id");
  }
  return out;
}

Result<UploadLimits> decodeUploadLimits(const Json& payload) {
  const Json* l = member(payload, "limits");
  if (l == nullptr || !l->is_object()) l = &payload;
  UploadLimits limits;
  auto chunk = asUint(member(*l, "chunk_size"));
  if (!chunk || *chunk == 0) return protocolError("upload limits without a valid chunk_size");
  limits.chunkSize = *chunk;
  limits.maxFileSize = asUint(member(*l, "size")).value_or(0);
  if (auto chunks = asUint(member(*l, "chunks")); chunks && *chunks > 0 && *chunks < 1000000) {
    limits.maxChunksPerSession = static_cast<uint32_t>(*chunks);
  }
  return limits;
}

Result<LockInfo> decodeLock(const Json& payload) {
  const Json* l = member(payload, "lock");
  if (l == nullptr || !l->is_object()) l = &payload;
  LockInfo info;
  info.token = textOr(firstMember(*l, {"lock_token", "token"}));
  if (info.token.empty()) info.token = textOr(member(payload, "lock_token"));
  auto locked = asBool(member(*l, "locked"));
  info.locked = locked.value_or(!info.token.empty());
  if (const Json* e = firstMember(*l, {"expires", "expires_at", "expiry"})) {
    info.expires = e->is_number()
                       ? epochToWallTime(e->get<double>())
                       : (e->is_string() ? parseTimestamp(e->get<std::string>()) : std::nullopt);
  }
  return info;
}

std::string serverDate(const Json& payload) {
  return textOr(member(payload, "server_date"));
}

}  // namespace fastio::http
