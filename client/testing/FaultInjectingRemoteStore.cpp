#include "client/testing/FaultInjectingRemoteStore.h"

#include <algorithm>
#include <atomic>
#include <memory>

namespace fastio::testing {
namespace {

// The HTTP status a real server would have sent for the injected class, for realistic errors.
int plausibleHttpStatus(ErrorCode code) {
  switch (code) {
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kRateLimited:
      return 429;
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kDenied:
      return 403;
    case ErrorCode::kInvalid:
      return 406;
    case ErrorCode::kQuota:
      return 402;
    case ErrorCode::kTooLarge:
      return 413;
    default:
      return 0;
  }
}

}  // namespace

FaultInjectingRemoteStore::FaultInjectingRemoteStore(RemoteStore& inner, uint64_t seed,
                                                     Clock& clock)
    : ForwardingRemoteStore(inner), clock_(clock), random_(seed) {}

void FaultInjectingRemoteStore::failNext(RemoteMethod method, int count, ErrorCode code,
                                         FaultTiming timing) {
  std::lock_guard lock(mu_);
  for (int i = 0; i < count; ++i) faults(method).scripted.push_back(Scripted{code, timing});
}

void FaultInjectingRemoteStore::failNext(std::string_view method, int count, ErrorCode code,
                                         FaultTiming timing) {
  failNext(requireRemoteMethod(method), count, code, timing);
}

void FaultInjectingRemoteStore::setErrorRate(double rate, ErrorCode code) {
  std::lock_guard lock(mu_);
  globalRate_ = std::clamp(rate, 0.0, 1.0);
  globalRateCode_ = code;
}

void FaultInjectingRemoteStore::setErrorRate(RemoteMethod method, double rate, ErrorCode code) {
  std::lock_guard lock(mu_);
  faults(method).rate = std::clamp(rate, 0.0, 1.0);
  faults(method).rateCode = code;
}

void FaultInjectingRemoteStore::setLatency(Duration latency) {
  std::lock_guard lock(mu_);
  globalLatency_ = std::max(Duration::zero(), latency);
}

void FaultInjectingRemoteStore::setLatency(RemoteMethod method, Duration latency) {
  std::lock_guard lock(mu_);
  faults(method).latency = std::max(Duration::zero(), latency);
}

void FaultInjectingRemoteStore::cutNextReads(int count, uint64_t afterBytes, ErrorCode code) {
  std::lock_guard lock(mu_);
  readCut_ = TransferCut{count, afterBytes, code};
}

void FaultInjectingRemoteStore::cutNextUploads(int count, uint64_t afterBytes, ErrorCode code) {
  std::lock_guard lock(mu_);
  uploadCut_ = TransferCut{count, afterBytes, code};
}

void FaultInjectingRemoteStore::clearFaults() {
  std::lock_guard lock(mu_);
  perMethod_ = {};
  globalRate_ = 0;
  globalLatency_ = Duration::zero();
  readCut_ = TransferCut{};
  uploadCut_ = TransferCut{};
}

uint64_t FaultInjectingRemoteStore::injectedFailures() const {
  return failures_.total();
}

uint64_t FaultInjectingRemoteStore::injectedFailures(RemoteMethod method) const {
  return failures_.count(method);
}

Error FaultInjectingRemoteStore::injected(RemoteMethod method, ErrorCode code,
                                          std::string_view how) {
  failures_.record(method);
  Error error = makeError(
      code, "injected fault: " + std::string(remoteMethodName(method)) + " " + std::string(how));
  error.httpStatus = plausibleHttpStatus(code);
  return error;
}

Status FaultInjectingRemoteStore::beforeCall(RemoteMethod method, const Deadline& deadline) {
  Duration latency{0};
  {
    std::unique_lock lock(mu_);
    MethodFaults& f = faults(method);
    latency = f.latency >= Duration::zero() ? f.latency : globalLatency_;
  }
  if (latency > Duration::zero()) {
    if (latency >= deadline.remaining()) {
      clock_.sleepFor(deadline.remaining());
      return makeError(ErrorCode::kDeadline, std::string(remoteMethodName(method)) +
                                                 ": the deadline passed during injected latency");
    }
    clock_.sleepFor(latency);
  }
  std::lock_guard lock(mu_);
  MethodFaults& f = faults(method);
  if (!f.scripted.empty() && f.scripted.front().timing == FaultTiming::kBeforeCall) {
    const ErrorCode code = f.scripted.front().code;
    f.scripted.pop_front();
    return injected(method, code, "failed before reaching the service");
  }
  const double rate = f.rate >= 0 ? f.rate : globalRate_;
  const ErrorCode rateCode = f.rate >= 0 ? f.rateCode : globalRateCode_;
  if (rate > 0 && std::uniform_real_distribution<double>(0.0, 1.0)(random_) < rate) {
    return injected(method, rateCode, "failed at random");
  }
  return okStatus();
}

Status FaultInjectingRemoteStore::afterCall(RemoteMethod method, const Deadline& /*deadline*/) {
  std::lock_guard lock(mu_);
  MethodFaults& f = faults(method);
  if (!f.scripted.empty() && f.scripted.front().timing == FaultTiming::kAfterCall) {
    const ErrorCode code = f.scripted.front().code;
    f.scripted.pop_front();
    return injected(method, code, "was applied but its answer was lost");
  }
  return okStatus();
}

ByteSink FaultInjectingRemoteStore::wrapSink(const ByteSink& sink) {
  TransferCut cut;
  {
    std::lock_guard lock(mu_);
    if (readCut_.remaining <= 0) return sink;
    --readCut_.remaining;
    cut = readCut_;
  }
  auto delivered = std::make_shared<uint64_t>(0);
  return [this, sink, cut, delivered](uint64_t offset, std::string_view bytes) -> Status {
    const uint64_t room = cut.afterBytes - *delivered;
    if (bytes.size() <= room) {
      *delivered += bytes.size();
      return sink(offset, bytes);
    }
    if (room > 0) {
      *delivered += room;
      FASTIO_TRY(sink(offset, bytes.substr(0, room)));
    }
    return injected(RemoteMethod::kRead, cut.code,
                    "body cut after " + std::to_string(cut.afterBytes) + " bytes");
  };
}

ByteSource FaultInjectingRemoteStore::wrapSource(const ByteSource& source) {
  TransferCut cut;
  {
    std::lock_guard lock(mu_);
    if (uploadCut_.remaining <= 0) return source;
    --uploadCut_.remaining;
    cut = uploadCut_;
  }
  // One failure per cut upload, however many chunk reads run into the cut in parallel.
  auto failed = std::make_shared<std::atomic<bool>>(false);
  return [this, source, cut, failed](uint64_t offset, char* out,
                                     std::size_t length) -> Result<std::size_t> {
    if (offset + length <= cut.afterBytes) return source(offset, out, length);
    if (!failed->exchange(true)) {
      return injected(RemoteMethod::kUpload, cut.code,
                      "connection dropped at byte " + std::to_string(cut.afterBytes));
    }
    return makeError(cut.code, "injected fault: upload connection already dropped");
  };
}

}  // namespace fastio::testing
