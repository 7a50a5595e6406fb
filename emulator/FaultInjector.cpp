#include "emulator/FaultInjector.h"

#include <chrono>

#include "emulator/ApiCodes.h"

namespace fastio::emu {

namespace {

// Advertised bucket size when no rate limit is configured (so x-ve-limit-* is always present).
constexpr int kUnlimitedMax = 100000;

long long epochSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status numberField(const nlohmann::json& patch, const char* name, double min, double max,
                   double& out) {
  if (!patch.contains(name)) return okStatus();
  const auto& v = patch.at(name);
  if (!v.is_number()) return invalidInput(std::string(name) + " must be a number");
  double d = v.get<double>();
  if (!(d >= min && d <= max)) {
    return invalidInput(std::string(name) + " must be between " + std::to_string(min) + " and " +
                        std::to_string(max));
  }
  out = d;
  return okStatus();
}

}  // namespace

nlohmann::json FaultSettings::toJson() const {
  return {{"error_rate", errorRate},     {"reset_rate", resetRate},
          {"latency_ms", latencyMs},     {"rate_limit_per_sec", rateLimitPerSec},
          {"ignore_range", ignoreRange}, {"fail_chunk_order", failChunkOrder}};
}

FaultInjector::FaultInjector() : rng_(std::random_device{}()) {}

FaultSettings FaultInjector::settings() const {
  std::lock_guard lock(mu_);
  return settings_;
}

Status FaultInjector::update(const nlohmann::json& patch) {
  if (!patch.is_object()) return invalidInput("the body must be a JSON object");
  static const char* kKnown[] = {"error_rate",         "reset_rate",   "latency_ms",
                                 "rate_limit_per_sec", "ignore_range", "fail_chunk_order"};
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    bool known = false;
    for (const char* k : kKnown) known = known || it.key() == k;
    if (!known) return invalidInput("unknown fault field: " + it.key());
  }
  FaultSettings next = settings();
  double latency = next.latencyMs;
  double rate = next.rateLimitPerSec;
  double chunk = next.failChunkOrder;
  FASTIO_TRY(numberField(patch, "error_rate", 0.0, 1.0, next.errorRate));
  FASTIO_TRY(numberField(patch, "reset_rate", 0.0, 1.0, next.resetRate));
  FASTIO_TRY(numberField(patch, "latency_ms", 0, 60000, latency));
  FASTIO_TRY(numberField(patch, "rate_limit_per_sec", 0, 1000000, rate));
  FASTIO_TRY(numberField(patch, "fail_chunk_order", 0, 100000, chunk));
  if (patch.contains("ignore_range")) {
    if (!patch.at("ignore_range").is_boolean())
      return invalidInput("ignore_range must be a boolean");
    next.ignoreRange = patch.at("ignore_range").get<bool>();
  }
  next.latencyMs = static_cast<int>(latency);
  next.rateLimitPerSec = static_cast<int>(rate);
  next.failChunkOrder = static_cast<int>(chunk);
  std::lock_guard lock(mu_);
  settings_ = next;
  windowCount_ = 0;
  windowStartSec_ = 0;
  return okStatus();
}

void FaultInjector::reset() {
  std::lock_guard lock(mu_);
  settings_ = FaultSettings{};
  windowCount_ = 0;
  windowStartSec_ = 0;
}

void FaultInjector::rollWindowLocked(long long nowSec) const {
  if (nowSec != windowStartSec_) {
    windowStartSec_ = nowSec;
    windowCount_ = 0;
  }
}

FaultDecision FaultInjector::decide() {
  std::lock_guard lock(mu_);
  FaultDecision d;
  d.latencyMs = settings_.latencyMs;
  rollWindowLocked(epochSeconds());
  if (settings_.rateLimitPerSec > 0 && windowCount_ >= settings_.rateLimitPerSec) {
    d.action = FaultDecision::Action::kRateLimited;
    return d;
  }
  ++windowCount_;
  std::uniform_real_distribution<double> dist(0.0, 1.0);
  if (settings_.resetRate > 0 && dist(rng_) < settings_.resetRate) {
    d.action = FaultDecision::Action::kReset;
  } else if (settings_.errorRate > 0 && dist(rng_) < settings_.errorRate) {
    d.action = FaultDecision::Action::kFail503;
  }
  return d;
}

RateLimitHeaders FaultInjector::rateLimitHeaders() const {
  std::lock_guard lock(mu_);
  long long now = epochSeconds();
  rollWindowLocked(now);
  RateLimitHeaders h;
  h.max = settings_.rateLimitPerSec > 0 ? settings_.rateLimitPerSec : kUnlimitedMax;
  h.avail = std::max(0, h.max - windowCount_);
  h.expiresEpochSec = now + 1;
  h.retryAfterSec = 1;
  return h;
}

bool FaultInjector::takeFailChunkOrder(int order) {
  std::lock_guard lock(mu_);
  if (settings_.failChunkOrder == 0 || settings_.failChunkOrder != order) return false;
  settings_.failChunkOrder = 0;
  return true;
}

bool FaultInjector::ignoreRange() const {
  std::lock_guard lock(mu_);
  return settings_.ignoreRange;
}

}  // namespace fastio::emu
