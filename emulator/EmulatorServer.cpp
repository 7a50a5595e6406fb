#include "emulator/EmulatorServer.h"

#include <sys/socket.h>

#include <cstdlib>
#include <thread>

#include "common/Log.h"
#include "emulator/ApiCodes.h"
#include "emulator/http/ApiResponse.h"
#include "emulator/http/ConnectionReset.h"
#include "emulator/routes/RouteRegistry.h"

namespace fastio::emu {

namespace {

ActivityLog* gActivity = nullptr;  // server_date source (one server per process)

std::string serverDateNow() {
  return gActivity != nullptr ? gActivity->now() : std::string();
}

bool startsWith(const std::string& s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

bool isApiPath(const std::string& path) {
  return path == kApiPrefix || startsWith(path, std::string(kApiPrefix) + "/");
}

void addRateHeaders(httplib::Response& res, const RateLimitHeaders& h) {
  res.set_header("x-ve-limit-avail", std::to_string(h.avail));
  res.set_header("x-ve-limit-max", std::to_string(h.max));
  res.set_header("x-ve-limit-expires", std::to_string(h.expiresEpochSec));
}

}  // namespace

bool HttpServer::widenBacklog(int backlog) {
  socket_t sock = svr_sock_;
  return sock != INVALID_SOCKET && ::listen(sock, backlog) == 0;
}

EmulatorServer::EmulatorServer(EmulatorConfig config) : config_(std::move(config)) {}

EmulatorServer::~EmulatorServer() {
  runShutdownCallbacks();
}

Result<std::unique_ptr<EmulatorServer>> EmulatorServer::create(EmulatorConfig config) {
  std::unique_ptr<EmulatorServer> server(new EmulatorServer(std::move(config)));
  FASTIO_TRY_ASSIGN(auto state,
                    State::open(server->config_.dataDir, server->activity_, server->hooks_));
  server->state_ = std::move(state);
  server->state_->tokens().setStatic(server->config_.token);
  gActivity = &server->activity_;
  http::setServerDateSource(&serverDateNow);
  server->context_.reset(new EmulatorContext{
      server->server_, *server->state_, server->activity_, server->config_, server->faults_,
      server->auth_, server->stats_, [s = server.get()](std::function<void()> cb) {
        std::lock_guard lock(s->shutdownMu_);
        s->shutdownCallbacks_.push_back(std::move(cb));
      }});
  server->configureServer();
  for (auto& [name, setup] : routeRegistry()) {
    FASTIO_LOG_DEBUG("registering routes: {}", name);
    setup(*server->context_);
  }
  return server;
}

void EmulatorServer::configureServer() {
  const int threads = std::max(8, config_.threads);
  server_.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server_.set_keep_alive_max_count(100000);
  server_.set_keep_alive_timeout(10);
  server_.set_read_timeout(60);
  server_.set_write_timeout(60);
  server_.set_payload_max_length(config_.maxUploadBodyBytes);
  server_.set_tcp_nodelay(true);
  // httplib's default turns on SO_REUSEPORT, which lets a second emulator bind the same port and
  // receive a random share of the requests; SO_REUSEADDR alone keeps restarts quick.
  server_.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });

  server_.set_pre_routing_handler(
      [this](const httplib::Request& req, httplib::Response& res) { return preRoute(req, res); });

  server_.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request& req,
                                                                    httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    switch (res.status) {
      case 404:
        http::sendError(res, 404, code::kUnknownRoute,
                        "Unknown route: " + req.method + " " + req.path.substr(0, 200));
        break;
      case 413:
        http::sendError(res, 413, code::kTooLarge, "The request body is too large.");
        break;
      case 416:
        http::sendError(res, 416, code::kInvalidInput, "The Range header is not satisfiable.");
        break;
      default:
        http::sendError(res, res.status, res.status >= 500 ? code::kInternal : code::kInvalidInput,
                        (res.status >= 500 ? std::string("Internal error")
                                           : std::string("The request is not valid")) +
                            " (HTTP " + std::to_string(res.status) + ").");
        break;
    }
    return httplib::Server::HandlerResponse::Handled;
  }));

  server_.set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown exception";
        try {
          if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        FASTIO_LOG_ERROR("handler failed on {} {}: {}", req.method, req.path, what);
        http::sendError(res, 500, code::kInternal, "Internal error.");
      });

  // Fault, reset and stats control lives outside /current/ and is never itself faulted, rate
  // limited or counted.
  server_.Get("/_emulator/faults", [this](const httplib::Request&, httplib::Response& res) {
    http::sendOk(res, {{"faults", faults_.settings().toJson()}});
  });
  server_.Post("/_emulator/faults", [this](const httplib::Request& req, httplib::Response& res) {
    auto body = nlohmann::json::parse(req.body, nullptr, false);
    if (body.is_discarded()) {
      http::sendError(res, 406, code::kInvalidInput, "The body must be a JSON object.");
      return;
    }
    if (auto s = faults_.update(body); !s.ok()) {
      http::sendError(res, s.error());
      return;
    }
    http::sendOk(res, {{"faults", faults_.settings().toJson()}});
  });
  server_.Post("/_emulator/reset", [this](const httplib::Request&, httplib::Response& res) {
    faults_.reset();
    http::sendOk(res, {{"faults", faults_.settings().toJson()}});
  });
  server_.Get("/_emulator/stats", [this](const httplib::Request&, httplib::Response& res) {
    http::sendOk(res, {{"stats", stats_.toJson()}});
  });
  server_.Post("/_emulator/stats/reset", [this](const httplib::Request&, httplib::Response& res) {
    stats_.reset();
    http::sendOk(res, {{"stats", stats_.toJson()}});
  });
}

httplib::Server::HandlerResponse EmulatorServer::preRoute(const httplib::Request& req,
                                                          httplib::Response& res) {
  using HR = httplib::Server::HandlerResponse;
  http::beginRequest(activity_.now());
  // HTTP/1.1: a request with neither Content-Length nor Transfer-Encoding has no body, but
  // httplib would read one until the connection closes (a stall of the whole read timeout).
  // This step runs before the body is read, so saying so here makes such a request empty.
  if (req.method != "GET" && req.method != "HEAD" && !req.has_header("Content-Length") &&
      !req.has_header("Transfer-Encoding")) {
    const_cast<httplib::Request&>(req).set_header("Content-Length", "0");
  }
  if (!isApiPath(req.path)) return HR::Unhandled;
  stats_.add(EmulatorStats::Counter::kRequestsTotal);

  // Refuse oversized bodies before reading them.
  std::size_t limit = startsWith(req.path, std::string(kApiPrefix) + "/upload/")
                          ? config_.maxUploadBodyBytes
                          : config_.maxFormBodyBytes;
  if (req.has_header("Content-Length")) {
    auto declared = std::strtoull(req.get_header_value("Content-Length").c_str(), nullptr, 10);
    if (declared > limit) {
      http::sendError(res, 413, code::kTooLarge,
                      "The request body is larger than " + std::to_string(limit) + " bytes.");
      res.set_header("Connection", "close");
      return HR::Handled;
    }
  }

  FaultDecision fault = faults_.decide();
  if (fault.latencyMs > 0) std::this_thread::sleep_for(std::chrono::milliseconds(fault.latencyMs));
  RateLimitHeaders limits = faults_.rateLimitHeaders();
  addRateHeaders(res, limits);
  switch (fault.action) {
    case FaultDecision::Action::kRateLimited:
      res.set_header("Retry-After", std::to_string(limits.retryAfterSec));
      http::sendError(res, 429, code::kRateLimited, "Rate limit exceeded; retry after the reset.");
      return HR::Handled;
    case FaultDecision::Action::kReset:
      if (http::resetConnection(req)) {
        res.status = 503;
        return HR::Handled;
      }
      [[fallthrough]];  // no socket found: degrade to a 503
    case FaultDecision::Action::kFail503:
      http::sendError(res, 503, code::kUnavailable, "Service temporarily unavailable (injected).");
      return HR::Handled;
    case FaultDecision::Action::kProceed:
      break;
  }

  if (!auth_.isAnonymousAllowed(req) && !state_->tokens().isValid(http::bearerToken(req))) {
    res.set_header("WWW-Authenticate", "Bearer");
    http::sendError(res, 401, code::kUnauthorized,
                    "The access token is missing, invalid or expired.");
    return HR::Handled;
  }
  return HR::Unhandled;
}

Result<int> EmulatorServer::bind() {
  int port = 0;
  if (config_.port == 0) {
    port = server_.bind_to_any_port(config_.host);
  } else {
    port = server_.bind_to_port(config_.host, config_.port) ? config_.port : -1;
  }
  if (port <= 0) {
    return makeError(ErrorCode::kUnavailable,
                     "cannot listen on " + config_.host + ":" + std::to_string(config_.port));
  }
  if (!server_.widenBacklog(1024)) FASTIO_LOG_WARN("could not widen the listen backlog");
  return port;
}

void EmulatorServer::run() {
  server_.listen_after_bind();
  runShutdownCallbacks();
}

void EmulatorServer::stop() {
  activity_.shutdown();  // long-polls return first, so the worker pool can drain
  server_.stop();
}

void EmulatorServer::runShutdownCallbacks() {
  std::vector<std::function<void()>> callbacks;
  {
    std::lock_guard lock(shutdownMu_);
    if (shutdownDone_) return;
    shutdownDone_ = true;
    callbacks.swap(shutdownCallbacks_);
  }
  activity_.shutdown();
  for (auto it = callbacks.rbegin(); it != callbacks.rend(); ++it) (*it)();
}

}  // namespace fastio::emu
