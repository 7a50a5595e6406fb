// /user/auth/check/, /user/me/details/, /user/details/, /orgs/list/, /orgs/list/external/,
// /orgs/all/, /org/{id}/details/.

#include "emulator/ApiCodes.h"
#include "emulator/EmulatorContext.h"
#include "emulator/http/ApiResponse.h"
#include "emulator/routes/RouteHelpers.h"
#include "emulator/routes/RouteRegistry.h"

namespace fastio::emu {
namespace {

nlohmann::json userJson(const UserRecord& u) {
  return {{"id", u.id},
          {"first_name", u.firstName},
          {"last_name", u.lastName},
          {"email_address", u.email},
          {"account_type", "human"}};
}

nlohmann::json orgJson(const OrgRecord& o, bool member) {
  return {{"id", o.id},
          {"domain", o.domain},
          {"name", o.name},
          {"member", member},
          {"subscriber", true}};
}

void registerAccountRoutes(EmulatorContext& ctx) {
  ctx.server.Get("/current/user/auth/check/",
                 [&ctx](const httplib::Request&, httplib::Response& res) {
                   http::sendOk(res, {{"id", ctx.state.identity().user().id}});
                 });
  auto details = [&ctx](const httplib::Request&, httplib::Response& res) {
    http::sendOk(res, {{"user", userJson(ctx.state.identity().user())}});
  };
  ctx.server.Get("/current/user/me/details/", details);
  ctx.server.Get("/current/user/details/", details);

  auto memberOrgs = [&ctx](const httplib::Request& req, httplib::Response& res) {
    auto page = routes::offsetPageOrReply(req, res);
    if (!page) return;
    nlohmann::json orgs = nlohmann::json::array();
    if (page->offset == 0) orgs.push_back(orgJson(ctx.state.identity().org(), true));
    http::sendOk(res, {{"orgs", orgs}, {"pagination", routes::paginationJson(1, *page)}});
  };
  ctx.server.Get("/current/orgs/list/", memberOrgs);
  ctx.server.Get("/current/orgs/all/", memberOrgs);
  // The emulated user belongs to its one org, so no org is reachable only through a workspace.
  ctx.server.Get("/current/orgs/list/external/",
                 [](const httplib::Request& req, httplib::Response& res) {
                   auto page = routes::offsetPageOrReply(req, res);
                   if (!page) return;
                   http::sendOk(res, {{"orgs", nlohmann::json::array()},
                                      {"pagination", routes::paginationJson(0, *page)}});
                 });
  ctx.server.Get(R"(/current/org/([^/]+)/details/)", [&ctx](const httplib::Request& req,
                                                            httplib::Response& res) {
    OrgRecord org = ctx.state.identity().org();
    std::string id = http::pathParam(req, 1);
    if (id != org.id && id != org.domain) {
      http::sendError(res, notFound("The organization " + id.substr(0, 100) + " was not found."));
      return;
    }
    http::sendOk(res, {{"org", orgJson(org, true)}});
  });
}

RouteRegistrar registrar{"account", registerAccountRoutes};

}  // namespace
}  // namespace fastio::emu
