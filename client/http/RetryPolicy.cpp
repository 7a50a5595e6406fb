#include "client/http/RetryPolicy.h"

#include <algorithm>
#include <atomic>
#include <charconv>

#include "client/wire/Timestamps.h"

namespace fastio::http {
namespace {

std::optional<Duration> untilTime(std::string_view text, WallTime now) {
  std::string_view t = text;
  while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  if (t.empty()) return std::nullopt;
  bool digits = std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (digits && t.size() <= 15) {
    long long v = 0;
    std::from_chars(t.data(), t.data() + t.size(), v);
    // Small numbers are a delay in seconds; large ones an epoch time.
    if (v < 1000000000LL) return std::chrono::seconds(v);
  }
  std::optional<WallTime> at = parseTimestamp(t);
  if (!at) return std::nullopt;
  if (*at <= now) return Duration::zero();
  return std::chrono::duration_cast<Duration>(*at - now);
}

}  // namespace

std::optional<Duration> advertisedWait(const HttpResponse& response, WallTime now) {
  if (auto ra = response.header("retry-after")) {
    if (auto d = untilTime(*ra, now)) return d;
  }
  for (const char* name : {"x-ve-limit-expires", "x-rate-limit-expiry", "x-ratelimit-reset"}) {
    if (auto v = response.header(name)) {
      if (auto d = untilTime(*v, now)) return d;
    }
  }
  return std::nullopt;
}

Duration jitteredBackoff(int retry, const RetryBudget& budget, std::mt19937_64& rng) {
  const int shift = std::clamp(retry, 0, 30);
  const auto base = budget.initialBackoff.count();
  long double ceiling = static_cast<long double>(base) * static_cast<long double>(1LL << shift);
  ceiling = std::min<long double>(ceiling, static_cast<long double>(budget.maxBackoff.count()));
  std::uniform_int_distribution<Duration::rep> dist(0, static_cast<Duration::rep>(ceiling));
  return Duration(dist(rng));
}

RetryState::RetryState(const RetryBudget& budget, const Clock& clock, Deadline deadline,
                       Replay replay)
    : budget_(budget), clock_(clock), deadline_(deadline), replay_(replay), started_(clock.now()) {}

std::mt19937_64& RetryState::rng() {
  if (!rng_) {
    static const uint64_t processSeed = [] {
      std::random_device rd;
      return (static_cast<uint64_t>(rd()) << 32) ^ rd();
    }();
    static std::atomic<uint64_t> counter{0};
    rng_.emplace(processSeed ^ (counter.fetch_add(1) * 0x9e3779b97f4a7c15ull) ^
                 static_cast<uint64_t>(clock_.now().time_since_epoch().count()));
  }
  return *rng_;
}

std::optional<Duration> RetryState::nextDelay(const Error& error, const HttpResponse* response) {
  if (!error.isRetryable()) return std::nullopt;
  const bool rateLimited = error.code == ErrorCode::kRateLimited;
  if (replay_ == Replay::kNotIfSent && !rateLimited && error.remoteCode != kRequestNotSent) {
    return std::nullopt;
  }
  if (attempts_ >= budget_.maxAttempts) return std::nullopt;

  Duration delay = jitteredBackoff(attempts_ - 1, budget_, rng());
  if (response != nullptr) {
    if (auto wait = advertisedWait(*response, clock_.wallNow())) {
      if (*wait > budget_.maxRateLimitWait) return std::nullopt;
      // A little jitter on top so clients released together do not collide again.
      delay = *wait + jitteredBackoff(0, budget_, rng()) / 2;
    } else if (rateLimited) {
      delay = std::max<Duration>(delay, std::chrono::seconds(1));
    }
  }
  const Duration spent = clock_.now() - started_;
  if (spent + delay > budget_.maxTotal) return std::nullopt;
  if (deadline_.remaining() <= delay) return std::nullopt;
  ++attempts_;
  return delay;
}

}  // namespace fastio::http
