#pragma once
// Wires the intelligence engines to the emulator: owns the search index (--data/search.db), the
// agent (--data/agent.db) and the ingestion pipeline; listens to State's storage hooks; writes
// ai.state and summaries back through State; publishes ai_chat:{thread} activity. At start-up it
// reconciles the index with State on a background thread (nodes stored while it was not
// running, versions left pending by a restart, a deleted search.db).

#include <atomic>
#include <filesystem>
#include <memory>
#include <thread>

#include "common/Result.h"
#include "emulator/intelligence/AgentService.h"
#include "emulator/intelligence/IngestionPipeline.h"
#include "emulator/intelligence/SearchIndex.h"
#include "emulator/state/ActivityLog.h"
#include "emulator/state/State.h"

namespace fastio::emu::intelligence {

struct IntelligenceOptions {
  std::filesystem::path dataDir;
  std::chrono::milliseconds ingestDelay{300};
  std::chrono::milliseconds agentStepDelay{150};
  ExtractorOptions extractor;
};

class IntelligenceService {
 public:
  static Result<std::shared_ptr<IntelligenceService>> start(State& state, ActivityLog& activity,
                                                            const IntelligenceOptions& options);
  ~IntelligenceService();
  IntelligenceService(const IntelligenceService&) = delete;
  IntelligenceService& operator=(const IntelligenceService&) = delete;

  SearchIndex& index() { return *index_; }
  AgentService& agent() { return *agent_; }
  IngestionPipeline& pipeline() { return *pipeline_; }
  State& state() { return state_; }

  // Stops the workers; later storage events are ignored.
  void stop();

 private:
  IntelligenceService(State& state, ActivityLog& activity) : state_(state), activity_(activity) {}
  void onStorageEvent(const StorageEvent& event);
  void ingestCurrentVersion(const NodeRecord& node);
  void indexSubtree(const std::string& workspaceId, const std::string& folderId);
  void reconcile();

  State& state_;
  ActivityLog& activity_;
  std::unique_ptr<SearchIndex> index_;
  std::unique_ptr<IngestionPipeline> pipeline_;
  std::unique_ptr<AgentService> agent_;
  std::atomic<bool> stopped_{false};
  std::thread reconciler_;
};

IndexedNode toIndexedNode(const NodeRecord& node);

}  // namespace fastio::emu::intelligence
