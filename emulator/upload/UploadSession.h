#pragma once
// One upload session as the API describes it (fastio-api.md §6), plus its JSON forms: the
// `session` object of GET /upload/{id}/details/ and the record persisted on disk.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/Result.h"

namespace fastio::emu {

// ready → uploading → assemble → assembling → complete → store → storing → stored;
// assembly_failed / store_failed are terminal failures; cancelled is ours (DELETE /upload/{id}/).
enum class UploadStatus {
  kReady,
  kUploading,
  kAssemble,
  kAssembling,
  kComplete,
  kStore,
  kStoring,
  kStored,
  kAssemblyFailed,
  kStoreFailed,
  kCancelled,
};

std::string_view uploadStatusName(UploadStatus status);
std::optional<UploadStatus> parseUploadStatus(std::string_view name);
// No further change will happen (pollers stop here).
bool isTerminal(UploadStatus status);
// Chunks may still be added, replaced or removed.
bool acceptsChunks(UploadStatus status);

enum class UploadAction { kCreate, kUpdate };

// Where the finished file goes. Without instanceId the session stops at `complete`.
struct UploadTarget {
  std::string userId;
  UploadAction action = UploadAction::kCreate;
  std::string instanceId;  // workspace id or folder_name; empty = no auto-store
  std::string profileType = "workspace";
  std::string folderId = "root";
  std::string fileId;  // with kUpdate: the node whose content is replaced
  // With kUpdate, optional compare-and-swap: the store fails unless this is still the file's
  // current version (the session then ends assembly_failed, CONFLICT_VERSION_MISMATCH:{current}).
  std::string ifVersionId;
  std::string name;
};

struct UploadSession {
  std::string id;  // canonical form: lower case, no hyphens
  UploadTarget target;
  std::uint64_t size = 0;  // declared total bytes
  std::string hash;        // optional whole-file hash, verified after assembly
  std::string hashAlgo;
  bool singleCall = false;
  UploadStatus status = UploadStatus::kReady;
  std::string statusMessage;
  long long errorCode = 0;  // e.g. 10522 with assembly_failed
  std::string newFileId;
  std::string newVersionId;
  std::map<int, std::uint64_t> chunks;  // order (1-based) → bytes
  std::int64_t createdEpoch = 0;
  std::int64_t updatedEpoch = 0;

  std::uint64_t bytesReceived() const;
  // The API's `session` object.
  nlohmann::json toApiJson() const;
  // The persisted record (a superset, round-trips through fromRecord).
  nlohmann::json toRecord() const;
  static Result<UploadSession> fromRecord(const nlohmann::json& record);
};

// "2026-11-26 12:45:00 UTC": the timestamp format of the emulator's JSON.
std::string formatUtc(std::int64_t epochSeconds);

}  // namespace fastio::emu
