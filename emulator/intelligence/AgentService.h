#pragma once
// Threads and turns of the workspace AI agent (/ai/agent/), persisted in SQLite. A new turn is
// `pending`; a worker thread moves it to `running` after turnDelay and to a terminal state after
// another turnDelay: `complete` with an answer composed from the best passages of the search
// index (with citations), or `needs_input` when the question has nothing to search for.
// Turns left pending/running by a restart are picked up again when the service opens.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "common/Result.h"
#include "emulator/intelligence/SearchIndex.h"
#include "emulator/state/Database.h"

namespace fastio::emu::intelligence {

struct CitationEntry {
  int page = 1;
  std::string snippet;
};

struct Citation {
  std::string nodeId;
  std::string versionId;
  std::string name;  // the file name when the answer was composed (for the answer text)
  std::vector<CitationEntry> entries;
};

struct AgentTurn {
  std::string turnId;
  std::string threadId;
  std::string workspaceId;
  int64_t seq = 1;
  std::string status;  // pending | running | complete | failed | cancelled | needs_input
  std::string question;
  std::string answer;         // set in terminal states
  std::string clarification;  // needs_input: the clarifying question
  std::vector<Citation> citations;
  int64_t createdUs = 0;
  int64_t updatedUs = 0;

  bool terminal() const { return status != "pending" && status != "running"; }
};

struct AgentThread {
  std::string threadId;
  std::string workspaceId;
  std::string name;
  std::string privacy = "private";
  int64_t createdUs = 0;
  int64_t updatedUs = 0;
  int64_t deletedUs = 0;  // 0 = not deleted
  int64_t turnCount = 0;
};

struct AgentOptions {
  std::chrono::milliseconds turnDelay{150};  // per step: pending -> running -> terminal
  size_t maxPassages = 6;
  size_t maxCitedFiles = 4;
  // Passages scoring below this fraction of the best one are left out of the answer.
  double minRelativeScore = 0.35;
};

// Limits the files an answer may draw on; nullopt = the whole workspace.
using AgentScope = std::optional<std::unordered_set<std::string>>;

class AgentService {
 public:
  using ChangeListener =
      std::function<void(const std::string& workspaceId, const std::string& threadId)>;
  using IdFactory = std::function<std::string(char prefix)>;

  static Result<std::unique_ptr<AgentService>> open(const std::filesystem::path& dbFile,
                                                    SearchIndex& index, AgentOptions options,
                                                    IdFactory newId, ChangeListener onChange);
  ~AgentService();
  AgentService(const AgentService&) = delete;
  AgentService& operator=(const AgentService&) = delete;

  struct Created {
    AgentThread thread;
    AgentTurn turn;
  };
  Result<Created> createThread(const std::string& workspaceId, const std::string& question,
                               const std::string& name, const std::string& privacy,
                               const AgentScope& scope);
  Result<AgentTurn> addTurn(const std::string& workspaceId, const std::string& threadId,
                            const std::string& question, const AgentScope& scope);

  Result<AgentThread> thread(const std::string& workspaceId, const std::string& threadId);
  Result<std::vector<AgentThread>> threads(const std::string& workspaceId, bool deleted,
                                           size_t limit, size_t offset, size_t& total);
  Result<AgentTurn> turn(const std::string& workspaceId, const std::string& threadId,
                         const std::string& turnId);
  Result<std::vector<AgentTurn>> turns(const std::string& workspaceId, const std::string& threadId,
                                       size_t limit, size_t offset, size_t& total);
  Status renameThread(const std::string& workspaceId, const std::string& threadId,
                      const std::string& name);
  Status deleteThread(const std::string& workspaceId, const std::string& threadId);
  // Cancels the thread's unfinished turn; nullopt when there was none.
  Result<std::optional<AgentTurn>> cancel(const std::string& workspaceId,
                                          const std::string& threadId);

  // Stops the worker (pending turns stay pending and resume at the next open).
  void stop();

  // The answer the agent gives for a question (used by the worker; exposed for tests).
  Result<AgentTurn> composeAnswer(AgentTurn turn, const AgentScope& scope);

 private:
  AgentService(std::unique_ptr<Database> db, SearchIndex& index, AgentOptions options,
               IdFactory newId, ChangeListener onChange);
  Status createSchema();
  Status resumeUnfinished();
  Result<AgentTurn> insertTurnLocked(const std::string& threadId, const std::string& question,
                                     const AgentScope& scope);
  Result<AgentThread> threadLocked(const std::string& workspaceId, const std::string& threadId);
  Result<AgentTurn> turnLocked(const std::string& turnId);
  Result<AgentScope> scopeLocked(const std::string& turnId);
  // Moves a turn from `from` to the turn's status; false when it was no longer in `from`.
  Result<bool> transitionLocked(const AgentTurn& turn, const std::string& from);
  void schedule(const std::string& turnId, std::chrono::steady_clock::time_point due);
  void workerLoop();
  void advance(const std::string& turnId);
  void notify(const std::string& workspaceId, const std::string& threadId);

  std::mutex dbMu_;  // guards db_
  std::unique_ptr<Database> db_;
  SearchIndex& index_;
  AgentOptions options_;
  IdFactory newId_;
  ChangeListener onChange_;

  std::mutex queueMu_;
  std::condition_variable queueCv_;
  std::multimap<std::chrono::steady_clock::time_point, std::string> queue_;
  bool stopping_ = false;
  std::thread worker_;
};

// True when a question has no meaningful word to search for (e.g. "help?", "what about it").
bool questionTooVague(std::string_view question);

}  // namespace fastio::emu::intelligence
