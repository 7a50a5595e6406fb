#pragma once
// Time sources. Code that waits or expires things takes a Clock& so tests can use FakeClock.

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace fastio {

using SteadyTime = std::chrono::steady_clock::time_point;
using Duration = std::chrono::steady_clock::duration;
using Millis = std::chrono::milliseconds;
using Seconds = std::chrono::seconds;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual SteadyTime now() const = 0;
  // Wall-clock seconds since the epoch (for mtimes and remote timestamps).
  virtual std::chrono::system_clock::time_point wallNow() const = 0;
  virtual void sleepFor(Duration d) = 0;
};

class RealClock final : public Clock {
 public:
  SteadyTime now() const override { return std::chrono::steady_clock::now(); }
  std::chrono::system_clock::time_point wallNow() const override {
    return std::chrono::system_clock::now();
  }
  void sleepFor(Duration d) override;
  static RealClock& instance();
};

// A clock that moves only when the test advances it; sleepers wake when time passes them.
class FakeClock final : public Clock {
 public:
  SteadyTime now() const override;
  std::chrono::system_clock::time_point wallNow() const override;
  void sleepFor(Duration d) override;
  void advance(Duration d);
  // Threads currently blocked in sleepFor (lets tests advance only once a sleeper is waiting).
  int sleepers() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  // Not zero: SteadyTime{} means "never" in places, as it never is for a real steady clock.
  Duration elapsed_{std::chrono::hours(1)};
  int sleepers_ = 0;
};

}  // namespace fastio
