// Search and AI routes: GET /workspace/{id}/storage/search/, the extracted text at
// /storage/{node}/content/ and the /ai/agent/ surface. The engines live in
// emulator/intelligence/; this file starts them and registers the routes.

#include <algorithm>

#include "emulator/EmulatorContext.h"
#include "emulator/http/ApiResponse.h"
#include "emulator/intelligence/AgentRoutes.h"
#include "emulator/intelligence/ContentRoute.h"
#include "emulator/intelligence/IntelligenceService.h"
#include "emulator/intelligence/SearchRoute.h"
#include "emulator/routes/RouteRegistry.h"

namespace fastio::emu {
namespace {

void setupIntelligence(EmulatorContext& ctx) {
  intelligence::IntelligenceOptions options;
  options.dataDir = ctx.config.dataDir;
  options.ingestDelay = ctx.config.aiDelay;
  // An agent turn takes two steps (pending -> running -> done), together about one aiDelay.
  options.agentStepDelay = std::max(std::chrono::milliseconds(5), ctx.config.aiDelay / 2);
  auto started = intelligence::IntelligenceService::start(ctx.state, ctx.activity, options);
  if (!started.ok()) {
    // Without its index the emulator still serves storage; search and AI answer 500.
    const std::string reason = "Intelligence is unavailable: " + started.error().message;
    const std::string pattern =
        std::string(kApiPrefix) + "/workspace/([^/]+)/(storage/search|ai/agent)/.*";
    const auto unavailable = [reason](const httplib::Request&, httplib::Response& res) {
      http::sendError(res, 500, 1654, reason);
    };
    ctx.server.Get(pattern, unavailable);
    ctx.server.Post(pattern, unavailable);
    ctx.server.Delete(pattern, unavailable);
    return;
  }
  std::shared_ptr<intelligence::IntelligenceService> service = std::move(started).value();
  ctx.server.Get(std::string(kApiPrefix) + "/workspace/([^/]+)/storage/search/",
                 [service](const httplib::Request& req, httplib::Response& res) {
                   intelligence::handleStorageSearch(*service, req, res);
                 });
  ctx.server.Get(std::string(kApiPrefix) + "/workspace/([^/]+)/storage/([^/]+)/content/",
                 [service](const httplib::Request& req, httplib::Response& res) {
                   intelligence::handleNodeContent(*service, req, res);
                 });
  intelligence::registerAgentRoutes(ctx, service);
  ctx.onShutdown([service] { service->stop(); });
}

const RouteRegistrar registrar{"intelligence", setupIntelligence};

}  // namespace
}  // namespace fastio::emu
