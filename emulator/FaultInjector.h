#pragma once
// Fault injection for tests (PRODUCT.md §4): random 503s and connection resets, latency, a rate
// limit, ignoring Range, and rejecting one chunk order once. Faults touch /current/ API requests
// only, never /_emulator/. Thread-safe.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>

#include "common/Result.h"

namespace fastio::emu {

struct FaultSettings {
  double errorRate = 0.0;    // fraction of API requests answered 503
  double resetRate = 0.0;    // fraction closed without any response
  int latencyMs = 0;         // added before every API request
  int rateLimitPerSec = 0;   // 0 = unlimited; otherwise a fixed one-second window
  bool ignoreRange = false;  // /read/ answers 200 with the whole body
  int failChunkOrder = 0;    // 0 = off; otherwise that chunk order is rejected (503) once

  nlohmann::json toJson() const;
};

// What the pre-routing step must do with one API request.
struct FaultDecision {
  enum class Action { kProceed, kFail503, kReset, kRateLimited };
  Action action = Action::kProceed;
  int latencyMs = 0;
};

// The x-ve-limit-* numbers sent with every API response.
struct RateLimitHeaders {
  int avail = 0;
  int max = 0;
  long long expiresEpochSec = 0;
  int retryAfterSec = 0;
};

class FaultInjector {
 public:
  FaultInjector();

  FaultSettings settings() const;
  // Applies the fields present in the JSON object; unknown fields or wrong types -> kInvalid.
  Status update(const nlohmann::json& patch);
  void reset();

  // Rolls the dice for one API request and counts it against the rate-limit window.
  FaultDecision decide();
  RateLimitHeaders rateLimitHeaders() const;

  // True (once) when `order` equals fail_chunk_order; the knob then clears itself.
  bool takeFailChunkOrder(int order);
  bool ignoreRange() const;

 private:
  void rollWindowLocked(long long nowSec) const;

  mutable std::mutex mu_;
  FaultSettings settings_;
  std::mt19937_64 rng_;
  mutable long long windowStartSec_ = 0;
  mutable int windowCount_ = 0;
};

}  // namespace fastio::emu
