#include "fs/StatusRender.h"

#include <nlohmann/json.hpp>

#include "fs/HumanBytes.h"
#include "fs/SearchRender.h"

namespace fastio::fs {

std::string renderStatusText(const StatusSnapshot& s) {
  std::string out = "fastiofs " + s.version + "\n";
  out += "server:     " + s.apiUrl + "\n";
  out += "pid:        " + std::to_string(s.pid) + "\n";
  out += "state:      ";
  out += s.online ? "online\n"
                  : "offline (serving cached data): " + oneLine(s.offlineReason, 200) + "\n";
  out += "uptime:     " + std::to_string(s.uptimeSeconds) + " s\n";
  out += "workspaces: " + std::to_string(s.workspaces) + "\n";
  out += "inodes:     " + std::to_string(s.inodes) + "\n";
  out += "cache:      " + humanBytes(s.cacheBytesUsed);
  if (s.cacheBytesLimit != 0) out += " of " + humanBytes(s.cacheBytesLimit);
  out += "\n";
  out += "uploads:    " + std::to_string(s.uploadsQueued) + " pending (" +
         humanBytes(s.uploadBytesPending) + "), " + std::to_string(s.uploadsInFlight) +
         " in flight";
  if (s.uploadBytesTotal != 0) {
    out += " (" + humanBytes(s.uploadBytesDone) + " of " + humanBytes(s.uploadBytesTotal);
    if (s.uploadBytesPerSecond > 0) {
      const double left =
          static_cast<double>(s.uploadBytesTotal - std::min(s.uploadBytesDone, s.uploadBytesTotal));
      out += ", " + humanBytes(static_cast<uint64_t>(s.uploadBytesPerSecond)) + "/s, ETA " +
             std::to_string(static_cast<uint64_t>(left / s.uploadBytesPerSecond)) + " s";
    }
    out += ")";
  }
  out += "\n";
  out += "stored:     " + std::to_string(s.uploadsStored) + " files, " +
         humanBytes(s.uploadBytesStored) + " since the mount\n";
  if (s.dirtyLimitBytes != 0) {
    out += "journal:    " + humanBytes(s.journalBytes) + " of " + humanBytes(s.dirtyLimitBytes) +
           " (dirty_limit)\n";
  }
  if (s.uploadConflicts != 0) {
    out += "conflicts:  " + std::to_string(s.uploadConflicts) +
           " (local versions kept as \"(conflict ...)\" copies)\n";
  }
  if (s.uploadsParked != 0) {
    out += "failed:     " + std::to_string(s.uploadsParked) + " upload(s) stopped, kept locally:\n";
    for (const auto& e : s.uploadErrors) out += "  " + oneLine(e, 300) + "\n";
  }
  if (!s.failures.empty()) {
    out += "failed ops: ";
    for (size_t i = 0; i < s.failures.size(); ++i) {
      if (i != 0) out += ", ";
      out += s.failures[i].operation + " " + s.failures[i].error + " x" +
             std::to_string(s.failures[i].count);
    }
    out += "\n";
  }
  if (!s.recentErrors.empty()) {
    out += "\nrecent errors:\n";
    for (const auto& e : s.recentErrors) out += "  " + oneLine(e, 300) + "\n";
  }
  return out;
}

std::string renderStatsJson(const StatusSnapshot& s) {
  nlohmann::json doc;
  doc["version"] = s.version;
  doc["api_url"] = s.apiUrl;
  doc["pid"] = s.pid;
  doc["online"] = s.online;
  doc["offline_reason"] = s.offlineReason;
  doc["uptime_seconds"] = s.uptimeSeconds;
  doc["workspaces"] = s.workspaces;
  doc["inodes"] = s.inodes;
  doc["cache"] = {{"bytes_used", s.cacheBytesUsed}, {"bytes_limit", s.cacheBytesLimit}};
  doc["uploads"] = {{"queued", s.uploadsQueued},
                    {"bytes_pending", s.uploadBytesPending},
                    {"in_flight", s.uploadsInFlight},
                    {"bytes_done", s.uploadBytesDone},
                    {"bytes_total", s.uploadBytesTotal},
                    {"stored", s.uploadsStored},
                    {"bytes_stored", s.uploadBytesStored},
                    {"bytes_per_second", s.uploadBytesPerSecond},
                    {"failed", s.uploadsParked},
                    {"conflicts", s.uploadConflicts},
                    {"journal_bytes", s.journalBytes},
                    {"dirty_limit_bytes", s.dirtyLimitBytes},
                    {"errors", s.uploadErrors}};
  auto& counters = doc["counters"] = nlohmann::json::object();
  for (const auto& [name, value] : s.counters) counters[name] = value;
  doc["recent_errors"] = s.recentErrors;
  auto& failures = doc["failures"] = nlohmann::json::array();
  for (const auto& f : s.failures) {
    failures.push_back({{"operation", f.operation}, {"error", f.error}, {"count", f.count}});
  }
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string renderPrometheusMetrics(const StatusSnapshot& s) {
  std::string out;
  auto gauge = [&](const std::string& name, const std::string& help, uint64_t value) {
    out += "# HELP fastiofs_" + name + " " + help + "\n";
    out += "# TYPE fastiofs_" + name + " gauge\n";
    out += "fastiofs_" + name + " " + std::to_string(value) + "\n";
  };
  gauge("online", "1 when the server is reachable, 0 when serving from cache", s.online ? 1 : 0);
  gauge("uptime_seconds", "seconds since the mount started",
        static_cast<uint64_t>(std::max<int64_t>(0, s.uptimeSeconds)));
  gauge("workspaces", "workspaces visible in the mount", s.workspaces);
  gauge("inodes", "inodes the mount currently tracks", s.inodes);
  gauge("cache_bytes_used", "bytes held in the block cache", s.cacheBytesUsed);
  gauge("cache_bytes_limit", "configured block cache limit in bytes", s.cacheBytesLimit);
  gauge("uploads_queued", "uploads waiting to start", s.uploadsQueued);
  gauge("uploads_in_flight", "uploads running", s.uploadsInFlight);
  gauge("upload_bytes_pending", "dirty bytes staged locally, not stored yet", s.uploadBytesPending);
  gauge("uploads_failed", "uploads stopped by a permanent error (kept locally)", s.uploadsParked);
  for (const auto& [name, value] : s.counters) {
    out += "# TYPE fastiofs_" + name + "_total counter\n";
    out += "fastiofs_" + name + "_total " + std::to_string(value) + "\n";
  }
  out += "# HELP fastiofs_operation_failures_total operations answered with an error\n";
  out += "# TYPE fastiofs_operation_failures_total counter\n";
  for (const auto& f : s.failures) {
    out += "fastiofs_operation_failures_total{operation=\"" + f.operation + "\",error=\"" +
           f.error + "\"} " + std::to_string(f.count) + "\n";
  }
  return out;
}

std::string renderVersion(const StatusSnapshot& s) {
  return "fastiofs " + s.version + "\n";
}

}  // namespace fastio::fs
