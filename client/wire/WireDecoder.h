#pragma once
// Wire JSON → domain types (client/Types.h). Accepts every documented variant of each shape
// (fastio-api.md §1.2, §4.1, §6, §7.1, §7.2, §8.1); ignores unknown fields; anything it cannot
// understand is an Error of class kProtocol, never an exception and never a crash.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client/Types.h"
#include "client/wire/HttpMessage.h"
#include "client/wire/JsonReading.h"

namespace fastio::http {

// The payload of a 2xx JSON answer: `response` when present, else the body minus `result`.
// A failure envelope (result false/"no") becomes its Error; any non-2xx goes through
// errorFromResponse. `what` names the call in messages.
Result<Json> decodeEnvelope(const HttpResponse& response, std::string_view what);
// Same, from an already parsed body.
Result<Json> unwrapEnvelope(const Json& body, int status, std::string_view what);

Result<Node> decodeNode(const Json& j);
NodeType decodeNodeType(std::string_view type);

struct WireFolderPage {
  std::vector<Node> nodes;
  std::string nextCursor;     // empty: this was the last page
  size_t skippedEntries = 0;  // entries without a usable id
};
Result<WireFolderPage> decodeFolderPage(const Json& payload);

// Single (`node`) or bulk (`nodes` + `errors`) details.
Result<NodeDetailsBatch> decodeNodeDetails(const Json& payload);

struct WireWorkspaces {
  std::vector<Workspace> workspaces;
  bool hasMore = false;
};
Result<WireWorkspaces> decodeWorkspaces(const Json& payload);
Result<Workspace> decodeWorkspace(const Json& payload);
Result<std::vector<Org>> decodeOrgs(const Json& payload);
Result<UserInfo> decodeUser(const Json& payload);

// The `files` map (current) or the legacy `results[]`; hits sorted best first.
Result<SearchResult> decodeSearch(const Json& payload);

struct ChatIds {
  std::string chatId;
  std::string messageId;
};
Result<ChatIds> decodeChatCreated(const Json& payload);
// State, answer text (or the clarifying question) and citations of one message/turn.
Result<AskAnswer> decodeMessageDetails(const Json& payload);
bool isTerminalMessageState(std::string_view state);
bool isFailedMessageState(std::string_view state);

Result<ActivityBatch> decodeActivity(const Json& payload);

struct WireUploadSession {
  std::string id;
  std::string status;
  std::string statusMessage;
  std::string newFileId;
  std::map<uint32_t, uint64_t> chunks;  // order → bytes acknowledged
};
Result<WireUploadSession> decodeUploadSession(const Json& payload);
Result<UploadLimits> decodeUploadLimits(const Json& payload);
Result<LockInfo> decodeLock(const Json& payload);

// A string the server sends somewhere in a payload (e.g. server_date), or empty.
std::string serverDate(const Json& payload);

}  // namespace fastio::http
