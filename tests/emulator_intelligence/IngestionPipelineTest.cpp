#include <gtest/gtest.h>

#include <mutex>
#include <vector>

#include "TestPdf.h"
#include "emulator/intelligence/IngestionPipeline.h"
#include "tests/support/TempDir.h"

namespace fastio::emu::intelligence {
namespace {

using fastio::testing::TempDir;
using namespace std::chrono_literals;

constexpr const char* kWs = "1000000000000000001";

struct Published {
  std::string nodeId, versionId, state;
  Summary summary;
};

class IngestionPipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = SearchIndex::open(dir_.path() / "search.db");
    ASSERT_TRUE(opened.ok());
    index_ = std::move(opened).value();
    pipeline_ = std::make_unique<IngestionPipeline>(
        *index_, ExtractorOptions{}, 10ms,
        [this](const IngestionJob& job, const std::string& state, const Summary& summary) {
          std::lock_guard lock(mu_);
          published_.push_back({job.node.nodeId, job.node.versionId, state, summary});
        });
  }

  IngestionJob job(const std::string& id, const std::string& version, const std::string& name,
                   const std::string& bytes) {
    return {{kWs, id, "root", name, "file", "", version}, dir_.write(version, bytes).string()};
  }

  size_t contentHits(const std::string& text) {
    SearchQuery q;
    q.workspaceId = kWs;
    q.text = text;
    q.searchIn = SearchIn::kContent;
    auto r = index_->search(q);
    EXPECT_TRUE(r.ok());
    return r.ok() ? r->hits.size() : 0;
  }

  std::vector<Published> published() {
    std::lock_guard lock(mu_);
    return published_;
  }

  TempDir dir_;
  std::unique_ptr<SearchIndex> index_;
  std::unique_ptr<IngestionPipeline> pipeline_;
  std::mutex mu_;
  std::vector<Published> published_;
};

TEST_F(IngestionPipelineTest, StoredTextBecomesSearchableAndReady) {
  pipeline_->contentStored(job("f1", "v1", "notes.md", "# Notes\nThe aardvark sleeps by day."));
  ASSERT_TRUE(pipeline_->waitIdle(5s));
  EXPECT_EQ(contentHits("aardvark"), 1u);
  const auto events = published();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].state, "inprogress");
  EXPECT_EQ(events[1].state, "ready");
  EXPECT_EQ(events[1].summary.title, "Notes");
  EXPECT_NE(events[1].summary.shortText.find("aardvark"), std::string::npos);
}

TEST_F(IngestionPipelineTest, PdfPagesAreIndexed) {
  pipeline_->contentStored(job(
      "f1", "v1", "r.pdf", testing::makePdf({"cover page", "the narwhal appears on page two"})));
  ASSERT_TRUE(pipeline_->waitIdle(10s));
  SearchQuery q;
  q.workspaceId = kWs;
  q.text = "narwhal";
  auto r = index_->search(q);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->hits.size(), 1u);
  EXPECT_EQ(r->hits[0].page, 2);
}

TEST_F(IngestionPipelineTest, OnlyTheLatestVersionIsIngested) {
  pipeline_->contentStored(job("f1", "v1", "a.txt", "old badger text"));
  pipeline_->contentStored(job("f1", "v2", "a.txt", "new otter text"));
  ASSERT_TRUE(pipeline_->waitIdle(5s));
  EXPECT_EQ(contentHits("badger"), 0u);
  EXPECT_EQ(contentHits("otter"), 1u);
  for (const auto& e : published()) EXPECT_EQ(e.versionId, "v2");
}

TEST_F(IngestionPipelineTest, BrokenFileFailsButStaysFindableByName) {
  pipeline_->contentStored(job("f1", "v1", "broken.pdf", "%PDF-1.4 nonsense"));
  ASSERT_TRUE(pipeline_->waitIdle(10s));
  const auto events = published();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().state, "failed");
  SearchQuery q;
  q.workspaceId = kWs;
  q.text = "broken";
  auto r = index_->search(q);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->hits.size(), 1u);
}

TEST_F(IngestionPipelineTest, RemovedFolderTakesItsSubtree) {
  pipeline_->nodeChanged({kWs, "d1", "root", "docs", "folder", "", ""});
  auto j = job("f1", "v1", "inner.txt", "the wombat digs");
  j.node.parentId = "d1";
  pipeline_->contentStored(j);
  ASSERT_TRUE(pipeline_->waitIdle(5s));
  EXPECT_EQ(contentHits("wombat"), 1u);
  pipeline_->nodeRemoved("d1");
  ASSERT_TRUE(pipeline_->waitIdle(5s));
  EXPECT_EQ(contentHits("wombat"), 0u);
  EXPECT_FALSE(index_->node("f1")->has_value());
}

TEST_F(IngestionPipelineTest, RemovalCancelsPendingIngestion) {
  pipeline_ = std::make_unique<IngestionPipeline>(
      *index_, ExtractorOptions{}, 200ms,
      [this](const IngestionJob& jb, const std::string& state, const Summary& summary) {
        std::lock_guard lock(mu_);
        published_.push_back({jb.node.nodeId, jb.node.versionId, state, summary});
      });
  pipeline_->contentStored(job("f1", "v1", "a.txt", "the lemur"));
  pipeline_->nodeRemoved("f1");
  ASSERT_TRUE(pipeline_->waitIdle(5s));
  EXPECT_TRUE(published().empty());
  EXPECT_EQ(contentHits("lemur"), 0u);
}

}  // namespace
}  // namespace fastio::emu::intelligence
