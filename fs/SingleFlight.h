#pragma once
// Collapses concurrent requests for the same key into one call: the first caller runs the
// function, the others wait for its result. Nothing is kept once the call finished (caching is
// someone else's job), so a later request runs again.

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "common/Result.h"

namespace fastio::fs {

template <typename Key, typename Value>
class SingleFlight {
 public:
  // Runs fn, or waits for the identical call already running. `shared` (if given) tells the
  // caller whether it joined another call.
  Result<Value> run(const Key& key, const std::function<Result<Value>()>& fn,
                    bool* shared = nullptr) {
    std::shared_ptr<Call> call;
    bool leader = false;
    {
      std::lock_guard lock(mu_);
      auto it = calls_.find(key);
      if (it == calls_.end()) {
        call = std::make_shared<Call>();
        calls_.emplace(key, call);
        leader = true;
      } else {
        call = it->second;
      }
    }
    if (shared) *shared = !leader;
    if (leader) {
      Result<Value> result = fn();
      {
        std::lock_guard lock(mu_);
        calls_.erase(key);
      }
      {
        std::lock_guard lock(call->mu);
        call->result.emplace(result);
      }
      call->cv.notify_all();
      return result;
    }
    std::unique_lock lock(call->mu);
    call->cv.wait(lock, [&] { return call->result.has_value(); });
    return *call->result;
  }

  // Claims key for a result that arrives later through resolve(), for a producer that makes
  // several keys in one go. False when the key is already in flight.
  bool claim(const Key& key) {
    std::lock_guard lock(mu_);
    return calls_.emplace(key, std::make_shared<Call>()).second;
  }

  // Hands the result of a claimed key to everyone waiting for it.
  void resolve(const Key& key, Result<Value> result) {
    std::shared_ptr<Call> call;
    {
      std::lock_guard lock(mu_);
      auto it = calls_.find(key);
      if (it == calls_.end()) return;
      call = std::move(it->second);
      calls_.erase(it);
    }
    {
      std::lock_guard lock(call->mu);
      call->result.emplace(std::move(result));
    }
    call->cv.notify_all();
  }

  bool inFlight(const Key& key) const {
    std::lock_guard lock(mu_);
    return calls_.count(key) != 0;
  }

 private:
  struct Call {
    std::mutex mu;
    std::condition_variable cv;
    std::optional<Result<Value>> result;
  };
  mutable std::mutex mu_;
  std::map<Key, std::shared_ptr<Call>> calls_;
};

}  // namespace fastio::fs
