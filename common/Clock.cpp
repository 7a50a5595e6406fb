#include "common/Clock.h"

#include <thread>

namespace fastio {

void RealClock::sleepFor(Duration d) { std::this_thread::sleep_for(d); }

RealClock& RealClock::instance() {
  static RealClock clock;
  return clock;
}

SteadyTime FakeClock::now() const {
  std::lock_guard lock(mu_);
  return SteadyTime{} + elapsed_;
}

std::chrono::system_clock::time_point FakeClock::wallNow() const {
  std::lock_guard lock(mu_);
  return std::chrono::system_clock::time_point{} + std::chrono::hours(24 * 365 * 56) +
         std::chrono::duration_cast<std::chrono::system_clock::duration>(elapsed_);
}

void FakeClock::sleepFor(Duration d) {
  std::unique_lock lock(mu_);
  const Duration until = elapsed_ + d;
  ++sleepers_;
  cv_.wait(lock, [&] { return elapsed_ >= until; });
  --sleepers_;
}

int FakeClock::sleepers() const {
  std::lock_guard lock(mu_);
  return sleepers_;
}

void FakeClock::advance(Duration d) {
  {
    std::lock_guard lock(mu_);
    elapsed_ += d;
  }
  cv_.notify_all();
}

}  // namespace fastio
