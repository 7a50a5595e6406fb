// /workspaces/all/, /org/{id}/list/workspaces/, /workspace/{id|folder_name}/details/,
// /org/{id}/create/workspace/, /workspaces/check/name/{name}/.

#include "common/NameRules.h"
#include "emulator/ApiCodes.h"
#include "emulator/EmulatorContext.h"
#include "emulator/http/ApiResponse.h"
#include "emulator/http/NodeJson.h"
#include "emulator/routes/RouteHelpers.h"
#include "emulator/routes/RouteRegistry.h"

namespace fastio::emu {
namespace {

const char* const kPermJoin[] = {"Member or above", "Admin or above", "Only Org Owners"};
const char* const kPermManage[] = {"Member or above", "Admin or above"};

template <std::size_t N>
bool oneOf(const std::string& v, const char* const (&allowed)[N]) {
  for (const char* a : allowed) {
    if (v == a) return true;
  }
  return false;
}

void sendWorkspaces(const std::vector<WorkspaceRecord>& all, const httplib::Request& req,
                    httplib::Response& res) {
  auto page = routes::offsetPageOrReply(req, res);
  if (!page) return;
  nlohmann::json list = nlohmann::json::array();
  for (std::size_t i = page->offset; i < all.size() && list.size() < std::size_t(page->limit);
       ++i) {
    list.push_back(http::workspaceToJson(all[i]));
  }
  http::sendOk(res,
               {{"workspaces", list}, {"pagination", routes::paginationJson(all.size(), *page)}});
}

bool orgOrReply(EmulatorContext& ctx, const std::string& id, httplib::Response& res) {
  OrgRecord org = ctx.state.identity().org();
  if (id == org.id || id == org.domain) return true;
  http::sendError(res, notFound("The organization " + id.substr(0, 100) + " was not found."));
  return false;
}

void registerWorkspaceRoutes(EmulatorContext& ctx) {
  ctx.server.Get("/current/workspaces/all/",
                 [&ctx](const httplib::Request& req, httplib::Response& res) {
                   sendWorkspaces(ctx.state.workspaces().list(), req, res);
                 });

  ctx.server.Get(R"(/current/org/([^/]+)/list/workspaces/)",
                 [&ctx](const httplib::Request& req, httplib::Response& res) {
                   if (!orgOrReply(ctx, http::pathParam(req, 1), res)) return;
                   sendWorkspaces(ctx.state.workspaces().list(), req, res);
                 });

  ctx.server.Get(R"(/current/workspace/([^/]+)/details/)",
                 [&ctx](const httplib::Request& req, httplib::Response& res) {
                   auto ws = routes::workspaceOrReply(ctx, req, res);
                   if (!ws) return;
                   http::sendOk(res, {{"workspace", http::workspaceToJson(*ws)}});
                 });

  ctx.server.Get(R"(/current/workspaces/check/name/([^/]+)/)",
                 [&ctx](const httplib::Request& req, httplib::Response& res) {
                   std::string name = http::pathParam(req, 1);
                   if (auto problem = names::workspaceFolderNameProblem(name)) {
                     http::Validation v;
                     v.invalid("name", problem->reason);
                     v.replyIfFailed(res);
                     return;
                   }
                   http::sendOk(res, {{"available", !ctx.state.workspaces().find(name).ok()}});
                 });

  ctx.server.Post(R"(/current/org/([^/]+)/create/workspace/)", [&ctx](const httplib::Request& req,
                                                                      httplib::Response& res) {
    if (!orgOrReply(ctx, http::pathParam(req, 1), res)) return;
    http::Form form(req);
    http::Validation v;
    NewWorkspace spec;
    spec.orgId = ctx.state.identity().org().id;
    auto folderName = form.get("folder_name");
    auto name = form.get("name");
    auto permJoin = form.get("perm_join");
    auto permManage = form.get("perm_member_manage");
    if (!folderName) {
      v.missing("folder_name");
    } else if (auto p = names::workspaceFolderNameProblem(*folderName)) {
      v.invalid("folder_name", p->reason);
    }
    if (!name) {
      v.missing("name");
    } else if (auto p = names::workspaceNameProblem(*name)) {
      v.invalid("name", p->reason);
    }
    if (!permJoin) {
      v.missing("perm_join");
    } else if (!oneOf(*permJoin, kPermJoin)) {
      v.invalid("perm_join",
                "perm_join must be 'Member or above', 'Admin or above' or 'Only Org Owners'.");
    }
    if (!permManage) {
      v.missing("perm_member_manage");
    } else if (!oneOf(*permManage, kPermManage)) {
      v.invalid("perm_member_manage",
                "perm_member_manage must be 'Member or above' or 'Admin or above'.");
    }
    bool badBool = false;
    auto intelligence = form.getBool("intelligence", badBool);
    if (badBool) v.invalid("intelligence", "intelligence must be true or false.");
    auto description = form.get("description");
    if (description && (description->size() < 10 || description->size() > 1000)) {
      v.invalid("description", "description must be 10 to 1000 characters.");
    }
    if (v.replyIfFailed(res)) return;
    spec.folderName = *folderName;
    spec.name = *name;
    spec.permJoin = *permJoin;
    spec.permMemberManage = *permManage;
    spec.intelligence = intelligence.value_or(true);  // the plan has the AI features
    spec.description = description.value_or("");
    auto ws = ctx.state.workspaces().create(spec);
    if (!ws.ok()) {
      if (ws.error().code == ErrorCode::kExists) {
        http::Validation taken;
        taken.invalid("folder_name", ws.error().message);
        taken.replyIfFailed(res);
      } else {
        http::sendError(res, ws.error());
      }
      return;
    }
    http::sendOk(res, {{"id", ws->id}, {"workspace", http::workspaceToJson(*ws)}});
  });
}

RouteRegistrar registrar{"workspace", registerWorkspaceRoutes};

}  // namespace
}  // namespace fastio::emu
