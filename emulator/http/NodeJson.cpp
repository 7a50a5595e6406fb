#include "emulator/http/NodeJson.h"

#include "emulator/state/State.h"

namespace fastio::emu::http {

namespace {

nlohmann::json clientInfoJson(const std::string& text) {
  if (text.empty()) return nullptr;
  auto parsed = nlohmann::json::parse(text, nullptr, false);
  return parsed.is_discarded() ? nlohmann::json(text) : parsed;
}

}  // namespace

nlohmann::json lockToJson(const LockRecord& lock, bool includeToken) {
  nlohmann::json j = {
      {"locked", true},
      {"acquired", formatIsoSeconds(lock.acquiredUs)},
      {"expires", formatIsoSeconds(lock.expiresUs)},
      {"expires_in", std::max<std::int64_t>(0, (lock.expiresUs - nowMicros()) / 1000000)},
      {"client_info", clientInfoJson(lock.clientInfo)}};
  if (includeToken) j["lock_token"] = lock.token;
  return j;
}

nlohmann::json nodeToJson(const NodeRecord& n, DetailLevel level) {
  const bool file = n.isFile();
  nlohmann::json j = {
      {"id", n.id},
      {"type", file ? "file" : "folder"},
      {"name", n.name},
      {"parent", n.parentId},
      {"mimetype", file ? nlohmann::json(n.mimetype) : nlohmann::json(nullptr)},
      {"size", n.size},
      {"modified", formatIsoSeconds(n.modifiedUs)},
  };
  nlohmann::json summary = nullptr;
  if (!n.summaryTitle.empty() || !n.summaryShort.empty() || !n.summaryLong.empty()) {
    summary = {{"title", n.summaryTitle}};
    if (level != DetailLevel::kTerse) summary["short"] = n.summaryShort;
    if (level == DetailLevel::kFull) summary["long"] = n.summaryLong;
  }
  j["summary"] = summary;
  if (level == DetailLevel::kTerse) {
    j["previews"] = {{"ready", false}};
    return j;
  }
  j["version"] = file ? nlohmann::json(n.versionId) : nlohmann::json(nullptr);
  j["created"] = formatIsoSeconds(n.createdUs);
  j["restricted"] = false;
  j["dmca"] = false;
  j["locked"] = n.lock.has_value();
  j["mimecategory"] = file ? nlohmann::json(n.mimecategory) : nlohmann::json(nullptr);
  j["origin"] = {{"type", file ? "upload" : "folder"}};
  j["metadata"] = nullptr;
  j["ai"] = {{"state", n.aiState}};
  j["deleted"] = n.trashed;
  if (n.trashed) {
    j["deleted_from"] = n.deletedFrom;
    j["deleted_at"] = formatIsoSeconds(n.deletedUs);
  }
  if (level == DetailLevel::kStandard) return j;
  j["hash"] = file ? nlohmann::json(n.md5) : nlohmann::json(nullptr);
  j["hash_algo"] = file ? nlohmann::json("md5") : nlohmann::json(nullptr);
  j["lock_info"] = n.lock ? lockToJson(*n.lock, false) : nlohmann::json(nullptr);
  j["virus"] = {{"status", "scanned"}, {"infected", false}};
  j["ai"] = {{"state", n.aiState}, {"attach", file}};
  j["file_attributes"] = nlohmann::json::object();
  j["previews"] = nlohmann::json::object();
  return j;
}

nlohmann::json workspaceToJson(const WorkspaceRecord& ws) {
  return {{"id", ws.id},
          {"org_id", ws.orgId},
          {"folder_name", ws.folderName},
          {"name", ws.name},
          {"description",
           ws.description.empty() ? nlohmann::json(nullptr) : nlohmann::json(ws.description)},
          {"intelligence", ws.intelligence},
          {"perm_join", ws.permJoin},
          {"perm_member_manage", ws.permMemberManage},
          {"created", formatIsoSeconds(ws.createdUs)},
          {"web_url", "http://localhost/workspace/" + ws.folderName + "/storage/root"}};
}

}  // namespace fastio::emu::http
