#pragma once
// What SearchView and AskView share: the services a computation uses, the answers held in
// memory (fs/HeldAnswers.h, at most kMaxHeldAnswers), and one computation per (workspace, text)
// however many readers ask at the same time.

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "client/RemoteStore.h"
#include "common/Clock.h"
#include "fs/FsCounters.h"
#include "fs/HeldAnswers.h"
#include "fs/MetadataBackup.h"
#include "fs/PathResolver.h"
#include "fs/SingleFlight.h"

namespace fastio::fs {

// Answers each view keeps in memory, across workspaces.
inline constexpr std::size_t kMaxHeldAnswers = 128;

// Answer: a type with `SteadyTime at` and `WallTime wallAt`, stamped when it is held.
template <typename Answer>
class AnswerView {
 public:
  using AnswerPtr = std::shared_ptr<const Answer>;

  AnswerView(RemoteStore& remote, PathResolver& paths, const Clock& clock, Duration ttl,
             Duration timeout, FsCounters& counters, MetadataBackup* backup)
      : remote_(remote),
        paths_(paths),
        clock_(clock),
        ttl_(ttl),
        timeout_(timeout),
        counters_(counters),
        backup_(backup),
        held_(clock, ttl, kMaxHeldAnswers) {}

  // The held answer, fresh or not; nullptr when there is none.
  AnswerPtr peek(const std::string& workspaceId, const std::string& text) const {
    return held_.find(workspaceId, text);
  }

 protected:
  // The fresh held answer, or what `compute` returns, run once for everyone asking meanwhile.
  Result<AnswerPtr> freshOr(const std::string& workspaceId, const std::string& text,
                            const std::function<Result<AnswerPtr>()>& compute) {
    if (auto held = peek(workspaceId, text); held && held_.fresh(*held)) return held;
    return flights_.run(workspaceId + "/" + text, compute);
  }

  AnswerPtr hold(const std::string& workspaceId, const std::string& text, Answer answer) {
    answer.at = clock_.now();
    answer.wallAt = clock_.wallNow();
    AnswerPtr ptr = std::make_shared<const Answer>(std::move(answer));
    held_.put(workspaceId, text, ptr);
    return ptr;
  }

  Deadline remoteDeadline() const { return Deadline::after(timeout_, clock_); }

  RemoteStore& remote_;
  PathResolver& paths_;
  const Clock& clock_;
  Duration ttl_;
  Duration timeout_;
  FsCounters& counters_;
  MetadataBackup* backup_;
  HeldAnswers<Answer> held_;

 private:
  SingleFlight<std::string, AnswerPtr> flights_;
};

}  // namespace fastio::fs
