// HttpRemoteStore against a real fastio-emulator with its fault knobs: transient 503s, resets,
// a rate limit, a rejected chunk and ignored ranges must never reach the caller. Also the OAuth
// PKCE login and refresh against the emulator's authority.

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "client/auth/OAuthClient.h"
#include "client/auth/TokenProvider.h"
#include "tests/client_http/EmulatorBackedStore.h"
#include "tests/support/EmulatorCounters.h"

namespace fastio::testing {
namespace {

std::string pattern(size_t n, unsigned seed) {
  std::string s(n, '\0');
  uint64_t x = 0x9E3779B97F4A7C15ull * (seed + 1);
  for (size_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    s[i] = static_cast<char>(x);
  }
  return s;
}

ByteSource sourceOf(const std::string& data) {
  return [&data](uint64_t offset, char* out, size_t length) -> Result<size_t> {
    if (offset >= data.size()) return size_t{0};
    const size_t n = std::min<uint64_t>(length, data.size() - offset);
    std::memcpy(out, data.data() + offset, n);
    return n;
  };
}

Result<std::string> readAll(RemoteStore& store, const std::string& ws, const std::string& id,
                            Deadline deadline) {
  std::string out;
  ByteSink sink = [&](uint64_t offset, std::string_view bytes) {
    if (out.size() < offset + bytes.size()) out.resize(offset + bytes.size());
    std::memcpy(out.data() + offset, bytes.data(), bytes.size());
    return okStatus();
  };
  Result<ReadOutcome> r = store.read({ws, id, "", 0, 0}, sink, deadline);
  if (!r.ok()) return r.error();
  return out;
}

Result<UploadResult> put(RemoteStore& store, const std::string& ws, const std::string& name,
                         const std::string& data, Deadline deadline) {
  UploadRequest request;
  request.workspaceId = ws;
  request.name = name;
  request.size = data.size();
  return store.upload(request, sourceOf(data), nullptr, deadline);
}

TEST(HttpEmulator, UploadsAndReadsSurviveErrorsAndResets) {
  http::HttpRemoteStoreOptions options;
  options.preferredChunkSize = 1 << 20;  // more chunks, more chances to fail
  options.retry.maxAttempts = 12;
  EmulatorBackedStore backed(options);
  const std::string ws = backed.freshWorkspace();
  ASSERT_TRUE(backed.setFaults(R"({"error_rate":0.2,"reset_rate":0.05})").ok());
  const Deadline deadline = Deadline::after(std::chrono::minutes(4));
  const size_t mib = 1 << 20;
  const std::vector<size_t> sizes = {0, 1, 4 * mib - 1, 4 * mib, 4 * mib + 1, 6 * mib + 3};
  for (size_t i = 0; i < sizes.size(); ++i) {
    const std::string data = pattern(sizes[i], static_cast<unsigned>(i));
    const std::string name = "f" + std::to_string(i) + ".bin";
    Result<UploadResult> up = put(backed.store(), ws, name, data, deadline);
    ASSERT_TRUE(up.ok()) << name << ": " << up.error().describe();
    EXPECT_EQ(up->node.size, data.size());
    Result<std::string> back = readAll(backed.store(), ws, up->node.id, deadline);
    ASSERT_TRUE(back.ok()) << name << ": " << back.error().describe();
    EXPECT_TRUE(*back == data) << name << " differs after the round trip";
  }
  size_t listed = 0;
  Status st = backed.store().listFolder(
      ws, "root",
      [&](FolderPage&& p) {
        listed += p.nodes.size();
        return true;
      },
      deadline);
  ASSERT_TRUE(st.ok()) << st.error().describe();
  EXPECT_EQ(listed, sizes.size());
}

TEST(HttpEmulator, RateLimitedCallsWaitForTheResetAndSucceed) {
  EmulatorBackedStore backed;
  const std::string ws = backed.freshWorkspace();
  ASSERT_TRUE(backed.setFaults(R"({"rate_limit_per_sec":10})").ok());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        Status st = backed.store().listFolder(
            ws, "root", [](FolderPage&&) { return true; },
            Deadline::after(std::chrono::seconds(60)));
        if (!st.ok()) {
          ++failures;
          ADD_FAILURE() << st.error().describe();
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(HttpEmulator, ARejectedChunkIsRetriedOnItsOwn) {
  http::HttpRemoteStoreOptions options;
  options.preferredChunkSize = 1 << 20;
  EmulatorBackedStore backed(options);
  const std::string ws = backed.freshWorkspace();
  ASSERT_TRUE(backed.setFaults(R"({"fail_chunk_order":2})").ok());
  const std::string data = pattern((5 << 20) + 17, 7);
  const Deadline deadline = Deadline::after(std::chrono::minutes(2));
  Result<UploadResult> up = put(backed.store(), ws, "chunked.bin", data, deadline);
  ASSERT_TRUE(up.ok()) << up.error().describe();
  EXPECT_FALSE(up->sessionId.empty());
  Result<std::string> back = readAll(backed.store(), ws, up->node.id, deadline);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(*back == data);
}

TEST(HttpEmulator, ARejectedChunkIsSentTwiceAndCountedOnce) {
  http::HttpRemoteStoreOptions options;
  options.preferredChunkSize = 1 << 20;
  EmulatorBackedStore backed(options);
  const std::string ws = backed.freshWorkspace();
  ASSERT_TRUE(backed.setFaults(R"({"fail_chunk_order":2})").ok());
  EmulatorCounters::reset(backed.emulator());
  const std::string data = pattern((5 << 20) + 5, 8);  // six chunks of at most 1 MiB
  Result<UploadResult> up =
      put(backed.store(), ws, "counted.bin", data, Deadline::after(std::chrono::minutes(2)));
  ASSERT_TRUE(up.ok()) << up.error().describe();
  const EmulatorCounters c = EmulatorCounters::read(backed.emulator());
  EXPECT_EQ(c["upload_sessions_created"], 1u);
  EXPECT_EQ(c["chunks_received"], 6u);  // the rejected try is not counted
  EXPECT_EQ(c["chunk_bytes_received"], data.size());
  EXPECT_EQ(c["uploads_completed"], 1u);
  EXPECT_EQ(c["uploads_stored"], 1u);
  EXPECT_EQ(c["uploads_cancelled"], 0u);
}

TEST(HttpEmulator, SessionsTheClientGivesUpAreCancelledOnTheServer) {
  EmulatorBackedStore backed;
  const std::string ws = backed.freshWorkspace();
  const Deadline deadline = Deadline::after(std::chrono::minutes(2));
  const std::string data = pattern((4 << 20) + 100, 9);
  EmulatorCounters::reset(backed.emulator());

  // The source fails: the session is cancelled.
  UploadRequest request;
  request.workspaceId = ws;
  request.name = "broken.bin";
  request.size = data.size();
  Result<UploadResult> broken = backed.store().upload(
      request,
      [](uint64_t, char*, size_t) -> Result<size_t> {
        return makeError(ErrorCode::kIo, "the disk went away");
      },
      nullptr, deadline);
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().code, ErrorCode::kIo);
  EXPECT_EQ(EmulatorCounters::read(backed.emulator())["uploads_cancelled"], 1u);

  // The version moved on while the session uploaded: assembly fails, the session is cancelled.
  Result<UploadResult> base = put(backed.store(), ws, "cas.bin", "base", deadline);
  ASSERT_TRUE(base.ok()) << base.error().describe();
  UploadRequest cas;
  cas.workspaceId = ws;
  cas.name = "cas.bin";
  cas.size = data.size();
  cas.existingFileId = base->node.id;
  cas.ifVersionId = base->node.version;
  bool moved = false;
  Result<UploadResult> lost = backed.store().upload(
      cas,
      [&](uint64_t offset, char* out, size_t length) -> Result<size_t> {
        if (!moved) {
          moved = true;
          Result<UploadResult> other = put(backed.store(), ws, "cas.bin", "other", deadline);
          if (!other.ok()) return other.error();
        }
        return sourceOf(data)(offset, out, length);
      },
      nullptr, deadline);
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.error().code, ErrorCode::kConflict) << lost.error().describe();
  const EmulatorCounters c = EmulatorCounters::read(backed.emulator());
  EXPECT_EQ(c["uploads_cancelled"], 2u);
  EXPECT_EQ(c["uploads_stored"], 2u);  // base and other; ours never
}

TEST(HttpEmulator, RangedReadsAndTheIgnoredRangeFallback) {
  EmulatorBackedStore backed;
  const std::string ws = backed.freshWorkspace();
  const std::string data = pattern(100000, 3);
  const Deadline deadline = Deadline::after(std::chrono::minutes(1));
  Result<UploadResult> up = put(backed.store(), ws, "r.bin", data, deadline);
  ASSERT_TRUE(up.ok()) << up.error().describe();

  std::map<uint64_t, std::string> got;
  ByteSink sink = [&](uint64_t offset, std::string_view bytes) {
    got[offset] += std::string(bytes);
    return okStatus();
  };
  Result<ReadOutcome> ranged =
      backed.store().read({ws, up->node.id, "", 1000, 5000}, sink, deadline);
  ASSERT_TRUE(ranged.ok()) << ranged.error().describe();
  EXPECT_TRUE(ranged->rangeHonoured);
  EXPECT_EQ(ranged->bytesDelivered, 5000u);
  std::string joined;
  for (auto& [off, s] : got) joined += s;
  EXPECT_EQ(got.begin()->first, 1000u);
  EXPECT_TRUE(joined == data.substr(1000, 5000));

  ASSERT_TRUE(backed.setFaults(R"({"ignore_range":true})").ok());
  got.clear();
  Result<ReadOutcome> whole =
      backed.store().read({ws, up->node.id, "", 1000, 5000}, sink, deadline);
  ASSERT_TRUE(whole.ok());
  EXPECT_FALSE(whole->rangeHonoured);
  EXPECT_EQ(whole->bytesDelivered, data.size());
  joined.clear();
  for (auto& [off, s] : got) joined += s;
  EXPECT_EQ(got.begin()->first, 0u);
  EXPECT_TRUE(joined == data);
}

TEST(HttpEmulator, OAuthPkceLoginAndRefresh) {
  EmulatorBackedStore backed({}, {"--oauth-auto-approve"});
  http::CurlTransport transport;
  auth::OAuthClient oauth(transport, backed.apiUrl());
  const Deadline deadline = Deadline::after(std::chrono::seconds(30));
  Result<auth::AuthorizationStart> start = oauth.startAuthorization(deadline);
  ASSERT_TRUE(start.ok()) << start.error().describe();
  ASSERT_FALSE(start->approvedCode.empty()) << "the emulator was started with auto-approve";
  EXPECT_NE(start->browserUrl.find(start->authRequestId), std::string::npos);

  // A wrong verifier is refused: the server really checks S256.
  auth::AuthorizationStart forged = *start;
  forged.pkce = auth::makePkcePair();
  Result<auth::TokenSet> refused = oauth.exchangeCode(forged, start->approvedCode, deadline);
  ASSERT_FALSE(refused.ok());

  Result<auth::AuthorizationStart> again = oauth.startAuthorization(deadline);
  ASSERT_TRUE(again.ok());
  Result<auth::TokenSet> tokens = oauth.exchangeCode(*again, again->approvedCode, deadline);
  ASSERT_TRUE(tokens.ok()) << tokens.error().describe();
  EXPECT_FALSE(tokens->accessToken.empty());
  EXPECT_FALSE(tokens->refreshToken.empty());
  ASSERT_TRUE(tokens->expiresAt.has_value());

  // The refreshing provider works with the issued token, and refreshes after a rejection.
  auth::RefreshingTokenProvider provider(
      *tokens, std::make_unique<auth::OAuthClient>(transport, backed.apiUrl()), "");
  http::HttpRemoteStoreOptions options;
  options.apiUrl = backed.apiUrl();
  http::HttpRemoteStore store(transport, provider, options);
  Result<UserInfo> me = store.currentUser(deadline);
  ASSERT_TRUE(me.ok()) << me.error().describe();
  Result<std::string> fresh = provider.refreshAfterRejection(tokens->accessToken, deadline);
  ASSERT_TRUE(fresh.ok()) << fresh.error().describe();
  EXPECT_NE(*fresh, tokens->accessToken);
  EXPECT_TRUE(store.currentUser(deadline).ok());
}

TEST(HttpEmulator, AWrongTokenIsUnauthenticatedWithoutLeakingIt) {
  EmulatorBackedStore backed;
  http::CurlTransport transport;
  auth::StaticTokenProvider wrong("not-the-token-123");
  http::HttpRemoteStoreOptions options;
  options.apiUrl = backed.apiUrl();
  http::HttpRemoteStore store(transport, wrong, options);
  Result<std::vector<Workspace>> ws =
      store.listWorkspaces(Deadline::after(std::chrono::seconds(20)));
  ASSERT_FALSE(ws.ok());
  EXPECT_EQ(ws.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(ws.error().describe().find("not-the-token-123"), std::string::npos);
}

}  // namespace
}  // namespace fastio::testing
