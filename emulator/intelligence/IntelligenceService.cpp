#include "emulator/intelligence/IntelligenceService.h"

#include "common/Log.h"
#include "emulator/http/OpaqueId.h"

namespace fastio::emu::intelligence {

IndexedNode toIndexedNode(const NodeRecord& node) {
  return {node.workspaceId,
          node.id,
          node.parentId,
          node.name,
          node.isFolder() ? "folder" : "file",
          node.mimetype,
          node.versionId};
}

Result<std::shared_ptr<IntelligenceService>> IntelligenceService::start(
    State& state, ActivityLog& activity, const IntelligenceOptions& options) {
  std::shared_ptr<IntelligenceService> service(new IntelligenceService(state, activity));
  FASTIO_TRY_ASSIGN(auto index, SearchIndex::open(options.dataDir / "search.db"));
  service->index_ = std::move(index);

  IntelligenceService* self = service.get();
  service->pipeline_ = std::make_unique<IngestionPipeline>(
      *service->index_, options.extractor, options.ingestDelay,
      [self](const IngestionJob& job, const std::string& aiState, const Summary& summary) {
        AiResult result{aiState, summary.title, summary.shortText, summary.longText};
        auto s = self->state_.aiResults().record(job.node.workspaceId, job.node.nodeId,
                                                 job.node.versionId, result);
        if (!s.ok() && s.error().code != ErrorCode::kNotFound) {
          FASTIO_LOG_WARN("ingestion: cannot record ai state of {}: {}", job.node.nodeId,
                          s.error().describe());
        }
      });

  AgentOptions agentOptions;
  agentOptions.turnDelay = options.agentStepDelay;
  auto agent = AgentService::open(
      options.dataDir / "agent.db", *service->index_, agentOptions,
      [](char prefix) { return newOpaqueId(prefix); },
      [self](const std::string& workspaceId, const std::string& threadId) {
        self->activity_.publish(workspaceId, {"ai_chat:" + threadId});
      });
  if (!agent.ok()) return agent.error();
  service->agent_ = std::move(agent).value();

  // The listener holds a weak reference: events after the service is gone are dropped.
  std::weak_ptr<IntelligenceService> weak = service;
  state.hooks().subscribe([weak](const StorageEvent& event) {
    if (auto alive = weak.lock()) alive->onStorageEvent(event);
  });
  service->reconciler_ = std::thread([self] { self->reconcile(); });
  return service;
}

IntelligenceService::~IntelligenceService() {
  stop();
}

void IntelligenceService::stop() {
  stopped_ = true;
  if (reconciler_.joinable()) reconciler_.join();
  if (agent_) agent_->stop();
  if (pipeline_) pipeline_->stop();
}

void IntelligenceService::ingestCurrentVersion(const NodeRecord& node) {
  if (node.aiState == "disabled") {
    pipeline_->nodeChanged(toIndexedNode(node));
    return;
  }
  auto blob = state_.files().blob(node.workspaceId, node.id, "");
  if (!blob.ok()) {
    pipeline_->nodeChanged(toIndexedNode(node));
    return;
  }
  pipeline_->contentStored({toIndexedNode(node), blob->path});
}

void IntelligenceService::onStorageEvent(const StorageEvent& event) {
  if (stopped_) return;
  const NodeRecord& node = event.node;
  using Kind = StorageEvent::Kind;
  switch (event.kind) {
    case Kind::kVersionStored:
    case Kind::kVersionRestored:
    case Kind::kCopied:
      if (node.isFile() && node.aiState != "disabled" && !event.blobPath.empty()) {
        pipeline_->contentStored({toIndexedNode(node), event.blobPath});
      } else {
        pipeline_->nodeChanged(toIndexedNode(node));
      }
      break;
    case Kind::kFolderCreated:
    case Kind::kRenamed:
    case Kind::kMoved:
      pipeline_->nodeChanged(toIndexedNode(node));
      break;
    case Kind::kTrashed:
    case Kind::kPurged:
      pipeline_->nodeRemoved(node.id);
      break;
    case Kind::kRestored:
      // Back from trash: the node (and a folder's subtree) is indexed again, off this thread.
      pipeline_->post([this, node] {
        if (node.isFile()) {
          ingestCurrentVersion(node);
        } else {
          pipeline_->nodeChanged(toIndexedNode(node));
          indexSubtree(node.workspaceId, node.id);
        }
      });
      break;
  }
}

void IntelligenceService::indexSubtree(const std::string& workspaceId,
                                       const std::string& folderId) {
  std::vector<std::string> folders{folderId};
  while (!folders.empty() && !stopped_) {
    const std::string folder = folders.back();
    folders.pop_back();
    ListQuery query;
    query.pageSize = 500;
    for (;;) {
      auto page = state_.nodes().listFolder(workspaceId, folder, query);
      if (!page.ok()) break;
      for (const auto& child : page->nodes) {
        if (child.isFolder()) {
          pipeline_->nodeChanged(toIndexedNode(child));
          folders.push_back(child.id);
        } else {
          ingestCurrentVersion(child);
        }
      }
      if (page->nextCursor.empty()) break;
      query.cursor = page->nextCursor;
    }
  }
}

void IntelligenceService::reconcile() {
  for (const auto& ws : state_.workspaces().list()) {
    ListQuery query;
    query.pageSize = 500;
    while (!stopped_) {
      auto page = state_.nodes().listRecent(ws.id, query);
      if (!page.ok()) {
        FASTIO_LOG_WARN("intelligence: cannot list workspace {}: {}", ws.id,
                        page.error().describe());
        break;
      }
      for (const auto& node : page->nodes) {
        if (node.trashed) continue;
        if (node.isFolder()) {
          pipeline_->nodeChanged(toIndexedNode(node));
          continue;
        }
        const bool unfinished = node.aiState == "pending" || node.aiState == "inprogress";
        auto indexed = index_->contentReady(node.id);
        auto known = index_->node(node.id);
        const bool indexedCurrent = indexed.ok() && *indexed && known.ok() && known->has_value() &&
                                    (*known)->versionId == node.versionId;
        if (node.aiState != "disabled" && (unfinished || !indexedCurrent)) {
          ingestCurrentVersion(node);
        } else {
          pipeline_->nodeChanged(toIndexedNode(node));
        }
      }
      if (page->nextCursor.empty()) break;
      query.cursor = page->nextCursor;
    }
  }
}

}  // namespace fastio::emu::intelligence
