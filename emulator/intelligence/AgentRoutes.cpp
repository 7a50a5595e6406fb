#include "emulator/intelligence/AgentRoutes.h"

#include <nlohmann/json.hpp>
#include <thread>

#include "common/Utf8.h"
#include "emulator/ApiCodes.h"
#include "emulator/http/ApiResponse.h"
#include "emulator/http/OpaqueId.h"
#include "emulator/intelligence/TextUtil.h"

namespace fastio::emu::intelligence {
namespace {

using nlohmann::json;

constexpr size_t kMaxQuestionChars = 32000;
constexpr size_t kMaxNameChars = 100;
constexpr size_t kMaxReferences = 100;
constexpr size_t kMaxSubjects = 20;
constexpr auto kReadStreamWait = std::chrono::seconds(60);

std::string iso(int64_t micros) {
  return micros > 0 ? formatIsoSeconds(micros) : std::string();
}

json citationsJson(const std::vector<Citation>& citations) {
  json out = json::array();
  for (const auto& c : citations) {
    json entries = json::array();
    for (const auto& e : c.entries) {
      entries.push_back({{"page", e.page}, {"snippet", e.snippet}, {"timestamp", nullptr}});
    }
    out.push_back({{"nodeId", c.nodeId}, {"versionId", c.versionId}, {"entries", entries}});
  }
  return out;
}

json messageJson(const AgentTurn& t) {
  const bool answered = t.status == "complete" || t.status == "failed";
  return {
      {"id", t.turnId},
      {"turn_id", t.turnId},
      {"thread_id", t.threadId},
      {"chat_id", t.threadId},
      {"seq", t.seq},
      {"status", t.status},
      {"state", t.status},
      {"text", t.question},
      {"question", t.question},
      {"response",
       answered ? json{{"text", t.answer}, {"citations", citationsJson(t.citations)}} : json()},
      {"clarification", t.status == "needs_input" ? json{{"question", t.clarification}} : json()},
      {"actions", json::array()},
      {"created", iso(t.createdUs)},
      {"updated", iso(t.updatedUs)},
  };
}

json turnRefJson(const AgentTurn& t) {
  return {{"turn_id", t.turnId}, {"id", t.turnId},     {"thread_id", t.threadId},
          {"seq", t.seq},        {"status", t.status}, {"created", iso(t.createdUs)}};
}

json threadJson(const AgentThread& t) {
  return {{"thread_id", t.threadId},
          {"id", t.threadId},
          {"name", t.name},
          {"privacy", t.privacy},
          {"workspace_id", t.workspaceId},
          {"message_count", t.turnCount},
          {"created", iso(t.createdUs)},
          {"updated", iso(t.updatedUs)},
          {"deleted", t.deletedUs != 0}};
}

// The flat error body the cancel route uses.
void sendFlatError(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_content(
      json{{"result", false}, {"error_message", message}, {"error_id", code::kInvalidInput}}.dump(
          -1, ' ', false, json::error_handler_t::replace),
      "application/json");
}

struct Route {
  std::shared_ptr<IntelligenceService> service;
  IntelligenceService& svc() const { return *service; }
};

// Resolves the workspace of the path; replies and returns nullopt when it does not exist.
std::optional<WorkspaceRecord> workspaceOf(IntelligenceService& s, const httplib::Request& req,
                                           httplib::Response& res) {
  auto ws = s.state().workspaces().find(http::pathParam(req, 1));
  if (!ws.ok()) {
    http::sendError(res, ws.error());
    return std::nullopt;
  }
  return *ws;
}

// A chat or message id from the path, normalised; replies 404 when malformed.
std::optional<std::string> idParam(const httplib::Request& req, httplib::Response& res,
                                   size_t index, const char* what) {
  const std::string raw = http::pathParam(req, index);
  auto id = normalizeOpaqueId(raw);
  if (!id) {
    http::sendError(res, 404, code::kNotFound,
                    std::string("The ") + what + " " + raw + " was not found.");
  }
  return id;
}

std::optional<size_t> pageParam(const http::Form& form, const char* name, int64_t min, int64_t max,
                                int64_t fallback, http::Validation& v) {
  bool bad = false;
  auto value = form.getInt(name, min, max, bad);
  if (bad) {
    v.invalid(name, std::string(name) + " must be an integer from " + std::to_string(min) + " to " +
                        std::to_string(max) + ".");
    return std::nullopt;
  }
  return static_cast<size_t>(value.value_or(fallback));
}

// references / subjects: JSON arrays of {"type":"file"|"folder", "id", "file_details":{node_id,
// version_id} | "folder_details":{node_id}}. Adds the files they cover to `files`.
void parseReferences(IntelligenceService& s, const std::string& workspaceId,
                     const std::string& field, const std::string& text, size_t maxItems,
                     bool allowFolders, std::unordered_set<std::string>& files,
                     http::Validation& v) {
  const auto parsed = json::parse(text, nullptr, false);
  if (!parsed.is_array()) return v.invalid(field, field + " must be a JSON array.");
  if (parsed.size() > maxItems) {
    return v.invalid(field, field + " may hold at most " + std::to_string(maxItems) + " items.");
  }
  for (const auto& item : parsed) {
    if (!item.is_object() || !item.contains("type") || !item["type"].is_string()) {
      return v.invalid(field, "Each item of " + field + " needs a type of file or folder.");
    }
    const std::string type = item["type"].get<std::string>();
    const char* detailsKey = type == "file" ? "file_details" : "folder_details";
    if (type != "file" && !(type == "folder" && allowFolders)) {
      return v.invalid(field, "Unsupported reference type in " + field + ": " + type);
    }
    std::string rawId;
    if (item.contains(detailsKey) && item[detailsKey].is_object() &&
        item[detailsKey].contains("node_id") && item[detailsKey]["node_id"].is_string()) {
      rawId = item[detailsKey]["node_id"].get<std::string>();
    } else if (item.contains("id") && item["id"].is_string()) {
      rawId = item["id"].get<std::string>();
    }
    const auto id = normalizeOpaqueId(rawId);
    auto node = id ? s.state().nodes().node(workspaceId, *id) : Result<NodeRecord>(Error{});
    if (!id || !node.ok() || node->trashed || node->isFile() != (type == "file")) {
      return v.invalid(field, "The " + type + " " + rawId + " in " + field + " was not found.");
    }
    if (node->isFile()) {
      files.insert(node->id);
    } else {
      auto under = s.index().filesUnder(workspaceId, {node->id}, 10);
      if (under.ok()) files.insert(under->begin(), under->end());
    }
  }
}

// Validates question/references/subjects of a create or follow-up request.
struct TurnInput {
  std::string question;
  AgentScope scope;
};

std::optional<TurnInput> parseTurnInput(IntelligenceService& s, const std::string& workspaceId,
                                        const http::Form& form, http::Validation& v) {
  TurnInput input;
  const auto question = form.get("question");
  if (!question || collapseWhitespace(*question).empty()) {
    v.missing("question", "The question is required.");
  } else if (utf8::length(*question) > kMaxQuestionChars) {
    v.invalid("question", "The question may be at most 32,000 characters long.");
  } else {
    input.question = sanitizeUtf8(*question);
  }
  std::unordered_set<std::string> files;
  bool scoped = false;
  if (auto refs = form.get("references"); refs && !refs->empty()) {
    scoped = true;
    parseReferences(s, workspaceId, "references", *refs, kMaxReferences, true, files, v);
  }
  if (auto subjects = form.get("subjects"); subjects && !subjects->empty()) {
    scoped = true;
    parseReferences(s, workspaceId, "subjects", *subjects, kMaxSubjects, false, files, v);
  }
  if (!v.ok()) return std::nullopt;
  if (scoped) input.scope = std::move(files);
  return input;
}

void createThread(IntelligenceService& s, const httplib::Request& req, httplib::Response& res) {
  auto ws = workspaceOf(s, req, res);
  if (!ws) return;
  const http::Form form(req);
  http::Validation v;
  const std::string name = form.getOr("name", "");
  if (utf8::length(name) > kMaxNameChars) v.invalid("name", "name may be at most 100 characters.");
  const std::string privacy = form.getOr("privacy", "private");
  if (privacy != "private" && privacy != "public") {
    v.invalid("privacy", "privacy must be private or public.");
  }
  const std::string kind = form.getOr("kind", "user");
  if (kind != "user" && kind != "agent") v.invalid("kind", "kind must be user or agent.");
  auto input = parseTurnInput(s, ws->id, form, v);
  if (v.replyIfFailed(res)) return;
  if (privacy == "public") {
    return http::sendError(res, 403, 1680, "Public chats are not available.");
  }
  auto created =
      s.agent().createThread(ws->id, input->question, sanitizeUtf8(name), privacy, input->scope);
  if (!created.ok()) return http::sendError(res, created.error());
  http::sendOk(res,
               {{"thread", threadJson(created->thread)}, {"turn", turnRefJson(created->turn)}});
}

void addMessage(IntelligenceService& s, const httplib::Request& req, httplib::Response& res) {
  auto ws = workspaceOf(s, req, res);
  if (!ws) return;
  auto chat = idParam(req, res, 2, "chat");
  if (!chat) return;
  const http::Form form(req);
  http::Validation v;
  auto input = parseTurnInput(s, ws->id, form, v);
  if (v.replyIfFailed(res)) return;
  auto turn = s.agent().addTurn(ws->id, *chat, input->question, input->scope);
  if (!turn.ok()) return http::sendError(res, turn.error());
  http::sendOk(res, turnRefJson(*turn));
}

void messageDetails(IntelligenceService& s, const httplib::Request& req, httplib::Response& res) {
  auto ws = workspaceOf(s, req, res);
  if (!ws) return;
  auto chat = idParam(req, res, 2, "chat");
  if (!chat) return;
  auto message = idParam(req, res, 3, "message");
  if (!message) return;
  auto turn = s.agent().turn(ws->id, *chat, *message);
  if (!turn.ok()) return http::sendError(res, turn.error());
  http::sendOk(res, {{"message", messageJson(*turn)}});
}

// Server-sent events: waits (bounded) for the turn to finish, then sends it and the final event.
void messageRead(IntelligenceService& s, const httplib::Request& req, httplib::Response& res) {
  auto ws = workspaceOf(s, req, res);
  if (!ws) return;
  auto chat = idParam(req, res, 2, "chat");
  if (!chat) return;
  auto message = idParam(req, res, 3, "message");
  if (!message) return;
  const auto deadline = std::chrono::steady_clock::now() + kReadStreamWait;
  auto turn = s.agent().turn(ws->id, *chat, *message);
  while (turn.ok() && !turn->terminal() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    turn = s.agent().turn(ws->id, *chat, *message);
  }
  if (!turn.ok()) return http::sendError(res, turn.error());
  const std::string last = turn->status == "needs_input" ? "needs_input"
                           : turn->terminal()            ? "done"
                                                         : "timeout";
  std::string body = "event: message\ndata: " +
                     messageJson(*turn).dump(-1, ' ', false, json::error_handler_t::replace) +
                     "\n\nevent: " + last + "\ndata: {}\n\n";
  res.status = 200;
  res.set_content(body, "text/event-stream");
}

void listMessages(IntelligenceService& s, const httplib::Request& req, httplib::Response& res) {
  auto ws = workspaceOf(s, req, res);
  if (!ws) return;
  auto chat = idParam(req, res, 2, "chat");
  if (!chat) return;
  const http::Form form(req);
  http::Validation v;
  const auto limit = pageParam(form, "limit", 1, 500, 100, v);
  const auto offset = pageParam(form, "offset", 0, 1000000000, 0, v);
  if (v.replyIfFailed(res)) return;
  size_t total = 0;
  auto turns = s.agent().turns(ws->id, *chat, *limit, *offset, total);
  if (!turns.ok()) return http::sendError(res, turns.error());
  json messages = json::array();
  for (const auto& t : *turns) messages.push_back(messageJson(t));
  http::sendOk(res, {{"messages", messages},
                     {"pagination",
                      {{"total", total},
                       {"limit", *limit},
                       {"offset", *offset},
                       {"has_more", *offset + turns->size() < total}}}});
}

void listThreads(IntelligenceService& s, const httplib::Request& req, httplib::Response& res,
                 bool deleted) {
  auto ws = workspaceOf(s, req, res);
  if (!ws) return;
  const http::Form form(req);
  http::Validation v;
  const auto limit = pageParam(form, "limit", 1, 500, 100, v);
  const auto offset = pageParam(form, "offset", 0, 1000000000, 0, v);
  if (v.replyIfFailed(res)) return;
  size_t total = 0;
  auto threads = s.agent().threads(ws->id, deleted, *limit, *offset, total);
  if (!threads.ok()) return http::sendError(res, threads.error());
  json list = json::array();
  for (const auto& t : *threads) list.push_back(threadJson(t));
  http::sendOk(res, {{"threads", list},
                     {"pagination",
                      {{"total", total},
                       {"limit", *limit},
                       {"offset", *offset},
                       {"has_more", *offset + threads->size() < total}}}});
}

void threadDetails(IntelligenceService& s, const httplib::Request& req, httplib::Response& res) {
  auto ws = workspaceOf(s, req, res);
  if (!ws) return;
  auto chat = idParam(req, res, 2, "chat");
  if (!chat) return;
  auto thread = s.agent().thread(ws->id, *chat);
  if (!thread.ok()) return http::sendError(res, thread.error());
  size_t total = 0;
  auto turns = s.agent().turns(ws->id, *chat, 500, 0, total);
  if (!turns.ok()) return http::sendError(res, turns.error());
  json body = threadJson(*thread);
  json messages = json::array();
  for (const auto& t : *turns) messages.push_back(messageJson(t));
  body["messages"] = messages;
  http::sendOk(res, {{"thread", body}});
}

void updateThread(IntelligenceService& s, const httplib::Request& req, httplib::Response& res) {
  auto ws = workspaceOf(s, req, res);
  if (!ws) return;
  auto chat = idParam(req, res, 2, "chat");
  if (!chat) return;
  const http::Form form(req);
  http::Validation v;
  const auto name = form.get("name");
  if (!name || collapseWhitespace(*name).empty()) {
    v.missing("name", "The name is required.");
  } else if (utf8::length(*name) > kMaxNameChars) {
    v.invalid("name", "name may be at most 100 characters.");
  }
  if (v.replyIfFailed(res)) return;
  if (auto st = s.agent().renameThread(ws->id, *chat, sanitizeUtf8(*name)); !st.ok()) {
    return http::sendError(res, st.error());
  }
  auto thread = s.agent().thread(ws->id, *chat);
  if (!thread.ok()) return http::sendError(res, thread.error());
  http::sendOk(res, {{"thread", threadJson(*thread)}});
}

void deleteThread(IntelligenceService& s, const httplib::Request& req, httplib::Response& res) {
  auto ws = workspaceOf(s, req, res);
  if (!ws) return;
  auto chat = idParam(req, res, 2, "chat");
  if (!chat) return;
  if (auto st = s.agent().deleteThread(ws->id, *chat); !st.ok()) {
    return http::sendError(res, st.error());
  }
  http::sendOk(res);
}

void cancelTurn(IntelligenceService& s, const httplib::Request& req, httplib::Response& res) {
  auto ws = s.state().workspaces().find(http::pathParam(req, 1));
  if (!ws.ok()) return sendFlatError(res, 406, ws.error().message);
  auto chat = normalizeOpaqueId(http::pathParam(req, 2));
  if (!chat) return sendFlatError(res, 406, "The chat was not found.");
  auto cancelled = s.agent().cancel(ws->id, *chat);
  if (!cancelled.ok()) return sendFlatError(res, 406, cancelled.error().message);
  json body = {{"success", true}};
  if (cancelled->has_value()) {
    body["message"] = messageJson(**cancelled);
  } else {
    body["no_pending_message"] = true;
  }
  res.status = 200;
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

}  // namespace

void registerAgentRoutes(EmulatorContext& ctx, std::shared_ptr<IntelligenceService> service) {
  const std::string base = std::string(kApiPrefix) + "/workspace/([^/]+)/ai/agent/";
  const std::string chat = base + "([^/]+)/";
  auto bind = [service](void (*handler)(IntelligenceService&, const httplib::Request&,
                                        httplib::Response&)) {
    return [service, handler](const httplib::Request& req, httplib::Response& res) {
      handler(*service, req, res);
    };
  };
  ctx.server.Get(base + "list/?", [service](const httplib::Request& req, httplib::Response& res) {
    listThreads(*service, req, res, false);
  });
  ctx.server.Get(base + "list/deleted/?",
                 [service](const httplib::Request& req, httplib::Response& res) {
                   listThreads(*service, req, res, true);
                 });
  ctx.server.Post(base, bind(createThread));
  ctx.server.Post(chat + "message/", bind(addMessage));
  ctx.server.Get(chat + "message/([^/]+)/details/", bind(messageDetails));
  ctx.server.Get(chat + "message/([^/]+)/read/", bind(messageRead));
  ctx.server.Get(chat + "messages/list/", bind(listMessages));
  ctx.server.Get(chat + "details/", bind(threadDetails));
  ctx.server.Post(chat + "update/", bind(updateThread));
  ctx.server.Post(chat + "publish/", [](const httplib::Request&, httplib::Response& res) {
    http::sendError(res, 403, 1680, "Public chats are not available.");
  });
  ctx.server.Delete(chat, bind(deleteThread));
  ctx.server.Post(chat + "cancel/?", bind(cancelTurn));
}

}  // namespace fastio::emu::intelligence
