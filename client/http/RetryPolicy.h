#pragma once
// When and how long to wait before trying a failed call again (docs/CLIENT.md, "Retries").
// Transient classes (unavailable, rate limited) are retried within a budget of attempts and
// total time, always bounded by the call's deadline; calls with side effects are replayed only
// when the server certainly did not act on them (429, or the request never left this host).

#include <cstdint>
#include <optional>
#include <random>
#include <string_view>

#include "client/Types.h"
#include "client/wire/HttpMessage.h"
#include "common/Clock.h"
#include "common/Deadline.h"
#include "common/Error.h"

namespace fastio::http {

// Error::remoteCode of a transport failure where the request was never sent (connect failed).
inline constexpr long long kRequestNotSent = -1;

struct RetryBudget {
  int maxAttempts = 8;  // including the first
  Duration initialBackoff = std::chrono::milliseconds(200);
  Duration maxBackoff = std::chrono::seconds(8);
  Duration maxTotal = std::chrono::seconds(180);  // from the first attempt
  Duration maxRateLimitWait = std::chrono::seconds(90);
};

enum class Replay {
  kSafe,       // idempotent: replay on any transient failure
  kNotIfSent,  // side effects: replay only when the server certainly did not act
};

// The wait a 429 (or 503) asks for: Retry-After (seconds or a date), else x-ve-limit-expires /
// X-Rate-Limit-Expiry (epoch seconds, a small number of seconds, or "YYYY-MM-DD HH:MM:SS UTC").
std::optional<Duration> advertisedWait(const HttpResponse& response, WallTime now);

// Full-jitter exponential backoff: uniform in [0, min(maxBackoff, initial * 2^retry)].
Duration jitteredBackoff(int retry, const RetryBudget& budget, std::mt19937_64& rng);

// Tracks one call's attempts. nextDelay says how long to sleep before the next attempt, or
// nullopt to give up (then `error` is the final answer; giveUpReason says why, for messages).
class RetryState {
 public:
  RetryState(const RetryBudget& budget, const Clock& clock, Deadline deadline, Replay replay);

  std::optional<Duration> nextDelay(const Error& error, const HttpResponse* response);
  int attempts() const { return attempts_; }

 private:
  RetryBudget budget_;
  const Clock& clock_;
  Deadline deadline_;
  Replay replay_;
  SteadyTime started_;
  int attempts_ = 1;
  // Seeded on the first retry: nearly every call succeeds at once, and seeding costs more
  // than the rest of the bookkeeping.
  std::optional<std::mt19937_64> rng_;
  std::mt19937_64& rng();
};

}  // namespace fastio::http
