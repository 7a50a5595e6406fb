#pragma once
// The answers a view (.search, .ask) keeps in memory, by workspace and text. Memory stays
// bounded however many distinct texts are asked: storing an answer first drops the expired
// ones, then the oldest while more than maxHeld remain. An expired answer stays until the next
// one is stored, so it can still stand in while the server is away.

#include <algorithm>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "common/Clock.h"

namespace fastio::fs {

// Answer: any type with a `SteadyTime at`, when it was computed.
template <typename Answer>
class HeldAnswers {
 public:
  using Ptr = std::shared_ptr<const Answer>;

  HeldAnswers(const Clock& clock, Duration ttl, std::size_t maxHeld)
      : clock_(clock), ttl_(ttl), maxHeld_(maxHeld) {}

  bool fresh(const Answer& answer) const { return clock_.now() - answer.at < ttl_; }

  // The held answer, fresh or not; nullptr when there is none.
  Ptr find(const std::string& workspaceId, const std::string& text) const {
    std::lock_guard lock(mu_);
    auto it = held_.find(Key{workspaceId, text});
    return it == held_.end() ? nullptr : it->second;
  }

  // The texts of a workspace whose answer is fresh, sorted.
  std::vector<std::string> freshTexts(const std::string& workspaceId) const {
    std::vector<std::string> out;
    std::lock_guard lock(mu_);
    for (auto it = held_.lower_bound(Key{workspaceId, ""});
         it != held_.end() && it->first.first == workspaceId; ++it) {
      if (fresh(*it->second)) out.push_back(it->first.second);
    }
    return out;
  }

  void put(const std::string& workspaceId, const std::string& text, Ptr answer) {
    std::lock_guard lock(mu_);
    held_[Key{workspaceId, text}] = std::move(answer);
    std::erase_if(held_, [&](const auto& entry) { return !fresh(*entry.second); });
    while (held_.size() > maxHeld_) {
      held_.erase(std::min_element(held_.begin(), held_.end(), [](const auto& a, const auto& b) {
        return a.second->at < b.second->at;
      }));
    }
  }

  std::size_t size() const {
    std::lock_guard lock(mu_);
    return held_.size();
  }

 private:
  using Key = std::pair<std::string, std::string>;  // workspace id, text

  const Clock& clock_;
  Duration ttl_;
  std::size_t maxHeld_;
  mutable std::mutex mu_;
  std::map<Key, Ptr> held_;
};

}  // namespace fastio::fs
