#pragma once
// FaultInjectingRemoteStore: wraps any RemoteStore and makes its calls fail or slow down, as
// scripted by the test: "fail the next 3 reads with kUnavailable", a seeded random error rate,
// added latency, a read body cut off after N bytes. Thread-safe.

#include <array>
#include <cstdint>
#include <deque>
#include <mutex>
#include <random>
#include <string_view>

#include "client/testing/ForwardingRemoteStore.h"
#include "common/Clock.h"

namespace fastio::testing {

// When a scripted failure strikes: before the call (it never reached the service) or after it
// (the service applied it, but the answer was lost — the case that tests idempotent retries).
enum class FaultTiming { kBeforeCall, kAfterCall };

class FaultInjectingRemoteStore final : public ForwardingRemoteStore {
 public:
  // `clock` is used for the added latency (a FakeClock makes latency free and controllable).
  explicit FaultInjectingRemoteStore(RemoteStore& inner, uint64_t seed = 1,
                                     Clock& clock = RealClock::instance());

  // The next `count` calls of `method` fail with `code`.
  void failNext(RemoteMethod method, int count, ErrorCode code = ErrorCode::kUnavailable,
                FaultTiming timing = FaultTiming::kBeforeCall);
  void failNext(std::string_view method, int count, ErrorCode code = ErrorCode::kUnavailable,
                FaultTiming timing = FaultTiming::kBeforeCall);
  // Every call fails (before reaching the inner store) with probability `rate` in [0, 1].
  void setErrorRate(double rate, ErrorCode code = ErrorCode::kUnavailable);
  // The same, for one method only (overrides the global rate for it).
  void setErrorRate(RemoteMethod method, double rate, ErrorCode code = ErrorCode::kUnavailable);
  // Added to every call (or to one method's calls) before it reaches the inner store. A call
  // whose deadline comes first fails with kDeadline.
  void setLatency(Duration latency);
  void setLatency(RemoteMethod method, Duration latency);
  // The next `count` reads deliver at most `afterBytes` bytes to the sink, then fail with
  // `code`, like a connection reset in the middle of a body.
  void cutNextReads(int count, uint64_t afterBytes, ErrorCode code = ErrorCode::kUnavailable);
  // The next `count` uploads fail with `code` as soon as they need a byte at or past
  // `afterBytes`: their byte source fails there, like a local read error mid-upload. Chunks
  // before were acknowledged, but a source error ends the session (the store cancels it). For a
  // transfer failure that leaves the session resumable, use the inner store's own knob (e.g.
  // InMemoryRemoteStore::failChunkOnce with kUnavailable).
  void cutNextUploads(int count, uint64_t afterBytes, ErrorCode code = ErrorCode::kUnavailable);
  // Back to a transparent wrapper (counters are kept).
  void clearFaults();

  uint64_t injectedFailures() const;
  uint64_t injectedFailures(RemoteMethod method) const;

 protected:
  Status beforeCall(RemoteMethod method, const Deadline& deadline) override;
  Status afterCall(RemoteMethod method, const Deadline& deadline) override;
  ByteSink wrapSink(const ByteSink& sink) override;
  ByteSource wrapSource(const ByteSource& source) override;

 private:
  struct Scripted {
    ErrorCode code;
    FaultTiming timing;
  };
  struct MethodFaults {
    std::deque<Scripted> scripted;
    double rate = -1;  // < 0: use the global rate
    ErrorCode rateCode = ErrorCode::kUnavailable;
    Duration latency{-1};  // < 0: use the global latency
  };
  struct TransferCut {
    int remaining = 0;
    uint64_t afterBytes = 0;
    ErrorCode code = ErrorCode::kUnavailable;
  };

  Error injected(RemoteMethod method, ErrorCode code, std::string_view how);
  MethodFaults& faults(RemoteMethod method) { return perMethod_[static_cast<std::size_t>(method)]; }

  Clock& clock_;
  mutable std::mutex mu_;
  std::mt19937_64 random_;
  std::array<MethodFaults, kRemoteMethodCount> perMethod_{};
  double globalRate_ = 0;
  ErrorCode globalRateCode_ = ErrorCode::kUnavailable;
  Duration globalLatency_{0};
  TransferCut readCut_;
  TransferCut uploadCut_;
  CallCounter failures_;
};

}  // namespace fastio::testing
