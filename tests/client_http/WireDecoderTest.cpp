// Every documented wire variant (fastio-api.md §1.2, §4.1, §6, §7.1, §7.2, §8.1) decodes to the
// same domain value; hostile payloads become kProtocol errors, never a crash or an exception.

#include <gtest/gtest.h>

#include "client/wire/ErrorMapping.h"
#include "client/wire/WireDecoder.h"

namespace fastio::http {
namespace {

HttpResponse reply(int status, std::string body, std::string contentType = "application/json") {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers["content-type"] = std::move(contentType);
  return r;
}

Json payloadOf(const std::string& body, int status = 200) {
  Result<Json> p = decodeEnvelope(reply(status, body), "test");
  EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().describe());
  return p.ok() ? *p : Json::object();
}

Error errorOf(const std::string& body, int status) {
  Result<Json> p = decodeEnvelope(reply(status, body), "test call");
  EXPECT_FALSE(p.ok());
  return p.ok() ? Error{} : p.error();
}

// --- envelope ---

TEST(Envelope, ResultTrueWithPayloadBeside) {
  Json p = payloadOf(R"({"result":true,"id":"abc","current_api_version":"1.0"})");
  EXPECT_EQ(p["id"], "abc");
  EXPECT_FALSE(p.contains("result"));
  EXPECT_FALSE(p.contains("current_api_version"));
}

TEST(Envelope, ResultYesWithResponseObject) {
  Json p = payloadOf(R"({"result":"yes","response":{"id":"abc"},"server_date":"2026-01-01"})");
  EXPECT_EQ(p["id"], "abc");
  EXPECT_EQ(serverDate(p), "2026-01-01");
}

TEST(Envelope, FailureWithErrorText) {
  Error e = errorOf(R"({"result":false,"error":{"code":133123,"text":"Node not found"}})", 404);
  EXPECT_EQ(e.code, ErrorCode::kNotFound);
  EXPECT_EQ(e.remoteCode, 133123);
  EXPECT_EQ(e.httpStatus, 404);
  EXPECT_NE(e.message.find("Node not found"), std::string::npos);
}

TEST(Envelope, FailureWithErrorMessageAndStringCode) {
  Error e = errorOf(R"({"result":"no","error":{"code":"1605","message":"Bad name"}})", 406);
  EXPECT_EQ(e.code, ErrorCode::kInvalid);
  EXPECT_EQ(e.remoteCode, 1605);
  EXPECT_NE(e.message.find("Bad name"), std::string::npos);
}

TEST(Envelope, FlatErrorMessageVariant) {
  Error e = errorOf(R"({"result":false,"error_message":"Nothing to cancel","error_id":42})", 406);
  EXPECT_EQ(e.code, ErrorCode::kInvalid);
  EXPECT_NE(e.message.find("Nothing to cancel"), std::string::npos);
}

TEST(Envelope, ResultFalseOnHttp200IsAnError) {
  Error e = errorOf(R"({"result":false,"error":{"code":133123,"text":"gone"}})", 200);
  EXPECT_EQ(e.code, ErrorCode::kNotFound);
}

TEST(Envelope, UnrecognisedResultValueIsProtocolError) {
  Error e = errorOf(R"({"result":"maybe"})", 200);
  EXPECT_EQ(e.code, ErrorCode::kProtocol);
}

TEST(Envelope, StatusClassesAndRefinements) {
  EXPECT_EQ(errorOf(R"({"result":false,"error":{"code":1,"text":"x"}})", 401).code,
            ErrorCode::kUnauthenticated);
  EXPECT_EQ(errorOf(R"({"result":false,"error":{"code":10545,"text":"x"}})", 401).code,
            ErrorCode::kDenied);
  EXPECT_EQ(errorOf(R"({"result":false,"error":{"code":1688,"text":"x"}})", 402).code,
            ErrorCode::kQuota);
  EXPECT_EQ(errorOf(R"({"result":false,"error":{"code":1,"text":"x"}})", 403).code,
            ErrorCode::kDenied);
  EXPECT_EQ(errorOf(R"({"result":false,"error":{"code":9992,"text":"x"}})", 404).code,
            ErrorCode::kNotSupported);
  EXPECT_EQ(errorOf(R"({"result":false,"error":{"code":1,"text":"x"}})", 413).code,
            ErrorCode::kTooLarge);
  EXPECT_EQ(errorOf(R"({"result":false,"error":{"code":1,"text":"x"}})", 429).code,
            ErrorCode::kRateLimited);
  EXPECT_EQ(errorOf(R"({"result":false,"error":{"code":1654,"text":"x"}})", 500).code,
            ErrorCode::kUnavailable);
  EXPECT_EQ(errorOf(R"({"result":false,"error":{"code":146950,"text":"x"}})", 500).code,
            ErrorCode::kNotFound);
  EXPECT_EQ(errorOf(R"({"result":false,"error":{"code":1,"text":"x"}})", 410).code,
            ErrorCode::kNotSupported);
}

TEST(Envelope, CasConflictFromParams) {
  Error e = errorOf(
      R"({"result":false,"error":{"code":1605,"text":"stale","params":[{"reason":"conflict_version_mismatch","current_version_id":"v2"}]}})",
      406);
  EXPECT_EQ(e.code, ErrorCode::kConflict);
  Error e2 = errorOf(
      R"({"result":false,"error":{"code":1660,"text":"stale","params":{"current":{}}}})", 409);
  EXPECT_EQ(e2.code, ErrorCode::kConflict);
}

TEST(Envelope, HtmlErrorPageIsAClearErrorWithoutTheBody) {
  Result<Json> p = decodeEnvelope(
      reply(502, "<html><body><h1>502 Bad Gateway</h1>secret-internal-host</body></html>",
            "text/html"),
      "GET /x/");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(p.error().httpStatus, 502);
  EXPECT_NE(p.error().message.find("non-JSON"), std::string::npos);
  EXPECT_EQ(p.error().message.find("secret-internal-host"), std::string::npos);
}

TEST(Envelope, HtmlOn200IsProtocolError) {
  Result<Json> p = decodeEnvelope(reply(200, "<!DOCTYPE html><html></html>", "text/html"), "t");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, ErrorCode::kProtocol);
  EXPECT_NE(p.error().message.find("HTML"), std::string::npos);
}

TEST(Envelope, ServerTextIsSanitisedAndRedacted) {
  Error e = errorOf(
      "{\"result\":false,\"error\":{\"code\":1,\"text\":\"bad\\n\\u001b[31mBearer abc.def "
      "token=xyz\"}}",
      400);
  EXPECT_EQ(e.message.find('\n'), std::string::npos);
  EXPECT_EQ(e.message.find('\x1b'), std::string::npos);
  EXPECT_EQ(e.message.find("abc.def"), std::string::npos);
  EXPECT_EQ(e.message.find("xyz"), std::string::npos);
}

// --- hostile bodies ---

TEST(Hostile, TruncatedJson) {
  Result<Json> p = decodeEnvelope(reply(200, R"({"result":true,"nodes":{"items":[{"id":"a")"), "t");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, ErrorCode::kProtocol);
}

TEST(Hostile, EmptyBody) {
  Result<Json> p = decodeEnvelope(reply(200, ""), "t");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, ErrorCode::kProtocol);
}

TEST(Hostile, DeepNestingIsRefusedBeforeParsing) {
  std::string deep(100000, '[');
  deep += std::string(100000, ']');
  Result<Json> p = parseJson(deep, "t");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, ErrorCode::kProtocol);
  EXPECT_NE(p.error().message.find("nested"), std::string::npos);
}

TEST(Hostile, BracketsInsideStringsDoNotCountAsNesting) {
  const std::string body = "{\"name\":\"" + std::string(500, '[') + "\"}";
  EXPECT_TRUE(parseJson(body, "t").ok());
}

TEST(Hostile, InvalidUtf8IsRepairedNotFatal) {
  const std::string body =
      "{\"result\":true,\"node\":{\"id\":\"f1\",\"name\":\"a\xff\xfe b\xc3\",\"type\":\"file\"}}";
  Json p = payloadOf(body);
  Result<NodeDetailsBatch> batch = decodeNodeDetails(p);
  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(batch->nodes.size(), 1u);
  EXPECT_EQ(batch->nodes[0].name, "a\xEF\xBF\xBD\xEF\xBF\xBD b\xEF\xBF\xBD");
}

TEST(Hostile, WrongTypesAreProtocolErrors) {
  EXPECT_EQ(decodeNode(Json::parse(R"({"id":"f1","size":"lots"})")).error().code,
            ErrorCode::kProtocol);
  EXPECT_EQ(decodeNode(Json::parse(R"({"id":"f1","size":-5})")).error().code, ErrorCode::kProtocol);
  EXPECT_EQ(decodeNode(Json::parse(R"({"id":"f1","size":1.5})")).error().code,
            ErrorCode::kProtocol);
  EXPECT_EQ(decodeNode(Json::parse(R"({"id":{"x":1}})")).error().code, ErrorCode::kProtocol);
  EXPECT_EQ(decodeNode(Json::parse(R"([1,2,3])")).error().code, ErrorCode::kProtocol);
  EXPECT_EQ(decodeFolderPage(Json::parse(R"({"nodes":"many"})")).error().code,
            ErrorCode::kProtocol);
  EXPECT_EQ(decodeSearch(Json::parse(R"({"files":7})")).error().code, ErrorCode::kProtocol);
  EXPECT_EQ(
      decodeUploadSession(Json::parse(R"({"session":{"id":"u","chunks":{"x":1}}})")).error().code,
      ErrorCode::kProtocol);
  EXPECT_FALSE(unwrapEnvelope(Json::parse("[1]"), 200, "t").ok());
  EXPECT_FALSE(unwrapEnvelope(Json::parse("\"text\""), 200, "t").ok());
}

TEST(Hostile, HugeNumbers) {
  // Bigger than uint64: parsed as a double, refused as a size.
  EXPECT_FALSE(decodeNode(Json::parse(R"({"id":"f1","size":1e300})")).ok());
  EXPECT_FALSE(decodeNode(Json::parse(R"({"id":"f1","size":99999999999999999999999})")).ok());
  // The largest uint64 is fine.
  Result<Node> n = decodeNode(Json::parse(R"({"id":"f1","size":18446744073709551615})"));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->size, 18446744073709551615ull);
  // An id that lost precision as a double is refused, not guessed.
  EXPECT_FALSE(decodeNode(Json::parse(R"({"id":1e40})")).ok());
  // Timestamps far out of range are ignored rather than trusted.
  Result<Node> t = decodeNode(Json::parse(R"({"id":"f1","modified":1e300})"));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->modified, WallTime{});
}

TEST(Hostile, NamesWithAnyBytesSurvive) {
  Result<Node> n = decodeNode(Json::parse(R"({"id":"f1","name":"../a/b\u0000c\n","type":"file"})"));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->name, std::string("../a/b\0c\n", 9));  // name policy is the fs layer's
}

// --- nodes and listings ---

TEST(Nodes, AllDocumentedFields) {
  Result<Node> n = decodeNode(Json::parse(R"({
    "id":"F3JM5-ZQZFX-PXDR2-DX8Z5-BVNB3-RPJFM","name":"report.pdf","type":"file","parent":"root",
    "size":"1234","version":"v9","hash":"abc","hash_algo":"md5",
    "created":"2026-04-24 23:49:04 UTC","modified":"2026-04-25T01:02:03.5Z",
    "mimetype":"application/pdf","ai":{"state":"ready","attach":true},
    "summary":{"title":"T","short":"S","long":"L"},"locked":"true","unknown_field":{"a":[1]}})"));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->id, "f3jm5zqzfxpxdr2dx8z5bvnb3rpjfm");
  EXPECT_EQ(n->type, NodeType::kFile);
  EXPECT_EQ(n->parentId, "root");
  EXPECT_EQ(n->size, 1234u);
  EXPECT_EQ(n->version, "v9");
  EXPECT_EQ(n->aiState, "ready");
  EXPECT_EQ(n->summary.shortText, "S");
  EXPECT_TRUE(n->locked);
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::seconds>(n->created.time_since_epoch()).count(),
            1777074544);
  EXPECT_EQ(
      std::chrono::duration_cast<std::chrono::milliseconds>(n->modified.time_since_epoch()).count(),
      1777078923500);
}

TEST(Nodes, NumericIdsAndParentId) {
  Result<Node> n = decodeNode(Json::parse(R"({"id":12345,"parent_id":"D1","type":"folder"})"));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->id, "12345");
  EXPECT_EQ(n->parentId, "d1");
  EXPECT_TRUE(n->isFolder());
}

TEST(Listing, NodesObjectWithItemsAndPaginationCursor) {
  Result<WireFolderPage> page = decodeFolderPage(Json::parse(
      R"({"nodes":{"items":[{"id":"a","name":"x","type":"file"},{"id":"b","name":"y","type":"folder"}],"count":2},
          "pagination":{"next_cursor":"c2","page_size":2}})"));
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->nodes.size(), 2u);
  EXPECT_EQ(page->nextCursor, "c2");
}

TEST(Listing, NodesArrayWithTopLevelCursor) {
  Result<WireFolderPage> page =
      decodeFolderPage(Json::parse(R"({"nodes":[{"id":"a","name":"x"}],"next_cursor":"zz"})"));
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->nextCursor, "zz");
}

TEST(Listing, ItemsAndFilesKeysAndNullCursor) {
  Result<WireFolderPage> a =
      decodeFolderPage(Json::parse(R"({"items":[{"id":"a"}],"next_cursor":null})"));
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->nextCursor.empty());
  Result<WireFolderPage> b = decodeFolderPage(Json::parse(R"({"files":{"a":{"id":"a"}}})"));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->nodes.size(), 1u);
}

TEST(Listing, HasMoreFalseEndsEvenWithACursor) {
  Result<WireFolderPage> page = decodeFolderPage(
      Json::parse(R"({"nodes":[],"pagination":{"next_cursor":"c","has_more":false}})"));
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->nextCursor.empty());
}

TEST(Listing, EntriesWithoutIdsAreSkippedAndCounted) {
  Result<WireFolderPage> page =
      decodeFolderPage(Json::parse(R"({"nodes":[{"name":"no id"},{"id":"ok","name":"fine"},42]})"));
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->nodes.size(), 1u);
  EXPECT_EQ(page->skippedEntries, 2u);
}

TEST(Listing, MissingCollectionIsProtocolError) {
  EXPECT_FALSE(decodeFolderPage(Json::parse(R"({"pagination":{}})")).ok());
}

TEST(Details, SingleMultiAndErrors) {
  Result<NodeDetailsBatch> single =
      decodeNodeDetails(Json::parse(R"({"node":{"id":"a","name":"x"},"format":"single"})"));
  ASSERT_TRUE(single.ok());
  EXPECT_EQ(single->nodes.size(), 1u);
  Result<NodeDetailsBatch> multi = decodeNodeDetails(Json::parse(
      R"({"format":"multi","nodes":[{"id":"a"},{"id":"b"}],"errors":[{"node_id":"C-1","code":133123,"message":"nf"}],"node_count":2,"error_count":1})"));
  ASSERT_TRUE(multi.ok());
  EXPECT_EQ(multi->nodes.size(), 2u);
  ASSERT_EQ(multi->missingIds.size(), 1u);
  EXPECT_EQ(multi->missingIds[0], "c1");
}

TEST(Details, TrashedNodesAreMissing) {
  Result<NodeDetailsBatch> batch = decodeNodeDetails(Json::parse(
      R"({"nodes":[{"id":"a","deleted":true},{"id":"b","deleted":"2026-01-01T00:00:00Z"},
                   {"id":"c","parent":"trash"},{"id":"d","deleted":false}]})"));
  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(batch->nodes.size(), 1u);
  EXPECT_EQ(batch->nodes[0].id, "d");
  EXPECT_EQ(batch->missingIds, (std::vector<std::string>{"a", "b", "c"}));
}

TEST(Workspaces, ListAndDetails) {
  Result<WireWorkspaces> list = decodeWorkspaces(Json::parse(
      R"({"workspaces":[{"id":12345678901234567890,"folder_name":"team-docs","name":"Team","intelligence":"true","org_id":"99"}],"pagination":{"has_more":true}})"));
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->workspaces.size(), 1u);
  EXPECT_EQ(list->workspaces[0].id, "12345678901234567890");
  EXPECT_TRUE(list->workspaces[0].intelligence);
  EXPECT_EQ(list->workspaces[0].orgId, "99");
  EXPECT_TRUE(list->hasMore);
  Result<Workspace> w =
      decodeWorkspace(Json::parse(R"({"workspace":{"id":"7","folder_name":"ab-cd"}})"));
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->folderName, "ab-cd");
}

TEST(Account, UserAndOrgs) {
  Result<UserInfo> u = decodeUser(Json::parse(
      R"({"user":{"id":5,"email_address":"a@b.c","first_name":"Ada","last_name":"L"}})"));
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->id, "5");
  EXPECT_EQ(u->displayName, "Ada L");
  Result<std::vector<Org>> orgs =
      decodeOrgs(Json::parse(R"({"orgs":[{"id":"1","domain":"acme","name":"Acme"}]})"));
  ASSERT_TRUE(orgs.ok());
  EXPECT_EQ(orgs->at(0).domain, "acme");
}

// --- search ---

TEST(Search, FilesMapSortedByRelevance) {
  Result<SearchResult> r = decodeSearch(Json::parse(R"({
    "files":{
      "n1":{"name":"a.txt","parent_id":null,"type":"file","relevance_score":0.4,"raw_score":3.1,
            "score_source":"keyword","content_snippet":null,"match_source":"keyword"},
      "N2":{"name":"b.pdf","parent_id":"d1","type":"file","relevance_score":0.9,
            "content_snippet":"hello","match_source":"both","mimetype":"application/pdf",
            "page":{"start_page":3,"end_page":4},"media_segment":null}},
    "search_metadata":{"intelligence_enabled":true,"semantic_available":true}})"));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->hits.size(), 2u);
  EXPECT_EQ(r->hits[0].nodeId, "n2");
  EXPECT_EQ(r->hits[0].snippet, "hello");
  EXPECT_EQ(r->hits[0].pageStart, 3);
  EXPECT_EQ(r->hits[0].pageEnd, 4);
  EXPECT_EQ(r->hits[1].parentId, "");
  EXPECT_EQ(r->hits[1].rawScore, 3.1);
  EXPECT_TRUE(r->intelligenceEnabled);
}

TEST(Search, EmptyMapSerialisedAsArray) {
  Result<SearchResult> r = decodeSearch(Json::parse(R"({"files":[]})"));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->hits.empty());
}

TEST(Search, FilenameOnlyEntries) {
  Result<SearchResult> r = decodeSearch(
      Json::parse(R"({"files":{"x":{"name":"n","parent_id":"root","type":"folder"}}})"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->hits[0].type, NodeType::kFolder);
}

TEST(Search, LegacyResultsArray) {
  Result<SearchResult> r = decodeSearch(Json::parse(R"({
    "results":[{"content":"low","score":0.1,"node":{"id":"a","name":"a.txt","parent":"root"}},
               {"content":"high","score":0.8,"node":{"id":"b","name":"b.txt","type":"file"}}],
    "pagination":{"total":2}})"));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->hits.size(), 2u);
  EXPECT_EQ(r->hits[0].nodeId, "b");
  EXPECT_EQ(r->hits[0].snippet, "high");
}

// --- chat ---

TEST(Chat, CreatedShapes) {
  auto ids = [](const char* body) { return decodeChatCreated(Json::parse(body)); };
  EXPECT_EQ(ids(R"({"thread":{"thread_id":"T"},"turn":{"turn_id":"U"}})")->messageId, "U");
  EXPECT_EQ(ids(R"({"thread_id":"T","turn_id":"U","seq":1,"status":"pending"})")->chatId, "T");
  EXPECT_EQ(ids(R"({"chat_id":"AIC_1","message_id":"AIJ_2"})")->messageId, "AIJ_2");
  EXPECT_EQ(ids(R"({"chat":{"id":"C"},"message":{"id":"M"}})")->chatId, "C");
  EXPECT_FALSE(ids(R"({"thread":{}})").ok());
}

TEST(Chat, AnswerInResponseText) {
  Result<AskAnswer> a = decodeMessageDetails(Json::parse(R"({"message":{
    "status":"complete","text":"the user's question",
    "response":{"text":"The answer.","citations":[{"nodeId":"N1","versionId":"V1",
      "entries":[{"page":2,"snippet":"s1"},{"page":5,"snippet":"s2"}]}]}}})"));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->state, "complete");
  EXPECT_EQ(a->text, "The answer.");
  ASSERT_EQ(a->citations.size(), 2u);
  EXPECT_EQ(a->citations[0].nodeId, "n1");
  EXPECT_EQ(a->citations[1].page, 5);
}

TEST(Chat, AnswerAtTopLevelAndInResultBlob) {
  Result<AskAnswer> top = decodeMessageDetails(Json::parse(
      R"({"message":{"state":"complete","text":"q"},"text":"A","citations":[{"node_id":"x","page":1,"snippet":"s"}]})"));
  ASSERT_TRUE(top.ok());
  EXPECT_EQ(top->text, "A");
  EXPECT_EQ(top->citations.at(0).page, 1);
  Result<AskAnswer> blob = decodeMessageDetails(Json::parse(
      R"({"turn":{"status":"complete","result":{"text":"B","citations":[{"nodeId":"y","entries":[]}]}}})"));
  ASSERT_TRUE(blob.ok());
  EXPECT_EQ(blob->text, "B");
  EXPECT_EQ(blob->citations.at(0).nodeId, "y");
}

TEST(Chat, NeedsInputCarriesTheClarifyingQuestion) {
  Result<AskAnswer> a = decodeMessageDetails(Json::parse(
      R"({"message":{"status":"needs_input","clarification":{"question":"Which year?"}}})"));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->text, "Which year?");
  Result<AskAnswer> b = decodeMessageDetails(Json::parse(
      R"({"message":{"status":"needs_input","result":{"clarification":"Which file?"}}})"));
  EXPECT_EQ(b->text, "Which file?");
}

TEST(Chat, TerminalStates) {
  for (const char* s : {"complete", "errored", "failed", "needs_input", "cancelled", "lost"}) {
    EXPECT_TRUE(isTerminalMessageState(s)) << s;
  }
  for (const char* s : {"ready", "in_progress", "post_processing", "pending", "running"}) {
    EXPECT_FALSE(isTerminalMessageState(s)) << s;
  }
  EXPECT_FALSE(decodeMessageDetails(Json::parse(R"({"message":{"text":"q"}})")).ok());
}

// --- activity, uploads, locks ---

TEST(Activity, KeysAndMarker) {
  Result<ActivityBatch> a = decodeActivity(
      Json::parse(R"({"activity":["storage:f1","ai_state:f2"],"lastactivity":1767225600123})"));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->keys.size(), 2u);
  EXPECT_EQ(a->lastActivity, "1767225600123");
  Result<ActivityBatch> b = decodeActivity(
      Json::parse(R"({"activity":[{"key":"storage"}],"server_date":"2026-01-01 00:00:00"})"));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->keys.at(0), "storage");
  EXPECT_EQ(b->lastActivity, "2026-01-01 00:00:00");
  EXPECT_FALSE(decodeActivity(Json::parse(R"({"nothing":1})")).ok());
}

TEST(Upload, SessionShapes) {
  Result<WireUploadSession> s = decodeUploadSession(Json::parse(
      R"({"session":{"id":"U1","status":"uploading","chunks":{"1":4194304,"3":100}}})"));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->chunks.size(), 2u);
  EXPECT_EQ(s->chunks.at(3), 100u);
  Result<WireUploadSession> empty =
      decodeUploadSession(Json::parse(R"({"session":{"id":"U1","status":"ready","chunks":[]}})"));
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->chunks.empty());
  Result<WireUploadSession> single =
      decodeUploadSession(Json::parse(R"({"id":"U2","new_file_id":"F-1"})"));
  ASSERT_TRUE(single.ok());
  EXPECT_EQ(single->newFileId, "f1");
  Result<WireUploadSession> list =
      decodeUploadSession(Json::parse(R"({"session":{"id":"U","chunks":[{"order":2,"size":5}]}})"));
  EXPECT_EQ(list->chunks.at(2), 5u);
}

TEST(Upload, Limits) {
  Result<UploadLimits> l =
      decodeUploadLimits(Json::parse(R"({"chunk_size":104857600,"size":1073741824,"chunks":35})"));
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->maxChunksPerSession, 35u);
  EXPECT_EQ(l->maxFileSize, 1073741824u);
  EXPECT_FALSE(decodeUploadLimits(Json::parse(R"({"chunk_size":0})")).ok());
}

TEST(Locks, TokenAndExpiry) {
  Result<LockInfo> l = decodeLock(Json::parse(
      R"({"lock":{"lock_token":"LT","locked":true,"expires":"2026-01-01 00:01:00 UTC"}})"));
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->token, "LT");
  EXPECT_TRUE(l->locked);
  ASSERT_TRUE(l->expires.has_value());
}

}  // namespace
}  // namespace fastio::http
