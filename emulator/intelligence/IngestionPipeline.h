#pragma once
// The ingestion pipeline: keeps the search index in step with storage and turns a stored
// version into searchable text. Name changes are applied at once (on the worker thread, in
// order); content is extracted, indexed and summarised after `delay`, never on the caller's
// thread. Only the latest version of a node is processed: a job superseded while it waited is
// dropped. The caller learns the outcome through `publish` ("inprogress", then "ready" or
// "failed"), which the emulator wires to State::aiResults().record.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>

#include "emulator/intelligence/SearchIndex.h"
#include "emulator/intelligence/Summarizer.h"
#include "emulator/intelligence/TextExtractor.h"

namespace fastio::emu::intelligence {

struct IngestionJob {
  IndexedNode node;      // workspace, id, parent, name, mimetype, version
  std::string blobPath;  // the stored content of node.versionId
};

class IngestionPipeline {
 public:
  using Publish = std::function<void(const IngestionJob& job, const std::string& aiState,
                                     const Summary& summary)>;

  IngestionPipeline(SearchIndex& index, ExtractorOptions extractorOptions,
                    std::chrono::milliseconds delay, Publish publish);
  ~IngestionPipeline();
  IngestionPipeline(const IngestionPipeline&) = delete;
  IngestionPipeline& operator=(const IngestionPipeline&) = delete;

  // A node appeared, was renamed or moved: index its name (and version) now.
  void nodeChanged(const IndexedNode& node);
  // A file version was stored and should be ingested after the delay.
  void contentStored(const IngestionJob& job);
  // A node (and, for a folder, its subtree) left the workspace.
  void nodeRemoved(const std::string& nodeId);

  // Runs work on the pipeline's worker thread, in order with the other operations.
  void post(std::function<void()> work);

  // Waits until no work is queued or running (tests and shutdown). False on timeout.
  bool waitIdle(std::chrono::milliseconds timeout);
  void stop();

 private:
  using Clock = std::chrono::steady_clock;
  void enqueue(Clock::time_point due, std::function<void()> work);
  void workerLoop();
  void ingest(const IngestionJob& job);

  SearchIndex& index_;
  TextExtractor extractor_;
  std::chrono::milliseconds delay_;
  Publish publish_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::pair<Clock::time_point, uint64_t>, std::function<void()>> queue_;
  std::unordered_map<std::string, std::string> latestVersion_;  // node id -> newest version
  uint64_t sequence_ = 0;
  bool busy_ = false;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace fastio::emu::intelligence
