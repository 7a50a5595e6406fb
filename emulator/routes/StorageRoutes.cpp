// Storage routes of fastio-api.md §4 under /workspace/{id}/storage/: list, trash list, recent,
// details (single and bulk), versions, createfolder, update (rename, CAS), move, copy, delete,
// restore, purge, empty trash, restore-version, locks.

#include "emulator/ApiCodes.h"
#include "emulator/EmulatorContext.h"
#include "emulator/http/ApiResponse.h"
#include "emulator/http/NodeJson.h"
#include "emulator/http/OpaqueId.h"
#include "emulator/routes/RouteHelpers.h"
#include "emulator/routes/RouteRegistry.h"

namespace fastio::emu {
namespace {

using httplib::Request;
using httplib::Response;

constexpr const char* kStorage = R"(/current/workspace/([^/]+)/storage/)";
constexpr std::size_t kMaxBulkIds = 25;

std::string route(const char* tail) {
  return std::string(kStorage) + tail;
}

// Replies with a State error; name collisions and invalid names become class-1605 replies with
// params[] naming the field.
void replyStateError(httplib::Response& res, const Error& e, const char* field = "name") {
  bool invalidName = e.remoteCode == code::kInvalidInput && e.message.rfind("Invalid name", 0) == 0;
  if (e.code == ErrorCode::kExists || invalidName) {
    nlohmann::json param = {{"name", field},
                            {"kind", "invalid"},
                            {"code", code::kInvalidInput},
                            {"message", e.message}};
    if (!invalidName) param["reason"] = "name_conflict";
    http::sendError(res, 406, code::kInvalidInput, e.message,
                    {{"params", nlohmann::json::array({param})},
                     {"error_code", invalidName ? "ERR_INVALID_INPUT" : "ERR_NAME_CONFLICT"}});
    return;
  }
  http::sendError(res, e);
}

void replyNode(httplib::Response& res, const Result<NodeRecord>& n) {
  if (!n.ok()) {
    replyStateError(res, n.error());
    return;
  }
  http::sendOk(res, {{"node", http::nodeToJson(*n)}});
}

std::optional<std::string> requiredOrReply(const Request& req, Response& res, const char* name) {
  auto v = http::Form(req).get(name);
  if (!v) {
    http::Validation val;
    val.missing(name);
    val.replyIfFailed(res);
  }
  return v;
}

nlohmann::json versionJson(const VersionRecord& v) {
  return {{"version_id", v.versionId},
          {"id", v.versionId},
          {"node_id", v.nodeId},
          {"name", v.name},
          {"size", v.size},
          {"hash", v.md5},
          {"hash_algo", "md5"},
          {"created", formatIsoSeconds(v.createdUs)},
          {"current", v.current}};
}

void bulkDetails(EmulatorContext& ctx, const WorkspaceRecord& ws, const std::string& idList,
                 http::DetailLevel level, Response& res) {
  std::vector<std::string> ids;
  std::size_t start = 0;
  while (start <= idList.size()) {
    std::size_t comma = idList.find(',', start);
    if (comma == std::string::npos) comma = idList.size();
    ids.push_back(idList.substr(start, comma - start));
    start = comma + 1;
  }
  if (ids.size() > kMaxBulkIds) {
    http::sendError(
        res, 400, code::kTooManyIds,
        "At most 25 ids can be requested at once; got " + std::to_string(ids.size()) + ".");
    return;
  }
  nlohmann::json nodes = nlohmann::json::array();
  nlohmann::json errors = nlohmann::json::array();
  for (const auto& id : ids) {
    auto n = ctx.state.nodes().node(ws.id, id);
    if (n.ok()) {
      nodes.push_back(http::nodeToJson(*n, level));
    } else {
      errors.push_back(
          {{"node_id", id}, {"code", n.error().remoteCode}, {"message", n.error().message}});
    }
  }
  nlohmann::json body = {{"format", "multi"},
                         {"nodes", nodes},
                         {"errors", errors},
                         {"node_count", nodes.size()},
                         {"error_count", errors.size()},
                         {"requested_count", ids.size()}};
  if (nodes.empty()) {
    body["result"] = "no";
    body["error"] = {{"code", code::kNodeNotFound},
                     {"text", "None of the requested nodes was found."}};
    http::sendBody(res, 404, body);
    return;
  }
  http::sendOk(res, body);
}

void registerStorageRoutes(EmulatorContext& ctx) {
  auto& srv = ctx.server;

  srv.Get(route(R"(([^/]+)/list/)"), [&ctx](const Request& req, Response& res) {
    ctx.stats.add(EmulatorStats::Counter::kListRequests);
    auto ws = routes::workspaceOrReply(ctx, req, res);
    if (!ws) return;
    auto level = routes::detailLevelOrReply(req, res);
    if (!level) return;
    auto q = routes::listQueryOrReply(req, res);
    if (!q) return;
    auto page = ctx.state.nodes().listFolder(ws->id, http::pathParam(req, 2), *q);
    if (!page.ok()) {
      replyStateError(res, page.error(), "cursor");
      return;
    }
    http::sendOk(res, routes::listPageJson(*page, q->pageSize, *level));
  });

  srv.Get(route("recent/"), [&ctx](const Request& req, Response& res) {
    auto ws = routes::workspaceOrReply(ctx, req, res);
    if (!ws) return;
    auto level = routes::detailLevelOrReply(req, res);
    if (!level) return;
    auto q = routes::listQueryOrReply(req, res);
    if (!q) return;
    q->typeFilter = http::Form(req).getOr("type", "");
    if (!q->typeFilter.empty() && q->typeFilter != "file" && q->typeFilter != "folder" &&
        q->typeFilter != "link" && q->typeFilter != "note") {
      http::Validation v;
      v.invalid("type", "type must be file, folder, link or note.");
      v.replyIfFailed(res);
      return;
    }
    ListPage page;
    if (q->typeFilter == "link" || q->typeFilter == "note") {
      // The emulator stores no links or notes: an empty, final page.
    } else {
      auto listed = ctx.state.nodes().listRecent(ws->id, *q);
      if (!listed.ok()) {
        replyStateError(res, listed.error(), "cursor");
        return;
      }
      page = std::move(*listed);
    }
    http::sendOk(res, routes::listPageJson(page, q->pageSize, *level));
  });

  srv.Get(route(R"(([^/]+)/details/)"), [&ctx](const Request& req, Response& res) {
    ctx.stats.add(EmulatorStats::Counter::kDetailsRequests);
    auto ws = routes::workspaceOrReply(ctx, req, res);
    if (!ws) return;
    auto level = routes::detailLevelOrReply(req, res);
    if (!level) return;
    std::string ids = http::pathParam(req, 2);
    if (ids.find(',') != std::string::npos) {
      bulkDetails(ctx, *ws, ids, *level, res);
      return;
    }
    auto n = ctx.state.nodes().node(ws->id, ids);
    if (!n.ok()) {
      http::sendError(res, n.error());
      return;
    }
    http::sendOk(res, {{"format", "single"}, {"node", http::nodeToJson(*n, *level)}});
  });

  srv.Get(route(R"(([^/]+)/versions/)"), [&ctx](const Request& req, Response& res) {
    auto ws = routes::workspaceOrReply(ctx, req, res);
    if (!ws) return;
    auto versions = ctx.state.files().versions(ws->id, http::pathParam(req, 2));
    if (!versions.ok()) {
      http::sendError(res, versions.error());
      return;
    }
    nlohmann::json list = nlohmann::json::array();
    for (const auto& v : *versions) list.push_back(versionJson(v));
    http::sendOk(res, {{"versions", list}, {"count", list.size()}});
  });

  srv.Post(route(R"(([^/]+)/createfolder/)"), [&ctx](const Request& req, Response& res) {
    auto ws = routes::workspaceOrReply(ctx, req, res);
    if (!ws) return;
    auto name = requiredOrReply(req, res, "name");
    if (!name) return;
    bool badForce = false;
    auto force = http::Form(req).getBool("force", badForce);
    if (badForce) {
      http::Validation v;
      v.invalid("force", "force must be true or false.");
      v.replyIfFailed(res);
      return;
    }
    auto n = ctx.state.tree().createFolder(ws->id, http::pathParam(req, 2), *name,
                                           force.value_or(false));
    if (n.ok()) ctx.stats.add(EmulatorStats::Counter::kFoldersCreated);
    replyNode(res, n);
  });

  srv.Post(route(R"(([^/]+)/update/)"), [&ctx](const Request& req, Response& res) {
    auto ws = routes::workspaceOrReply(ctx, req, res);
    if (!ws) return;
    http::Form form(req);
    std::string nodeId = http::pathParam(req, 2);
    if (form.has("from")) {
      http::Validation v;
      v.invalid("from",
                "Replacing content through update/ is not supported by the emulator; "
                "upload with action=update instead.");
      v.replyIfFailed(res);
      return;
    }
    auto name = form.get("name");
    auto ifVersion = form.get("if_version_id");
    if (!name && !ifVersion && !form.has("metadata_title") && !form.has("metadata_short")) {
      http::Validation v;
      v.missing("name", "Nothing to update: send name (or if_version_id).");
      v.replyIfFailed(res);
      return;
    }
    Result<NodeRecord> n = name ? ctx.state.tree().rename(ws->id, nodeId, *name, ifVersion)
                                : ctx.state.nodes().checkVersion(ws->id, nodeId, ifVersion);
    if (name && n.ok()) ctx.stats.add(EmulatorStats::Counter::kStorageRenames);
    if (!n.ok() && n.error().code == ErrorCode::kConflict) {
      auto current = ctx.state.nodes().node(ws->id, nodeId);
      std::string currentVersion = current.ok() ? current->versionId : "";
      http::sendError(
          res, 409, code::kConflict, n.error().message,
          {{"params", nlohmann::json::array({{{"name", "if_version_id"},
                                              {"kind", "invalid"},
                                              {"reason", "conflict_version_mismatch"},
                                              {"current_version_id", currentVersion}}})},
           {"reason", "conflict_version_mismatch"}});
      return;
    }
    replyNode(res, n);
  });

  srv.Post(route(R"(([^/]+)/move/)"), [&ctx](const Request& req, Response& res) {
    auto ws = routes::workspaceOrReply(ctx, req, res);
    if (!ws) return;
    auto parent = requiredOrReply(req, res, "parent");
    if (!parent) return;
    auto moved = ctx.state.tree().move(ws->id, http::pathParam(req, 2), *parent);
    if (moved.ok()) ctx.stats.add(EmulatorStats::Counter::kStorageMoves);
    replyNode(res, moved);
  });

  srv.Post(route(R"(([^/]+)/copy/)"), [&ctx](const Request& req, Response& res) {
    auto ws = routes::workspaceOrReply(ctx, req, res);
    if (!ws) return;
    auto parent = requiredOrReply(req, res, "parent");
    if (!parent) return;
    replyNode(res, ctx.state.tree().copy(ws->id, http::pathParam(req, 2), *parent));
  });

  // DELETE .../storage/{node}/delete/ -> trash; .../storage/trash/delete/ -> empty the trash.
  srv.Delete(route(R"(([^/]+)/delete/)"), [&ctx](const Request& req, Response& res) {
    auto ws = routes::workspaceOrReply(ctx, req, res);
    if (!ws) return;
    std::string nodeId = http::pathParam(req, 2);
    if (nodeId == "trash") {
      auto count = ctx.state.trash().empty(ws->id);
      if (!count.ok()) {
        http::sendError(res, count.error());
        return;
      }
      http::sendOk(res, {{"count", *count}});
      return;
    }
    auto trashed = ctx.state.trash().moveToTrash(ws->id, nodeId);
    if (trashed.ok()) ctx.stats.add(EmulatorStats::Counter::kStorageDeletes);
    replyNode(res, trashed);
  });

  srv.Post(route(R"(([^/]+)/restore/)"), [&ctx](const Request& req, Response& res) {
    auto ws = routes::workspaceOrReply(ctx, req, res);
    if (!ws) return;
    replyNode(res, ctx.state.trash().restore(ws->id, http::pathParam(req, 2)));
  });

  srv.Delete(route(R"(([^/]+)/purge/)"), [&ctx](const Request& req, Response& res) {
    auto ws = routes::workspaceOrReply(ctx, req, res);
    if (!ws) return;
    auto s = ctx.state.trash().purge(ws->id, http::pathParam(req, 2));
    if (!s.ok()) {
      http::sendError(res, s.error());
      return;
    }
    http::sendOk(res);
  });

  srv.Post(route(R"(([^/]+)/restore-version/)"), [&ctx](const Request& req, Response& res) {
    auto ws = routes::workspaceOrReply(ctx, req, res);
    if (!ws) return;
    auto version = requiredOrReply(req, res, "version_id");
    if (!version) return;
    replyNode(res, ctx.state.files().restoreVersion(ws->id, http::pathParam(req, 2), *version));
  });

  // ---- locks
  srv.Post(route(R"(([^/]+)/lock/)"), [&ctx](const Request& req, Response& res) {
    auto ws = routes::workspaceOrReply(ctx, req, res);
    if (!ws) return;
    http::Form form(req);
    http::Validation v;
    bool bad = false;
    auto duration = form.getInt("duration", 60, 3600, bad);
    if (bad) v.invalid("duration", "duration must be an integer from 60 to 3600 seconds.");
    std::string clientInfo = form.getOr("client_info", "");
    if (clientInfo.size() > 4096)
      v.invalid("client_info", "client_info is longer than 4096 bytes.");
    if (!clientInfo.empty() && nlohmann::json::parse(clientInfo, nullptr, false).is_discarded()) {
      v.invalid("client_info", "client_info must be a JSON string.");
    }
    if (v.replyIfFailed(res)) return;
    auto lock = ctx.state.locks().acquire(ws->id, http::pathParam(req, 2),
                                          static_cast<int>(duration.value_or(300)), clientInfo);
    if (!lock.ok()) {
      http::sendError(res, lock.error());
      return;
    }
    http::sendOk(res, {{"lock_token", lock->token}, {"lock", http::lockToJson(*lock, true)}});
  });

  srv.Get(route(R"(([^/]+)/lock/)"), [&ctx](const Request& req, Response& res) {
    auto ws = routes::workspaceOrReply(ctx, req, res);
    if (!ws) return;
    auto lock = ctx.state.locks().status(ws->id, http::pathParam(req, 2));
    if (!lock.ok()) {
      http::sendError(res, lock.error());
      return;
    }
    http::sendOk(res,
                 {{"locked", lock->has_value()},
                  {"lock", *lock ? http::lockToJson(**lock, false) : nlohmann::json(nullptr)}});
  });

  srv.Post(route(R"(([^/]+)/lock/heartbeat/)"), [&ctx](const Request& req, Response& res) {
    auto ws = routes::workspaceOrReply(ctx, req, res);
    if (!ws) return;
    auto token = requiredOrReply(req, res, "lock_token");
    if (!token) return;
    bool bad = false;
    auto duration = http::Form(req).getInt("duration", 60, 3600, bad);
    if (bad) {
      http::Validation v;
      v.invalid("duration", "duration must be an integer from 60 to 3600 seconds.");
      v.replyIfFailed(res);
      return;
    }
    auto lock = ctx.state.locks().heartbeat(ws->id, http::pathParam(req, 2), *token,
                                            static_cast<int>(duration.value_or(0)));
    if (!lock.ok()) {
      http::sendError(res, lock.error());
      return;
    }
    http::sendOk(res, {{"lock", http::lockToJson(*lock, false)}});
  });

  srv.Delete(route(R"(([^/]+)/lock/)"), [&ctx](const Request& req, Response& res) {
    auto ws = routes::workspaceOrReply(ctx, req, res);
    if (!ws) return;
    auto token = requiredOrReply(req, res, "lock_token");
    if (!token) return;
    auto s = ctx.state.locks().release(ws->id, http::pathParam(req, 2), *token);
    if (!s.ok()) {
      http::sendError(res, s.error());
      return;
    }
    http::sendOk(res);
  });
}

RouteRegistrar registrar{"storage", registerStorageRoutes};

}  // namespace
}  // namespace fastio::emu
