// Renderers of the virtual files (docs/SEMANTICS.md ".search", ".ask", ".fastio").
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "fs/AskRender.h"
#include "fs/HumanBytes.h"
#include "fs/SearchRender.h"
#include "fs/StatusRender.h"

namespace fastio::fs {
namespace {

SearchResult twoHits() {
  SearchResult r;
  r.semanticAvailable = true;
  r.intelligenceEnabled = true;
  SearchHit a;
  a.nodeId = "n1";
  a.name = "report.pdf";
  a.relevance = 0.9;
  a.snippet = "the\nquarterly\t\tresults";
  a.pageStart = 3;
  a.pageEnd = 4;
  SearchHit b;
  b.nodeId = "n2";
  b.name = "../evil/name";
  b.relevance = 0.5;
  r.hits = {a, b};
  return r;
}

TEST(SearchRender, LinkNamesArePaddedRankedAndSafe) {
  EXPECT_EQ(searchHitLinkName(1, 5, "a.txt"), "01 a.txt");
  EXPECT_EQ(searchHitLinkName(7, 150, "a.txt"), "007 a.txt");
  EXPECT_EQ(searchHitLinkName(2, 2, "x/y"), "02 x\xE2\x88\x95y");
  EXPECT_LE(searchHitLinkName(1, 2, std::string(400, 'q')).size(), 255u);
  EXPECT_EQ(searchHitLinkName(3, 3, ""), "03 hit");
}

TEST(SearchRender, LinkTargetClimbsOutOfTheQueryDirectory) {
  EXPECT_EQ(searchHitLinkTarget("docs/a.pdf"), "../../docs/a.pdf");
}

TEST(SearchRender, HitsWithoutAKnownPathGetNoLink) {
  auto hits = renderHits(twoHits(), {"docs/report.pdf", ""});
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].linkName, "01 report.pdf");
  EXPECT_TRUE(hits[1].linkName.empty());
}

TEST(SearchRender, TextShowsRankScorePathPageAndOneLineSnippet) {
  auto result = twoHits();
  auto hits = renderHits(result, {"docs/report.pdf", ""});
  const std::string text = renderResultsText("quarterly", result, hits);
  EXPECT_NE(text.find("2 results"), std::string::npos);
  EXPECT_NE(text.find("1. 0.900  docs/report.pdf  p.3-4"), std::string::npos) << text;
  EXPECT_NE(text.find("the quarterly results"), std::string::npos) << text;
  EXPECT_NE(text.find("(path unknown)"), std::string::npos);
}

TEST(SearchRender, JsonIsValidEvenWithInvalidUtf8FromTheServer) {
  auto result = twoHits();
  result.hits[0].snippet = "bad \xC3\x28 utf8";
  auto hits = renderHits(result, {"docs/report.pdf", ""});
  auto doc = nlohmann::json::parse(renderResultsJson("q", result, hits));
  ASSERT_EQ(doc["hits"].size(), 2u);
  EXPECT_EQ(doc["hits"][0]["rank"], 1);
  EXPECT_EQ(doc["hits"][0]["path"], "docs/report.pdf");
  EXPECT_EQ(doc["hits"][0]["link"], "01 report.pdf");
  EXPECT_EQ(doc["hits"][0]["page_start"], 3);
  EXPECT_TRUE(doc["hits"][1]["path"].is_null());
}

TEST(OneLine, CollapsesWhitespaceAndCutsOnACharacterBoundary) {
  EXPECT_EQ(oneLine("  a \n\n b\t", 100), "a b");
  const std::string cut = oneLine("\xE6\x96\x87\xE6\x96\x87\xE6\x96\x87", 7);
  EXPECT_EQ(cut, "\xE6\x96\x87...");
}

TEST(AskRender, AnswerThenNumberedCitationsWithPathsAndPages) {
  AskAnswer a;
  a.state = "complete";
  a.text = "Revenue grew 12%.";
  Citation c1;
  c1.nodeId = "n1";
  c1.page = 3;
  c1.snippet = "revenue\ngrew";
  Citation c2;
  c2.nodeId = "n9";
  a.citations = {c1, c2};
  const std::string out = renderAskAnswer(a, {"docs/report.pdf", ""});
  EXPECT_EQ(out.rfind("Revenue grew 12%.\n", 0), 0u) << out;
  EXPECT_NE(out.find("[1] docs/report.pdf, page 3\n    \"revenue grew\""), std::string::npos)
      << out;
  EXPECT_NE(out.find("[2] (node n9)"), std::string::npos) << out;
}

TEST(AskRender, NonCompleteStatesSaySo) {
  AskAnswer a;
  a.state = "needs_input";
  a.text = "Which year?";
  EXPECT_NE(renderAskAnswer(a, {}).find("needs more information"), std::string::npos);
  a.state = "failed";
  a.text = "";
  EXPECT_NE(renderAskAnswer(a, {}).find("could not be answered (state: failed)"),
            std::string::npos);
}

StatusSnapshot sampleStatus() {
  StatusSnapshot s;
  s.version = "1.2.3";
  s.apiUrl = "http://127.0.0.1:1/current";
  s.online = false;
  s.offlineReason = "unavailable: 503";
  s.cacheBytesUsed = 3 * 1024 * 1024;
  s.cacheBytesLimit = 1024ull * 1024 * 1024;
  s.counters = {{"remote_reads", 4}, {"block_cache_hits", 10}};
  s.recentErrors = {"read f1: unavailable"};
  s.failures = {{"open", "EIO", 2}, {"write", "ENOSPC", 1}};
  s.uploadsQueued = 2;
  s.uploadsInFlight = 1;
  s.uploadBytesDone = 1 << 20;
  s.uploadBytesTotal = 4 << 20;
  s.uploadBytesPerSecond = 1 << 20;
  s.uploadsParked = 1;
  s.uploadErrors = {"notes.txt: denied"};
  return s;
}

TEST(StatusRender, StatusTextSaysOfflineAndShowsCacheUse) {
  const std::string t = renderStatusText(sampleStatus());
  EXPECT_NE(t.find("offline (serving cached data): unavailable: 503"), std::string::npos) << t;
  EXPECT_NE(t.find("3.0 MiB of 1.0 GiB"), std::string::npos) << t;
  EXPECT_NE(t.find("read f1: unavailable"), std::string::npos);
  EXPECT_NE(t.find("2 pending"), std::string::npos) << t;
  EXPECT_NE(t.find("1 in flight (1.0 MiB of 4.0 MiB, 1.0 MiB/s, ETA 3 s)"), std::string::npos) << t;
  EXPECT_NE(t.find("notes.txt: denied"), std::string::npos) << t;
  EXPECT_NE(t.find("open EIO x2, write ENOSPC x1"), std::string::npos) << t;
}

TEST(StatusRender, StatsJsonAndMetricsCarryTheSameNumbers) {
  const auto s = sampleStatus();
  auto doc = nlohmann::json::parse(renderStatsJson(s));
  EXPECT_EQ(doc["online"], false);
  EXPECT_EQ(doc["counters"]["remote_reads"], 4);
  const std::string m = renderPrometheusMetrics(s);
  EXPECT_NE(m.find("fastiofs_online 0\n"), std::string::npos) << m;
  EXPECT_NE(m.find("fastiofs_remote_reads_total 4\n"), std::string::npos) << m;
  EXPECT_NE(m.find("# TYPE fastiofs_block_cache_hits_total counter"), std::string::npos);
  EXPECT_EQ(renderVersion(s), "fastiofs 1.2.3\n");
  EXPECT_EQ(doc["uploads"]["queued"], 2);
  EXPECT_EQ(doc["uploads"]["failed"], 1);
  EXPECT_EQ(doc["failures"][0]["operation"], "open");
  EXPECT_EQ(doc["failures"][0]["error"], "EIO");
  EXPECT_EQ(doc["failures"][0]["count"], 2);
  EXPECT_NE(m.find("fastiofs_operation_failures_total{operation=\"write\",error=\"ENOSPC\"} 1\n"),
            std::string::npos)
      << m;
}

TEST(StatusRender, HumanBytes) {
  EXPECT_EQ(humanBytes(0), "0 B");
  EXPECT_EQ(humanBytes(1023), "1023 B");
  EXPECT_EQ(humanBytes(1536), "1.5 KiB");
}

}  // namespace
}  // namespace fastio::fs
