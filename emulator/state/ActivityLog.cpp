#include "emulator/state/ActivityLog.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <set>

#include "common/Iso8601.h"

namespace fastio::emu {

namespace {

constexpr std::size_t kIsoDateTimeLength = 19;  // "YYYY-MM-DDTHH:MM:SS"

std::int64_t wallMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::string ActivityLog::formatMarker(std::int64_t micros) {
  std::time_t secs = static_cast<std::time_t>(micros / 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(micros % 1000000));
  return buf;
}

std::int64_t ActivityLog::parseMarker(const std::string& marker) {
  // A marker is UTC: a time with another offset was not handed out here.
  const auto offset = marker.find_first_of("+-", kIsoDateTimeLength);
  if (offset != std::string::npos && marker.compare(offset, std::string::npos, "+00:00") != 0) {
    return -1;
  }
  const auto at = parseIso8601(marker);
  if (!at) return -1;
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(at->time_since_epoch()).count();
  return micros < 0 ? -1 : micros;
}

std::int64_t ActivityLog::nextMicrosLocked() {
  lastMicros_ = std::max(wallMicros(), lastMicros_ + 1);
  return lastMicros_;
}

void ActivityLog::publish(const std::string& entity, const std::vector<std::string>& keys) {
  if (keys.empty()) return;
  {
    std::lock_guard lock(mu_);
    Entity& e = entities_[entity];
    for (const auto& key : keys) {
      e.events.push_back({nextMicrosLocked(), key});
    }
    while (e.events.size() > kMaxEventsPerEntity) {
      e.droppedBefore = e.events.front().micros;
      e.events.pop_front();
    }
  }
  cv_.notify_all();
}

ActivityPollResult ActivityLog::collectLocked(const Entity* e, std::int64_t since) {
  ActivityPollResult out;
  std::int64_t newest = since;
  std::set<std::string> seen;
  if (e != nullptr) {
    if (since < e->droppedBefore) {
      out.keys.push_back("storage");
      seen.insert("storage");
    }
    // Events are in increasing order: walk back to the first one newer than `since`.
    auto it = std::upper_bound(e->events.begin(), e->events.end(), since,
                               [](std::int64_t s, const Event& ev) { return s < ev.micros; });
    for (; it != e->events.end(); ++it) {
      if (seen.insert(it->key).second) out.keys.push_back(it->key);
      newest = std::max(newest, it->micros);
    }
  }
  out.lastActivity = formatMarker(newest);
  return out;
}

ActivityPollResult ActivityLog::poll(const std::string& entity, const std::string& since,
                                     std::chrono::milliseconds wait) {
  std::unique_lock lock(mu_);
  std::int64_t from = parseMarker(since);
  if (from < 0) from = std::max(lastMicros_, wallMicros());
  auto hasNews = [&] {
    if (shutdown_) return true;
    auto it = entities_.find(entity);
    if (it == entities_.end()) return false;
    const Entity& e = it->second;
    return from < e.droppedBefore || (!e.events.empty() && e.events.back().micros > from);
  };
  cv_.wait_for(lock, wait, hasNews);
  auto it = entities_.find(entity);
  return collectLocked(it == entities_.end() ? nullptr : &it->second, from);
}

std::string ActivityLog::now() {
  std::lock_guard lock(mu_);
  return formatMarker(nextMicrosLocked());
}

void ActivityLog::shutdown() {
  {
    std::lock_guard lock(mu_);
    shutdown_ = true;
  }
  cv_.notify_all();
}

}  // namespace fastio::emu
