// GET /activity/poll/{entity}/?wait=S&lastactivity=M[&updated=1] (fastio-api.md §8.1): holds
// until the entity (a workspace id or folder_name, or the user id for upload:{id} keys) has
// activity newer than lastactivity, or `wait` seconds (at most 95) pass.

#include "emulator/ApiCodes.h"
#include "emulator/EmulatorContext.h"
#include "emulator/http/ApiResponse.h"
#include "emulator/routes/RouteRegistry.h"

namespace fastio::emu {
namespace {

constexpr int kMaxWaitSeconds = 95;

void registerActivityRoutes(EmulatorContext& ctx) {
  ctx.server.Get(R"(/current/activity/poll/([^/]+)/)", [&ctx](const httplib::Request& req,
                                                              httplib::Response& res) {
    std::string entity = http::pathParam(req, 1);
    if (entity != ctx.state.identity().user().id) {
      auto ws = ctx.state.workspaces().find(entity);
      if (!ws.ok()) {
        http::sendError(res, ws.error());
        return;
      }
      entity = ws->id;
    }
    http::Form form(req);
    http::Validation v;
    bool badWait = false;
    // Longer waits are capped, as the service does, rather than refused.
    auto wait = form.getInt("wait", 0, 1'000'000, badWait);
    if (badWait) v.invalid("wait", "wait must be a whole number of seconds (0-95).");
    std::string since = form.getOr("lastactivity", "");
    if (!since.empty() && ActivityLog::parseMarker(since) < 0) {
      v.invalid("lastactivity",
                "lastactivity must be a value returned as lastactivity or "
                "server_date.");
    }
    if (v.replyIfFailed(res)) return;
    int seconds =
        static_cast<int>(std::min<std::int64_t>(wait.value_or(kMaxWaitSeconds), kMaxWaitSeconds));
    auto result = ctx.activity.poll(entity, since, std::chrono::seconds(seconds));
    http::sendOk(res, {{"activity", result.keys}, {"lastactivity", result.lastActivity}});
  });
}

RouteRegistrar registrar{"activity", registerActivityRoutes};

}  // namespace
}  // namespace fastio::emu
