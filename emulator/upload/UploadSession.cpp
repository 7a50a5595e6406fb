#include "emulator/upload/UploadSession.h"

#include <ctime>

namespace fastio::emu {

namespace {

struct StatusName {
  UploadStatus status;
  std::string_view name;
};

constexpr StatusName kStatusNames[] = {
    {UploadStatus::kReady, "ready"},
    {UploadStatus::kUploading, "uploading"},
    {UploadStatus::kAssemble, "assemble"},
    {UploadStatus::kAssembling, "assembling"},
    {UploadStatus::kComplete, "complete"},
    {UploadStatus::kStore, "store"},
    {UploadStatus::kStoring, "storing"},
    {UploadStatus::kStored, "stored"},
    {UploadStatus::kAssemblyFailed, "assembly_failed"},
    {UploadStatus::kStoreFailed, "store_failed"},
    {UploadStatus::kCancelled, "cancelled"},
};

}  // namespace

std::string_view uploadStatusName(UploadStatus status) {
  for (const auto& entry : kStatusNames) {
    if (entry.status == status) return entry.name;
  }
  return "unknown";
}

std::optional<UploadStatus> parseUploadStatus(std::string_view name) {
  for (const auto& entry : kStatusNames) {
    if (entry.name == name) return entry.status;
  }
  return std::nullopt;
}

bool isTerminal(UploadStatus status) {
  return status == UploadStatus::kStored || status == UploadStatus::kAssemblyFailed ||
         status == UploadStatus::kStoreFailed || status == UploadStatus::kCancelled;
}

bool acceptsChunks(UploadStatus status) {
  return status == UploadStatus::kReady || status == UploadStatus::kUploading;
}

std::uint64_t UploadSession::bytesReceived() const {
  std::uint64_t total = 0;
  for (const auto& [order, bytes] : chunks) total += bytes;
  return total;
}

std::string formatUtc(std::int64_t epochSeconds) {
  std::time_t t = static_cast<std::time_t>(epochSeconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

nlohmann::json UploadSession::toApiJson() const {
  nlohmann::json chunkMap = nlohmann::json::object();
  for (const auto& [order, bytes] : chunks) chunkMap[std::to_string(order)] = bytes;
  nlohmann::json j{
      {"id", id},
      {"name", target.name},
      {"size", size},
      {"status", uploadStatusName(status)},
      {"status_message", statusMessage},
      {"new_file_id", newFileId.empty() ? nlohmann::json(nullptr) : nlohmann::json(newFileId)},
      {"chunks", chunkMap},
      {"bytes_received", bytesReceived()},
      {"action", target.action == UploadAction::kUpdate ? "update" : "create"},
      {"instance_id", target.instanceId},
      {"profile_type", target.profileType},
      {"folder_id", target.folderId},
      {"file_id", target.fileId.empty() ? nlohmann::json(nullptr) : nlohmann::json(target.fileId)},
      {"if_version_id",
       target.ifVersionId.empty() ? nlohmann::json(nullptr) : nlohmann::json(target.ifVersionId)},
      {"hash", hash.empty() ? nlohmann::json(nullptr) : nlohmann::json(hash)},
      {"hash_algo", hashAlgo.empty() ? nlohmann::json(nullptr) : nlohmann::json(hashAlgo)},
      {"created", formatUtc(createdEpoch)},
      {"updated", formatUtc(updatedEpoch)},
  };
  if (errorCode != 0) j["error_code"] = errorCode;
  return j;
}

nlohmann::json UploadSession::toRecord() const {
  nlohmann::json chunkMap = nlohmann::json::object();
  for (const auto& [order, bytes] : chunks) chunkMap[std::to_string(order)] = bytes;
  return nlohmann::json{
      {"id", id},
      {"user_id", target.userId},
      {"action", target.action == UploadAction::kUpdate ? "update" : "create"},
      {"instance_id", target.instanceId},
      {"profile_type", target.profileType},
      {"folder_id", target.folderId},
      {"file_id", target.fileId},
      {"if_version_id", target.ifVersionId},
      {"name", target.name},
      {"size", size},
      {"hash", hash},
      {"hash_algo", hashAlgo},
      {"single_call", singleCall},
      {"status", uploadStatusName(status)},
      {"status_message", statusMessage},
      {"error_code", errorCode},
      {"new_file_id", newFileId},
      {"new_version_id", newVersionId},
      {"chunks", chunkMap},
      {"created", createdEpoch},
      {"updated", updatedEpoch},
  };
}

Result<UploadSession> UploadSession::fromRecord(const nlohmann::json& record) {
  try {
    UploadSession s;
    s.id = record.at("id").get<std::string>();
    s.target.userId = record.at("user_id").get<std::string>();
    s.target.action = record.at("action").get<std::string>() == "update" ? UploadAction::kUpdate
                                                                         : UploadAction::kCreate;
    s.target.instanceId = record.at("instance_id").get<std::string>();
    s.target.profileType = record.at("profile_type").get<std::string>();
    s.target.folderId = record.at("folder_id").get<std::string>();
    s.target.fileId = record.at("file_id").get<std::string>();
    s.target.ifVersionId = record.value("if_version_id", std::string());
    s.target.name = record.at("name").get<std::string>();
    s.size = record.at("size").get<std::uint64_t>();
    s.hash = record.at("hash").get<std::string>();
    s.hashAlgo = record.at("hash_algo").get<std::string>();
    s.singleCall = record.at("single_call").get<bool>();
    auto status = parseUploadStatus(record.at("status").get<std::string>());
    if (!status) return makeError(ErrorCode::kProtocol, "unknown status in session record");
    s.status = *status;
    s.statusMessage = record.at("status_message").get<std::string>();
    s.errorCode = record.at("error_code").get<long long>();
    s.newFileId = record.at("new_file_id").get<std::string>();
    s.newVersionId = record.value("new_version_id", std::string());
    for (const auto& [order, bytes] : record.at("chunks").items()) {
      s.chunks[std::stoi(order)] = bytes.get<std::uint64_t>();
    }
    s.createdEpoch = record.at("created").get<std::int64_t>();
    s.updatedEpoch = record.at("updated").get<std::int64_t>();
    return s;
  } catch (const std::exception& e) {
    return makeError(ErrorCode::kProtocol, std::string("malformed session record: ") + e.what());
  }
}

}  // namespace fastio::emu
