#pragma once
// A point in time by which a call must finish. Every RemoteStore call takes one.

#include <algorithm>
#include <chrono>

#include "common/Clock.h"

namespace fastio {

class Deadline {
 public:
  static Deadline after(Duration d, const Clock& clock = RealClock::instance()) {
    return Deadline(clock.now() + d, &clock);
  }
  static Deadline never() { return Deadline(SteadyTime::max(), &RealClock::instance()); }

  bool expired() const { return at_ != SteadyTime::max() && clock_->now() >= at_; }
  // Time left, never negative; Duration::max() for never().
  Duration remaining() const {
    if (at_ == SteadyTime::max()) return Duration::max();
    return std::max(Duration::zero(), at_ - clock_->now());
  }
  long long remainingMillis() const {
    if (at_ == SteadyTime::max()) return -1;
    return std::chrono::duration_cast<Millis>(remaining()).count();
  }
  SteadyTime at() const { return at_; }
  // The earlier of this deadline and now + d.
  Deadline capped(Duration d) const {
    SteadyTime other = clock_->now() + d;
    return Deadline(std::min(at_, other), clock_);
  }

 private:
  Deadline(SteadyTime at, const Clock* clock) : at_(at), clock_(clock) {}
  SteadyTime at_;
  const Clock* clock_;
};

}  // namespace fastio
