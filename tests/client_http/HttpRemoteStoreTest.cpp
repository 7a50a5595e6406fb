// HttpRemoteStore logic against a scripted transport (no network): request shapes, paging,
// retries and their limits, 401 refresh, ranged reads and their fallbacks (uploads:
// HttpUploadTest.cpp).

#include <gtest/gtest.h>

#include <atomic>

#include "client/auth/TokenProvider.h"
#include "client/http/HttpRemoteStore.h"
#include "tests/client_http/HttpStoreFixture.h"
#include "tests/client_http/ScriptedTransport.h"

namespace fastio::http {
namespace {

using testing::InstantClock;
using testing::ScriptedReply;
using testing::ScriptedTransport;
using testing::SentRequest;
using testsupport::Fixture;
using testsupport::html503;
using testsupport::nodeJson;
using testsupport::ok;
using testsupport::sampleContent;

// --- metadata ---

TEST(HttpStoreListing, FollowsCursorsWithTheDocumentedParameters) {
  Fixture f([](const SentRequest& r) {
    if (r.query("cursor").empty()) {
      return ok(R"({"result":true,"nodes":{"items":[)" + nodeJson("a", "one") +
                R"(]},"pagination":{"next_cursor":"c2"}})");
    }
    return ok(R"({"result":"yes","response":{"nodes":[)" + nodeJson("b", "two") +
              R"(],"next_cursor":null}})");
  });
  std::vector<std::string> names;
  std::vector<bool> lasts;
  Status st = f.store->listFolder(
      "ws1", "root",
      [&](FolderPage&& p) {
        for (auto& n : p.nodes) names.push_back(n.name);
        lasts.push_back(p.last);
        return true;
      },
      f.deadline());
  ASSERT_TRUE(st.ok()) << st.error().describe();
  EXPECT_EQ(names, (std::vector<std::string>{"one", "two"}));
  EXPECT_EQ(lasts, (std::vector<bool>{false, true}));
  auto sent = f.transport.sent();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].path(), "/workspace/ws1/storage/root/list/");
  EXPECT_EQ(sent[0].query("page_size"), "500");
  EXPECT_EQ(sent[0].query("output"), "standard");
  EXPECT_EQ(sent[1].query("cursor"), "c2");
  EXPECT_EQ(sent[0].header("Authorization"), "Bearer T0K3N");
}

TEST(HttpStoreListing, ARepeatedCursorIsAProtocolErrorNotALoop) {
  Fixture f(
      [](const SentRequest&) { return ok(R"({"result":true,"nodes":[],"next_cursor":"same"})"); });
  Status st = f.store->listFolder(
      "ws", "root", [](FolderPage&&) { return true; }, f.deadline());
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kProtocol);
  EXPECT_LE(f.transport.sent().size(), 3u);
}

TEST(HttpStoreDetails, SplitsIntoBatchesOf25AndReportsMissingIds) {
  Fixture f([](const SentRequest& r) {
    std::string ids = r.path().substr(std::string("/workspace/ws/storage/").size());
    ids = ids.substr(0, ids.find('/'));
    std::string nodes;
    size_t start = 0;
    int count = 0;
    while (start < ids.size()) {
      auto end = ids.find(',', start);
      std::string id =
          ids.substr(start, end == std::string::npos ? std::string::npos : end - start);
      if (id != "n7") {
        if (!nodes.empty()) nodes += ",";
        nodes += nodeJson(id, id);
      }
      ++count;
      if (end == std::string::npos) break;
      start = end + 1;
    }
    EXPECT_LE(count, 25);
    return ok(R"({"result":true,"format":"multi","nodes":[)" + nodes + "]}");
  });
  std::vector<std::string> ids;
  for (int i = 0; i < 60; ++i) ids.push_back("n" + std::to_string(i));
  Result<NodeDetailsBatch> batch = f.store->nodeDetails("ws", ids, f.deadline());
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(batch->nodes.size(), 59u);
  EXPECT_EQ(batch->missingIds, (std::vector<std::string>{"n7"}));
  EXPECT_EQ(f.transport.sent().size(), 3u);
  EXPECT_EQ(f.transport.sent()[0].query("output"), "full");
}

TEST(HttpStoreDetails, AllMissingAnswersWith404) {
  Fixture f([](const SentRequest&) {
    return ScriptedReply::json(404, R"({"result":"no","error":{"code":133123,"text":"nf"}})");
  });
  Result<NodeDetailsBatch> batch = f.store->nodeDetails("ws", {"A-B"}, f.deadline());
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(batch->missingIds, (std::vector<std::string>{"ab"}));
}

// --- retries ---

TEST(HttpStoreRetry, IdempotentCallsSurviveTransient5xxAndResets) {
  std::atomic<int> calls{0};
  Fixture f([&](const SentRequest&) {
    const int n = calls++;
    if (n == 0) return html503();
    if (n == 1) return ScriptedReply::failure(ErrorCode::kUnavailable, "reset");
    return ok(R"({"result":true,"workspaces":[{"id":"1","folder_name":"alpha"}]})");
  });
  Result<std::vector<Workspace>> ws = f.store->listWorkspaces(f.deadline());
  ASSERT_TRUE(ws.ok()) << ws.error().describe();
  EXPECT_EQ(ws->at(0).folderName, "alpha");
  EXPECT_EQ(calls.load(), 3);
}

TEST(HttpStoreRetry, RateLimitWaitsUntilTheReset) {
  std::atomic<int> calls{0};
  Fixture f([&](const SentRequest&) {
    if (calls++ == 0) {
      return ScriptedReply::json(429, R"({"result":false,"error":{"code":1,"text":"slow down"}})",
                                 {{"retry-after", "3"}, {"x-ve-limit-avail", "0"}});
    }
    return ok(R"({"result":true,"chunk_size":4194304})");
  });
  Result<UploadLimits> limits = f.store->uploadLimits(f.deadline());
  ASSERT_TRUE(limits.ok());
  EXPECT_GE(f.clock.slept(), std::chrono::seconds(3));
  EXPECT_LT(f.clock.slept(), std::chrono::seconds(4));
}

TEST(HttpStoreRetry, GivesUpWithTheLastErrorAfterTheBudget) {
  HttpRemoteStoreOptions options;
  options.retry.maxAttempts = 3;
  Fixture f([](const SentRequest&) { return html503(); }, options);
  Result<UploadLimits> limits = f.store->uploadLimits(f.deadline());
  ASSERT_FALSE(limits.ok());
  EXPECT_EQ(limits.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(limits.error().message.find("after 3 attempts"), std::string::npos);
  EXPECT_EQ(f.transport.sent().size(), 3u);
}

TEST(HttpStoreRetry, InvalidInputIsNeverRetried) {
  Fixture f([](const SentRequest&) {
    return ScriptedReply::json(406, R"({"result":false,"error":{"code":1605,"text":"bad name"}})");
  });
  Result<Node> n = f.store->createFolder("ws", "root", "x", f.deadline());
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().code, ErrorCode::kInvalid);
  EXPECT_EQ(f.transport.sent().size(), 1u);
}

TEST(HttpStoreRetry, ChatCreationIsNotReplayedAfterA5xx) {
  Fixture f([](const SentRequest&) { return html503(); });
  Result<AskAnswer> a = f.store->ask("ws", "what is in here?", f.deadline());
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(f.transport.count("/workspace/ws/ai/agent/"), 1u);
}

TEST(HttpStoreRetry, DeleteWhoseFirstTryWentThroughSucceeds) {
  std::atomic<int> calls{0};
  Fixture f([&](const SentRequest&) {
    if (calls++ == 0) return ScriptedReply::failure(ErrorCode::kUnavailable, "reset after send");
    return ScriptedReply::json(404, R"({"result":false,"error":{"code":133123,"text":"nf"}})");
  });
  EXPECT_TRUE(f.store->deleteNode("ws", "n1", f.deadline()).ok());
  // But a plain 404 on the first try is reported.
  calls = 1;
  Status st = f.store->deleteNode("ws", "n2", f.deadline());
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kNotFound);
}

TEST(HttpStoreRetry, DeadlineBoundsTheWholeCall) {
  Fixture f([](const SentRequest&) {
    return ScriptedReply::json(429, "{}", {{"retry-after", "30"}});
  });
  Result<UploadLimits> limits = f.store->uploadLimits(f.deadline(std::chrono::seconds(10)));
  ASSERT_FALSE(limits.ok());
  EXPECT_EQ(limits.error().code, ErrorCode::kRateLimited);
  EXPECT_EQ(f.transport.sent().size(), 1u);
}

// --- auth ---

TEST(HttpStoreAuth, RefreshesOnceOn401AndSavesNothingWithoutAFile) {
  std::atomic<int> tokenCalls{0};
  InstantClock clock;
  ScriptedTransport transport([&](const SentRequest& r) {
    if (r.path() == "/oauth/token/") {
      ++tokenCalls;
      EXPECT_NE(r.body.find("grant_type=refresh_token"), std::string::npos);
      EXPECT_NE(r.body.find("refresh_token=R1"), std::string::npos);
      return ScriptedReply::json(200,
                                 R"({"access_token":"A2","refresh_token":"R2","expires_in":3600})");
    }
    if (r.header("Authorization") == "Bearer A2") return ok(R"({"result":true,"id":"u1"})");
    return ScriptedReply::json(401, R"({"result":false,"error":{"code":1,"text":"expired"}})");
  });
  auth::TokenSet tokens;
  tokens.accessToken = "A1";
  tokens.refreshToken = "R1";
  tokens.expiresAt = clock.wallNow() + std::chrono::hours(1);
  auth::RefreshingTokenProvider provider(
      tokens, std::make_unique<auth::OAuthClient>(transport, testing::kTestApi, "fastiofs", clock),
      "", clock);
  HttpRemoteStoreOptions options;
  options.apiUrl = testing::kTestApi;
  HttpRemoteStore store(transport, provider, options, clock);
  Result<UserInfo> me = store.currentUser(Deadline::after(std::chrono::minutes(1), clock));
  ASSERT_TRUE(me.ok()) << me.error().describe();
  EXPECT_EQ(me->id, "u1");
  EXPECT_EQ(tokenCalls.load(), 1);
}

TEST(HttpStoreAuth, ASecond401IsTheAnswer) {
  Fixture f([](const SentRequest&) {
    return ScriptedReply::json(401, R"({"result":false,"error":{"code":1,"text":"bad token"}})");
  });
  Result<UserInfo> me = f.store->currentUser(f.deadline());
  ASSERT_FALSE(me.ok());
  EXPECT_EQ(me.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(f.transport.sent().size(), 1u) << "a static API key cannot be refreshed";
  EXPECT_EQ(me.error().message.find("T0K3N"), std::string::npos);
}

TEST(HttpStoreAuth, RefreshesBeforeExpiry) {
  InstantClock clock;
  std::atomic<int> tokenCalls{0};
  ScriptedTransport transport([&](const SentRequest& r) {
    if (r.path() == "/oauth/token/") {
      ++tokenCalls;
      return ScriptedReply::json(200, R"({"access_token":"A2","expires_in":3600})");
    }
    EXPECT_EQ(r.header("Authorization"), "Bearer A2");
    return ok(R"({"result":true,"id":"u1"})");
  });
  auth::TokenSet tokens;
  tokens.accessToken = "A1";
  tokens.refreshToken = "R1";
  tokens.expiresAt = clock.wallNow() + std::chrono::minutes(4);  // inside the 5-minute margin
  auth::RefreshingTokenProvider provider(
      tokens, std::make_unique<auth::OAuthClient>(transport, testing::kTestApi, "fastiofs", clock),
      "", clock);
  HttpRemoteStoreOptions options;
  options.apiUrl = testing::kTestApi;
  HttpRemoteStore store(transport, provider, options, clock);
  ASSERT_TRUE(store.currentUser(Deadline::after(std::chrono::minutes(1), clock)).ok());
  ASSERT_TRUE(store.currentUser(Deadline::after(std::chrono::minutes(1), clock)).ok());
  EXPECT_EQ(tokenCalls.load(), 1);
}

// --- reads ---

struct Collected {
  std::map<uint64_t, std::string> pieces;
  ByteSink sink() {
    return [this](uint64_t offset, std::string_view bytes) {
      pieces[offset] += std::string(bytes);  // pieces arrive in order; merge by start offset
      return okStatus();
    };
  }
  std::string contiguousFrom(uint64_t start) const {
    std::string out;
    uint64_t next = start;
    for (const auto& [off, s] : pieces) {
      if (off < start) continue;
      EXPECT_EQ(off, next) << "gap or overlap at " << off;
      out += s;
      next = off + s.size();
    }
    return out;
  }
};

TEST(HttpStoreRead, HonouredRangeDeliversAtTheOffset) {
  const std::string content = sampleContent(100);
  Fixture f([&](const SentRequest& r) {
    EXPECT_EQ(r.header("Range"), "bytes=10-29");
    EXPECT_EQ(r.query("version_id"), "v1");
    ScriptedReply reply =
        ScriptedReply::json(206, content.substr(10, 20), {{"content-range", "bytes 10-29/100"}});
    return reply;
  });
  Collected got;
  ReadRequest req{"ws", "n1", "v1", 10, 20};
  Result<ReadOutcome> out = f.store->read(req, got.sink(), f.deadline());
  ASSERT_TRUE(out.ok()) << out.error().describe();
  EXPECT_TRUE(out->rangeHonoured);
  EXPECT_EQ(out->bytesDelivered, 20u);
  EXPECT_EQ(out->totalSize, 100u);
  EXPECT_EQ(got.contiguousFrom(10), content.substr(10, 20));
}

TEST(HttpStoreRead, IgnoredRangeDeliversTheWholeBodyWithItsOffsets) {
  const std::string content = sampleContent(100);
  Fixture f([&](const SentRequest&) {
    return ScriptedReply::json(200, content, {{"content-length", "100"}});
  });
  Collected got;
  Result<ReadOutcome> out = f.store->read({"ws", "n1", "", 10, 20}, got.sink(), f.deadline());
  ASSERT_TRUE(out.ok());
  EXPECT_FALSE(out->rangeHonoured);
  EXPECT_EQ(out->bytesDelivered, 100u);
  EXPECT_EQ(got.contiguousFrom(0), content);
}

TEST(HttpStoreRead, AResetMidBodyResumesWhereItStopped) {
  const std::string content = sampleContent(200);
  std::atomic<int> calls{0};
  std::vector<std::string> ranges;
  std::mutex mu;
  Fixture f([&](const SentRequest& r) {
    {
      std::lock_guard lock(mu);
      ranges.push_back(r.header("Range"));
    }
    if (calls++ == 0) {
      ScriptedReply reply = ScriptedReply::json(200, content, {{"content-length", "200"}});
      reply.cutAfter = 50;
      return reply;
    }
    const std::string range = r.header("Range");
    const uint64_t from = std::stoull(range.substr(6));
    return ScriptedReply::json(206, content.substr(from),
                               {{"content-range", "bytes " + std::to_string(from) + "-199/200"}});
  });
  Collected got;
  Result<ReadOutcome> out = f.store->read({"ws", "n1", "", 0, 0}, got.sink(), f.deadline());
  ASSERT_TRUE(out.ok()) << out.error().describe();
  EXPECT_EQ(got.contiguousFrom(0), content);
  EXPECT_EQ(out->bytesDelivered, 200u);
  ASSERT_EQ(ranges.size(), 2u);
  EXPECT_EQ(ranges[0], "");
  EXPECT_EQ(ranges[1], "bytes=50-");
}

TEST(HttpStoreRead, AResumedReadThatGetsTheWholeBodySkipsWhatWasDelivered) {
  const std::string content = sampleContent(120);
  std::atomic<int> calls{0};
  Fixture f([&](const SentRequest&) {
    ScriptedReply reply = ScriptedReply::json(200, content);
    if (calls++ == 0) reply.cutAfter = 30;
    return reply;
  });
  Collected got;
  Result<ReadOutcome> out = f.store->read({"ws", "n1", "", 0, 0}, got.sink(), f.deadline());
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(got.contiguousFrom(0), content);
  EXPECT_EQ(out->bytesDelivered, 120u);
}

TEST(HttpStoreRead, RangePastTheEndIsAnEmptyRead) {
  Fixture f([](const SentRequest&) {
    return ScriptedReply::json(416, "", {{"content-range", "bytes */10"}});
  });
  Collected got;
  Result<ReadOutcome> out = f.store->read({"ws", "n1", "", 50, 10}, got.sink(), f.deadline());
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->bytesDelivered, 0u);
  EXPECT_TRUE(got.pieces.empty());
}

TEST(HttpStoreRead, ErrorBodiesNeverReachTheSink) {
  Fixture f([](const SentRequest&) {
    return ScriptedReply::json(404, R"({"result":false,"error":{"code":133123,"text":"nf"}})");
  });
  Collected got;
  Result<ReadOutcome> out = f.store->read({"ws", "n1", "", 0, 0}, got.sink(), f.deadline());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(got.pieces.empty());
}

TEST(HttpStoreRead, ASinkErrorAbortsWithThatError) {
  Fixture f([](const SentRequest&) { return ScriptedReply::json(200, sampleContent(50)); });
  ByteSink failing = [](uint64_t, std::string_view) -> Status {
    return makeError(ErrorCode::kNoSpace, "disk full");
  };
  Result<ReadOutcome> out = f.store->read({"ws", "n1", "", 0, 0}, failing, f.deadline());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, ErrorCode::kNoSpace);
  EXPECT_EQ(f.transport.sent().size(), 1u);
}

// --- ask, search, activity, locks ---

TEST(HttpStoreAsk, WaitsThroughNonTerminalStatesUsingTheActivityPoll) {
  std::atomic<int> detailCalls{0};
  Fixture f([&](const SentRequest& r) {
    const std::string p = r.path();
    if (p == "/workspace/ws/ai/agent/") {
      EXPECT_NE(r.body.find("question=what%20is%20it%3F"), std::string::npos);
      return ok(
          R"({"result":true,"thread":{"thread_id":"T1"},"turn":{"turn_id":"M1"},"server_date":"D0"})");
    }
    if (p == "/workspace/ws/ai/agent/T1/message/M1/details/") {
      if (detailCalls++ < 2) return ok(R"({"result":true,"message":{"status":"running"}})");
      return ok(R"({"result":true,"message":{"status":"complete","response":{"text":"It is X.",
                "citations":[{"nodeId":"n1","entries":[{"page":1,"snippet":"X"}]}]}}})");
    }
    if (p == "/activity/poll/ws/") {
      EXPECT_FALSE(r.query("lastactivity").empty());
      return ok(R"({"result":true,"activity":["ai_chat:T1"],"lastactivity":"D1"})");
    }
    ADD_FAILURE() << p;
    return ScriptedReply::json(404, "{}");
  });
  Result<AskAnswer> a = f.store->ask("ws", "what is it?", f.deadline());
  ASSERT_TRUE(a.ok()) << a.error().describe();
  EXPECT_EQ(a->text, "It is X.");
  EXPECT_EQ(a->chatId, "T1");
  ASSERT_EQ(a->citations.size(), 1u);
  EXPECT_EQ(f.transport.count("/activity/poll/"), 2u);
}

TEST(HttpStoreAsk, AFailedTurnIsAnErrorAndTheDeadlineIsKept) {
  Fixture failed([](const SentRequest& r) {
    if (r.path() == "/workspace/ws/ai/agent/") return ok(R"({"thread_id":"T","turn_id":"M"})");
    return ok(R"({"result":true,"message":{"status":"errored"}})");
  });
  EXPECT_FALSE(failed.store->ask("ws", "q?", failed.deadline()).ok());

  Fixture slow([](const SentRequest& r) {
    if (r.path() == "/workspace/ws/ai/agent/") return ok(R"({"thread_id":"T","turn_id":"M"})");
    if (r.path() == "/activity/poll/ws/") {
      return ScriptedReply::json(404,
                                 R"({"result":false,"error":{"code":9992,"text":"no route"}})");
    }
    return ok(R"({"result":true,"message":{"status":"running"}})");
  });
  Result<AskAnswer> a = slow.store->ask("ws", "q?", slow.deadline(std::chrono::seconds(20)));
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().code, ErrorCode::kDeadline);
  EXPECT_LE(slow.clock.slept(), std::chrono::seconds(20));
  EXPECT_LT(slow.transport.count("/workspace/ws/ai/agent/T/"), 40u) << "no tight polling";
}

TEST(HttpStoreSearch, SendsTheQueryAndValidatesItsLength) {
  Fixture f([](const SentRequest& r) {
    EXPECT_EQ(r.query("search"), "quarterly%20report");
    EXPECT_EQ(r.query("search_in"), "content");
    return ok(R"({"result":true,"files":{"n1":{"name":"q.pdf","relevance_score":1}}})");
  });
  SearchOptions options;
  options.searchIn = SearchIn::kContent;
  Result<SearchResult> r = f.store->search("ws", "quarterly report", options, f.deadline());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->hits.size(), 1u);
  EXPECT_EQ(f.store->search("ws", "q", options, f.deadline()).error().code, ErrorCode::kInvalid);
}

TEST(HttpStoreLocks, AcquireHeartbeatRelease) {
  Fixture f([](const SentRequest& r) {
    if (r.method == http::HttpMethod::kPost && r.path() == "/workspace/ws/storage/n1/lock/") {
      EXPECT_NE(r.body.find("duration=120"), std::string::npos);
      return ok(R"({"result":true,"lock_token":"LT1"})");
    }
    if (r.path() == "/workspace/ws/storage/n1/lock/heartbeat/") {
      EXPECT_NE(r.body.find("lock_token=LT1"), std::string::npos);
      return ok(R"({"result":true})");
    }
    if (r.method == http::HttpMethod::kDelete) {
      EXPECT_EQ(r.query("lock_token"), "LT1");
      return ok(R"({"result":true})");
    }
    return ok(R"({"result":true,"locked":false})");
  });
  Result<LockInfo> lock = f.store->acquireLock("ws", "n1", 120, f.deadline());
  ASSERT_TRUE(lock.ok());
  EXPECT_EQ(lock->token, "LT1");
  EXPECT_TRUE(f.store->heartbeatLock("ws", "n1", "LT1", f.deadline()).ok());
  EXPECT_TRUE(f.store->releaseLock("ws", "n1", "LT1", f.deadline()).ok());
  Result<LockInfo> status = f.store->lockStatus("ws", "n1", f.deadline());
  ASSERT_TRUE(status.ok());
  EXPECT_FALSE(status->locked);
}

TEST(HttpStoreMutations, ThinAnswersAreCompletedFromDetails) {
  Fixture f([](const SentRequest& r) {
    if (r.path() == "/workspace/ws/storage/n1/update/") {
      EXPECT_NE(r.body.find("name=new%20name"), std::string::npos);
      EXPECT_NE(r.body.find("if_version_id=v1"), std::string::npos);
      return ok(R"({"result":true})");
    }
    return ok(R"({"result":true,"node":)" + nodeJson("n1", "new name") + "}");
  });
  Result<Node> n = f.store->rename("ws", "n1", "new name", "v1", f.deadline());
  ASSERT_TRUE(n.ok()) << n.error().describe();
  EXPECT_EQ(n->name, "new name");
}

}  // namespace
}  // namespace fastio::http
