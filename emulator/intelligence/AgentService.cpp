#include "emulator/intelligence/AgentService.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "common/Utf8.h"
#include "emulator/intelligence/TextUtil.h"

namespace fastio::emu::intelligence {
namespace {

constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS threads(
  thread_id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  name TEXT NOT NULL,
  privacy TEXT NOT NULL,
  created_us INTEGER NOT NULL,
  updated_us INTEGER NOT NULL,
  deleted_us INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS threads_by_workspace ON threads(workspace_id, created_us);
CREATE TABLE IF NOT EXISTS turns(
  turn_id TEXT PRIMARY KEY,
  thread_id TEXT NOT NULL REFERENCES threads(thread_id),
  seq INTEGER NOT NULL,
  question TEXT NOT NULL,
  status TEXT NOT NULL,
  answer TEXT NOT NULL DEFAULT '',
  clarification TEXT NOT NULL DEFAULT '',
  citations TEXT NOT NULL DEFAULT '[]',
  scoped INTEGER NOT NULL DEFAULT 0,
  scope TEXT NOT NULL DEFAULT '',
  created_us INTEGER NOT NULL,
  updated_us INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS turns_by_thread ON turns(thread_id, seq);
CREATE INDEX IF NOT EXISTS turns_unfinished ON turns(status);
)sql";

constexpr std::string_view kTurnColumns =
    "t.turn_id, t.thread_id, h.workspace_id, t.seq, t.status, t.question, t.answer, "
    "t.clarification, t.citations, t.created_us, t.updated_us";
constexpr std::string_view kThreadColumns =
    "h.thread_id, h.workspace_id, h.name, h.privacy, h.created_us, h.updated_us, h.deleted_us, "
    "(SELECT COUNT(*) FROM turns t WHERE t.thread_id = h.thread_id)";

int64_t wallMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Error notFound(const std::string& what) {
  return Error{ErrorCode::kNotFound, what + " was not found.", 404, 1609};
}

nlohmann::json citationsToJson(const std::vector<Citation>& citations) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& c : citations) {
    nlohmann::json entries = nlohmann::json::array();
    for (const auto& e : c.entries) entries.push_back({{"page", e.page}, {"snippet", e.snippet}});
    out.push_back(
        {{"nodeId", c.nodeId}, {"versionId", c.versionId}, {"name", c.name}, {"entries", entries}});
  }
  return out;
}

std::vector<Citation> citationsFromJson(const std::string& text) {
  std::vector<Citation> out;
  const auto parsed = nlohmann::json::parse(text, nullptr, false);
  if (!parsed.is_array()) return out;
  for (const auto& c : parsed) {
    Citation citation;
    citation.nodeId = c.value("nodeId", "");
    citation.versionId = c.value("versionId", "");
    citation.name = c.value("name", "");
    if (c.contains("entries") && c["entries"].is_array()) {
      for (const auto& e : c["entries"]) {
        citation.entries.push_back({e.value("page", 1), e.value("snippet", "")});
      }
    }
    out.push_back(std::move(citation));
  }
  return out;
}

AgentTurn readTurn(const Statement& st) {
  AgentTurn t;
  t.turnId = st.text(0);
  t.threadId = st.text(1);
  t.workspaceId = st.text(2);
  t.seq = st.integer(3);
  t.status = st.text(4);
  t.question = st.text(5);
  t.answer = st.text(6);
  t.clarification = st.text(7);
  t.citations = citationsFromJson(st.text(8));
  t.createdUs = st.integer(9);
  t.updatedUs = st.integer(10);
  return t;
}

AgentThread readThread(const Statement& st) {
  AgentThread t;
  t.threadId = st.text(0);
  t.workspaceId = st.text(1);
  t.name = st.text(2);
  t.privacy = st.text(3);
  t.createdUs = st.integer(4);
  t.updatedUs = st.integer(5);
  t.deletedUs = st.integer(6);
  t.turnCount = st.integer(7);
  return t;
}

std::string joinScope(const AgentScope& scope) {
  std::string out;
  if (!scope) return out;
  std::vector<std::string> ids(scope->begin(), scope->end());
  std::sort(ids.begin(), ids.end());
  for (const auto& id : ids) {
    if (!out.empty()) out.push_back(',');
    out += id;
  }
  return out;
}

std::string defaultThreadName(const std::string& question) {
  std::string name = collapseWhitespace(question);
  if (name.size() > 60) name = std::string(utf8::prefix(name, 60)) + "\xE2\x80\xA6";
  return name;
}

}  // namespace

bool questionTooVague(std::string_view question) {
  static const std::unordered_set<std::string_view> kVague = {
      "help",        "hello",    "hey",   "thanks", "thank",    "something",
      "anything",    "stuff",    "thing", "things", "more",     "info",
      "information", "question", "okay",  "yes",    "again",    "else",
      "everything",  "whatever", "file",  "files",  "document", "documents"};
  for (const auto& word : splitWords(question)) {
    if (word.size() >= 3 && !isStopword(word) && !kVague.contains(word)) return false;
  }
  return true;
}

Result<std::unique_ptr<AgentService>> AgentService::open(const std::filesystem::path& dbFile,
                                                         SearchIndex& index, AgentOptions options,
                                                         IdFactory newId, ChangeListener onChange) {
  FASTIO_TRY_ASSIGN(auto db, Database::open(dbFile, Database::Sync::kNormal));
  std::unique_ptr<AgentService> service(
      new AgentService(std::move(db), index, options, std::move(newId), std::move(onChange)));
  FASTIO_TRY(service->createSchema());
  FASTIO_TRY(service->resumeUnfinished());
  return service;
}

AgentService::AgentService(std::unique_ptr<Database> db, SearchIndex& index, AgentOptions options,
                           IdFactory newId, ChangeListener onChange)
    : db_(std::move(db)),
      index_(index),
      options_(options),
      newId_(std::move(newId)),
      onChange_(std::move(onChange)),
      worker_([this] { workerLoop(); }) {}

AgentService::~AgentService() {
  stop();
}

void AgentService::stop() {
  {
    std::lock_guard lock(queueMu_);
    stopping_ = true;
  }
  queueCv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

Status AgentService::createSchema() {
  std::lock_guard lock(dbMu_);
  return db_->exec(kSchema);
}

Status AgentService::resumeUnfinished() {
  std::vector<std::string> unfinished;
  {
    std::lock_guard lock(dbMu_);
    // A turn that was running when the process stopped starts over.
    FASTIO_TRY(db_->exec("UPDATE turns SET status = 'pending' WHERE status = 'running'"));
    FASTIO_TRY_ASSIGN(
        auto st,
        db_->prepare("SELECT turn_id FROM turns WHERE status = 'pending' ORDER BY created_us"));
    for (;;) {
      FASTIO_TRY_ASSIGN(auto row, st.step());
      if (!row) break;
      unfinished.push_back(st.text(0));
    }
  }
  for (const auto& id : unfinished) {
    schedule(id, std::chrono::steady_clock::now() + options_.turnDelay);
  }
  return okStatus();
}

Result<AgentService::Created> AgentService::createThread(const std::string& workspaceId,
                                                         const std::string& question,
                                                         const std::string& name,
                                                         const std::string& privacy,
                                                         const AgentScope& scope) {
  Created created;
  {
    std::lock_guard lock(dbMu_);
    Transaction txn(*db_);
    FASTIO_TRY(txn.begin());
    const std::string threadId = newId_('c');
    const int64_t now = wallMicros();
    FASTIO_TRY_ASSIGN(
        auto st,
        db_->prepare(
            "INSERT INTO threads(thread_id, workspace_id, name, privacy, created_us, updated_us) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?5)"));
    FASTIO_TRY(st.bind(1, threadId)
                   .bind(2, workspaceId)
                   .bind(3, name.empty() ? defaultThreadName(question) : name)
                   .bind(4, privacy.empty() ? std::string("private") : privacy)
                   .bind(5, now)
                   .run());
    FASTIO_TRY_ASSIGN(auto turn, insertTurnLocked(threadId, question, scope));
    FASTIO_TRY(txn.commit());
    created.turn = std::move(turn);
    FASTIO_TRY_ASSIGN(auto thread, threadLocked(workspaceId, threadId));
    created.thread = std::move(thread);
  }
  schedule(created.turn.turnId, std::chrono::steady_clock::now() + options_.turnDelay);
  notify(workspaceId, created.thread.threadId);
  return created;
}

Result<AgentTurn> AgentService::addTurn(const std::string& workspaceId, const std::string& threadId,
                                        const std::string& question, const AgentScope& scope) {
  AgentTurn turn;
  {
    std::lock_guard lock(dbMu_);
    FASTIO_TRY_ASSIGN(auto thread, threadLocked(workspaceId, threadId));
    if (thread.deletedUs != 0) return notFound("The chat " + threadId);
    Transaction txn(*db_);
    FASTIO_TRY(txn.begin());
    FASTIO_TRY_ASSIGN(auto inserted, insertTurnLocked(threadId, question, scope));
    FASTIO_TRY(txn.commit());
    turn = std::move(inserted);
  }
  schedule(turn.turnId, std::chrono::steady_clock::now() + options_.turnDelay);
  notify(workspaceId, threadId);
  return turn;
}

Result<AgentTurn> AgentService::insertTurnLocked(const std::string& threadId,
                                                 const std::string& question,
                                                 const AgentScope& scope) {
  const std::string turnId = newId_('m');
  const int64_t now = wallMicros();
  FASTIO_TRY_ASSIGN(auto st, db_->prepare(R"sql(
    INSERT INTO turns(turn_id, thread_id, seq, question, status, scoped, scope, created_us,
                      updated_us)
    VALUES (?1, ?2, (SELECT COALESCE(MAX(seq), 0) + 1 FROM turns WHERE thread_id = ?2), ?3,
            'pending', ?4, ?5, ?6, ?6))sql"));
  FASTIO_TRY(st.bind(1, turnId)
                 .bind(2, threadId)
                 .bind(3, question)
                 .bind(4, int64_t{scope ? 1 : 0})
                 .bind(5, joinScope(scope))
                 .bind(6, now)
                 .run());
  FASTIO_TRY_ASSIGN(auto touch,
                    db_->prepare("UPDATE threads SET updated_us = ?2 WHERE thread_id = ?1"));
  FASTIO_TRY(touch.bind(1, threadId).bind(2, now).run());
  return turnLocked(turnId);
}

Result<AgentThread> AgentService::threadLocked(const std::string& workspaceId,
                                               const std::string& threadId) {
  FASTIO_TRY_ASSIGN(auto st,
                    db_->prepare("SELECT " + std::string(kThreadColumns) +
                                 " FROM threads h WHERE h.thread_id = ?1 AND h.workspace_id = ?2"));
  FASTIO_TRY_ASSIGN(auto row, st.bind(1, threadId).bind(2, workspaceId).step());
  if (!row) return notFound("The chat " + threadId);
  return readThread(st);
}

Result<AgentTurn> AgentService::turnLocked(const std::string& turnId) {
  FASTIO_TRY_ASSIGN(auto st,
                    db_->prepare("SELECT " + std::string(kTurnColumns) +
                                 " FROM turns t JOIN threads h ON h.thread_id = t.thread_id "
                                 "WHERE t.turn_id = ?1"));
  FASTIO_TRY_ASSIGN(auto row, st.bind(1, turnId).step());
  if (!row) return notFound("The message " + turnId);
  return readTurn(st);
}

Result<AgentScope> AgentService::scopeLocked(const std::string& turnId) {
  FASTIO_TRY_ASSIGN(auto st, db_->prepare("SELECT scoped, scope FROM turns WHERE turn_id = ?1"));
  FASTIO_TRY_ASSIGN(auto row, st.bind(1, turnId).step());
  if (!row || st.integer(0) == 0) return AgentScope();
  std::unordered_set<std::string> ids;
  const std::string text = st.text(1);
  std::string_view rest = text;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    if (comma != 0) ids.emplace(rest.substr(0, comma));
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return AgentScope(std::move(ids));
}

Result<AgentThread> AgentService::thread(const std::string& workspaceId,
                                         const std::string& threadId) {
  std::lock_guard lock(dbMu_);
  return threadLocked(workspaceId, threadId);
}

Result<std::vector<AgentThread>> AgentService::threads(const std::string& workspaceId, bool deleted,
                                                       size_t limit, size_t offset, size_t& total) {
  std::lock_guard lock(dbMu_);
  const std::string filter = deleted ? "h.deleted_us != 0" : "h.deleted_us = 0";
  FASTIO_TRY_ASSIGN(
      auto count,
      db_->prepare("SELECT COUNT(*) FROM threads h WHERE h.workspace_id = ?1 AND " + filter));
  FASTIO_TRY(count.bind(1, workspaceId).step());
  total = static_cast<size_t>(count.integer(0));
  FASTIO_TRY_ASSIGN(auto st,
                    db_->prepare("SELECT " + std::string(kThreadColumns) +
                                 " FROM threads h WHERE h.workspace_id = ?1 AND " + filter +
                                 " ORDER BY h.updated_us DESC, h.thread_id LIMIT ?2 OFFSET ?3"));
  st.bind(1, workspaceId)
      .bind(2, static_cast<int64_t>(limit))
      .bind(3, static_cast<int64_t>(offset));
  std::vector<AgentThread> out;
  for (;;) {
    FASTIO_TRY_ASSIGN(auto row, st.step());
    if (!row) break;
    out.push_back(readThread(st));
  }
  return out;
}

Result<AgentTurn> AgentService::turn(const std::string& workspaceId, const std::string& threadId,
                                     const std::string& turnId) {
  std::lock_guard lock(dbMu_);
  FASTIO_TRY_ASSIGN(auto found, turnLocked(turnId));
  if (found.threadId != threadId || found.workspaceId != workspaceId) {
    return notFound("The message " + turnId);
  }
  return found;
}

Result<std::vector<AgentTurn>> AgentService::turns(const std::string& workspaceId,
                                                   const std::string& threadId, size_t limit,
                                                   size_t offset, size_t& total) {
  std::lock_guard lock(dbMu_);
  FASTIO_TRY_ASSIGN(auto thread, threadLocked(workspaceId, threadId));
  total = static_cast<size_t>(thread.turnCount);
  FASTIO_TRY_ASSIGN(auto st,
                    db_->prepare("SELECT " + std::string(kTurnColumns) +
                                 " FROM turns t JOIN threads h ON h.thread_id = t.thread_id "
                                 "WHERE t.thread_id = ?1 ORDER BY t.seq LIMIT ?2 OFFSET ?3"));
  st.bind(1, threadId).bind(2, static_cast<int64_t>(limit)).bind(3, static_cast<int64_t>(offset));
  std::vector<AgentTurn> out;
  for (;;) {
    FASTIO_TRY_ASSIGN(auto row, st.step());
    if (!row) break;
    out.push_back(readTurn(st));
  }
  return out;
}

Status AgentService::renameThread(const std::string& workspaceId, const std::string& threadId,
                                  const std::string& name) {
  {
    std::lock_guard lock(dbMu_);
    FASTIO_TRY(threadLocked(workspaceId, threadId));
    FASTIO_TRY_ASSIGN(
        auto st,
        db_->prepare("UPDATE threads SET name = ?2, updated_us = ?3 WHERE thread_id = ?1"));
    FASTIO_TRY(st.bind(1, threadId).bind(2, name).bind(3, wallMicros()).run());
  }
  notify(workspaceId, threadId);
  return okStatus();
}

Status AgentService::deleteThread(const std::string& workspaceId, const std::string& threadId) {
  {
    std::lock_guard lock(dbMu_);
    FASTIO_TRY_ASSIGN(auto thread, threadLocked(workspaceId, threadId));
    if (thread.deletedUs != 0) return notFound("The chat " + threadId);
    const int64_t now = wallMicros();
    FASTIO_TRY_ASSIGN(auto st,
                      db_->prepare("UPDATE threads SET deleted_us = ?2 WHERE thread_id = ?1"));
    FASTIO_TRY(st.bind(1, threadId).bind(2, now).run());
    FASTIO_TRY_ASSIGN(auto turns, db_->prepare("UPDATE turns SET status = 'cancelled', updated_us "
                                               "= ?2 WHERE thread_id = ?1 AND status "
                                               "IN ('pending', 'running')"));
    FASTIO_TRY(turns.bind(1, threadId).bind(2, now).run());
  }
  notify(workspaceId, threadId);
  return okStatus();
}

Result<std::optional<AgentTurn>> AgentService::cancel(const std::string& workspaceId,
                                                      const std::string& threadId) {
  std::optional<AgentTurn> cancelled;
  {
    std::lock_guard lock(dbMu_);
    FASTIO_TRY(threadLocked(workspaceId, threadId));
    FASTIO_TRY_ASSIGN(
        auto st,
        db_->prepare(
            "SELECT turn_id FROM turns WHERE thread_id = ?1 AND status IN ('pending', 'running') "
            "ORDER BY seq DESC LIMIT 1"));
    FASTIO_TRY_ASSIGN(auto row, st.bind(1, threadId).step());
    if (!row) return std::optional<AgentTurn>();
    FASTIO_TRY_ASSIGN(auto turn, turnLocked(st.text(0)));
    const std::string from = turn.status;
    turn.status = "cancelled";
    FASTIO_TRY(transitionLocked(turn, from));
    FASTIO_TRY_ASSIGN(auto reread, turnLocked(turn.turnId));
    cancelled = std::move(reread);
  }
  notify(workspaceId, threadId);
  return cancelled;
}

Result<bool> AgentService::transitionLocked(const AgentTurn& turn, const std::string& from) {
  FASTIO_TRY_ASSIGN(auto st, db_->prepare(R"sql(
    UPDATE turns SET status = ?3, answer = ?4, clarification = ?5, citations = ?6, updated_us = ?7
    WHERE turn_id = ?1 AND status = ?2)sql"));
  FASTIO_TRY(st.bind(1, turn.turnId)
                 .bind(2, from)
                 .bind(3, turn.status)
                 .bind(4, turn.answer)
                 .bind(5, turn.clarification)
                 .bind(6, citationsToJson(turn.citations).dump())
                 .bind(7, wallMicros())
                 .run());
  return db_->changes() > 0;
}

void AgentService::schedule(const std::string& turnId, std::chrono::steady_clock::time_point due) {
  {
    std::lock_guard lock(queueMu_);
    queue_.emplace(due, turnId);
  }
  queueCv_.notify_all();
}

void AgentService::workerLoop() {
  std::unique_lock lock(queueMu_);
  while (!stopping_) {
    if (queue_.empty()) {
      queueCv_.wait(lock);
      continue;
    }
    const auto due = queue_.begin()->first;
    if (std::chrono::steady_clock::now() < due) {
      queueCv_.wait_until(lock, due);
      continue;
    }
    const std::string turnId = queue_.begin()->second;
    queue_.erase(queue_.begin());
    lock.unlock();
    advance(turnId);
    lock.lock();
  }
}

// One step of a turn's life: pending -> running (and reschedule), running -> terminal.
void AgentService::advance(const std::string& turnId) {
  AgentTurn turn;
  AgentScope scope;
  bool compose = false;
  {
    std::lock_guard lock(dbMu_);
    auto found = turnLocked(turnId);
    if (!found.ok()) return;
    turn = std::move(found).value();
    if (turn.status == "pending") {
      turn.status = "running";
      auto moved = transitionLocked(turn, "pending");
      if (!moved.ok() || !*moved) return;
      schedule(turnId, std::chrono::steady_clock::now() + options_.turnDelay);
    } else if (turn.status == "running") {
      auto s = scopeLocked(turnId);
      if (!s.ok()) return;
      scope = std::move(s).value();
      compose = true;
    } else {
      return;  // cancelled or already finished
    }
  }
  if (compose) {
    // Retrieval runs outside the agent's lock (it takes the index's own lock).
    auto answered = composeAnswer(turn, scope);
    AgentTurn finished = turn;
    if (answered.ok()) {
      finished = std::move(answered).value();
    } else {
      finished.status = "failed";
      finished.answer = "The answer could not be composed: " + answered.error().message;
    }
    std::lock_guard lock(dbMu_);
    // A cancel that arrived meanwhile wins: only a turn still running is updated.
    auto moved = transitionLocked(finished, "running");
    if (!moved.ok() || !*moved) return;
  }
  notify(turn.workspaceId, turn.threadId);
}

void AgentService::notify(const std::string& workspaceId, const std::string& threadId) {
  if (onChange_) onChange_(workspaceId, threadId);
}

Result<AgentTurn> AgentService::composeAnswer(AgentTurn turn, const AgentScope& scope) {
  if (questionTooVague(turn.question)) {
    turn.status = "needs_input";
    turn.clarification =
        "Your question does not name anything to look for. Which topic, file or term should I "
        "search this workspace for?";
    turn.answer = turn.clarification;
    turn.citations.clear();
    return turn;
  }
  FASTIO_TRY_ASSIGN(auto passages,
                    index_.topPassages(turn.workspaceId, turn.question, options_.maxPassages,
                                       SnippetSize::kStandard, scope));
  turn.status = "complete";
  turn.citations.clear();
  if (passages.empty()) {
    turn.answer = "I found no relevant content in this workspace for \"" +
                  collapseWhitespace(turn.question) +
                  "\". Only files whose AI state is ready are searched; files still being "
                  "indexed, images and other binary files are not included.";
    return turn;
  }
  // Group passages by file (best file first), at most maxCitedFiles files and two entries each.
  std::unordered_map<std::string, size_t> citationOf;
  std::vector<std::pair<size_t, const Passage*>> used;
  const double floor = passages.front().score * options_.minRelativeScore;
  for (const auto& p : passages) {
    if (p.score < floor) break;  // passages come best first
    auto it = citationOf.find(p.node.nodeId);
    if (it == citationOf.end()) {
      if (turn.citations.size() >= options_.maxCitedFiles) continue;
      it = citationOf.emplace(p.node.nodeId, turn.citations.size()).first;
      turn.citations.push_back({p.node.nodeId, p.node.versionId, p.node.name, {}});
    }
    Citation& c = turn.citations[it->second];
    if (c.entries.size() >= 2) continue;
    c.entries.push_back({p.page, p.snippet});
    used.emplace_back(it->second, &p);
  }
  std::string answer = "From " + std::to_string(turn.citations.size()) +
                       (turn.citations.size() == 1 ? " file" : " files") + " in this workspace (";
  for (size_t i = 0; i < turn.citations.size(); ++i) {
    answer += (i == 0 ? "" : ", ") + turn.citations[i].name;
  }
  answer += "):\n\n";
  for (const auto& [index, passage] : used) {
    answer += "- " + passage->snippet + " [" + std::to_string(index + 1) + "]\n";
  }
  // The [n] markers refer to the structured citations; clients render the source list.
  turn.answer = std::move(answer);
  return turn;
}

}  // namespace fastio::emu::intelligence
