#include "emulator/intelligence/IngestionPipeline.h"

#include "common/Log.h"

namespace fastio::emu::intelligence {

IngestionPipeline::IngestionPipeline(SearchIndex& index, ExtractorOptions extractorOptions,
                                     std::chrono::milliseconds delay, Publish publish)
    : index_(index),
      extractor_(std::move(extractorOptions)),
      delay_(delay),
      publish_(std::move(publish)),
      worker_([this] { workerLoop(); }) {}

IngestionPipeline::~IngestionPipeline() {
  stop();
}

void IngestionPipeline::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void IngestionPipeline::enqueue(Clock::time_point due, std::function<void()> work) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    queue_.emplace(std::make_pair(due, sequence_++), std::move(work));
  }
  cv_.notify_all();
}

void IngestionPipeline::post(std::function<void()> work) {
  enqueue(Clock::now(), std::move(work));
}

void IngestionPipeline::nodeChanged(const IndexedNode& node) {
  enqueue(Clock::now(), [this, node] {
    if (auto s = index_.upsertNode(node); !s.ok()) {
      FASTIO_LOG_WARN("search index: cannot index node {}: {}", node.nodeId, s.error().describe());
    }
  });
}

void IngestionPipeline::contentStored(const IngestionJob& job) {
  {
    std::lock_guard lock(mu_);
    latestVersion_[job.node.nodeId] = job.node.versionId;
  }
  // The name and the new version go in at once (so the old content stops matching); the text
  // follows after the delay.
  nodeChanged(job.node);
  enqueue(Clock::now() + delay_, [this, job] { ingest(job); });
}

void IngestionPipeline::nodeRemoved(const std::string& nodeId) {
  {
    std::lock_guard lock(mu_);
    latestVersion_.erase(nodeId);
  }
  enqueue(Clock::now(), [this, nodeId] {
    if (auto s = index_.removeSubtree(nodeId); !s.ok()) {
      FASTIO_LOG_WARN("search index: cannot remove node {}: {}", nodeId, s.error().describe());
    }
  });
}

void IngestionPipeline::ingest(const IngestionJob& job) {
  {
    std::lock_guard lock(mu_);
    const auto latest = latestVersion_.find(job.node.nodeId);
    if (latest == latestVersion_.end() || latest->second != job.node.versionId) return;
  }
  publish_(job, "inprogress", Summary{});
  auto text = extractor_.extract(job.blobPath, job.node.name, job.node.mimetype);
  std::string state = "ready";
  Summary summary;
  if (!text.ok()) {
    // An unreadable file is still findable by name; its old text must not linger.
    FASTIO_LOG_INFO("ingestion: {} ({}) failed: {}", job.node.name, job.node.nodeId,
                    text.error().describe());
    state = "failed";
    (void)index_.setContent(job.node.nodeId, job.node.versionId, {});
  } else {
    summary = Summarizer::summarize(text->joined(), job.node.name);
    if (auto s = index_.setContent(job.node.nodeId, job.node.versionId, text->pages); !s.ok()) {
      FASTIO_LOG_WARN("ingestion: cannot index {}: {}", job.node.nodeId, s.error().describe());
      state = "failed";
    }
  }
  {
    std::lock_guard lock(mu_);
    const auto latest = latestVersion_.find(job.node.nodeId);
    if (latest != latestVersion_.end() && latest->second == job.node.versionId) {
      latestVersion_.erase(latest);
    }
  }
  publish_(job, state, summary);
}

void IngestionPipeline::workerLoop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (queue_.empty()) {
      cv_.wait(lock);
      continue;
    }
    const auto due = queue_.begin()->first.first;
    if (Clock::now() < due) {
      cv_.wait_until(lock, due);
      continue;
    }
    auto work = std::move(queue_.begin()->second);
    queue_.erase(queue_.begin());
    busy_ = true;
    lock.unlock();
    work();
    lock.lock();
    busy_ = false;
    cv_.notify_all();
  }
}

bool IngestionPipeline::waitIdle(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [this] { return stopping_ || (queue_.empty() && !busy_); });
}

}  // namespace fastio::emu::intelligence
