#pragma once
// Self-registration of routes files. A routes .cpp declares, at namespace scope:
//
//   static fastio::emu::RouteRegistrar registrar{"upload", [](fastio::emu::EmulatorContext& ctx) {
//     ctx.server.Post(R"(/current/upload/)", [&ctx](const httplib::Request& req,
//                                                    httplib::Response& res) { ... });
//   }};
//
// EmulatorServer calls every registered function once at start-up, in name order, so adding a
// routes file needs no edit to any other file. Patterns must not overlap across files.
// Handlers may run on many threads at once.

#include <functional>
#include <map>
#include <string>

namespace fastio::emu {

struct EmulatorContext;

using RouteSetup = std::function<void(EmulatorContext&)>;

inline std::map<std::string, RouteSetup>& routeRegistry() {
  static std::map<std::string, RouteSetup> registry;  // function-local: safe static init order
  return registry;
}

struct RouteRegistrar {
  RouteRegistrar(const std::string& name, RouteSetup setup) {
    routeRegistry()[name] = std::move(setup);
  }
};

}  // namespace fastio::emu
