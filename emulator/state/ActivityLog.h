#pragma once
// Activity keys per entity (workspace id, or user id for upload:{id} keys) and the long-poll that
// waits for them. Markers ("lastactivity", also sent as server_date) are ISO 8601 UTC timestamps
// with microseconds, strictly increasing, so any server_date can seed the first poll.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace fastio::emu {

struct ActivityPollResult {
  std::vector<std::string> keys;  // de-duplicated, oldest first
  std::string lastActivity;       // marker to send back next time
};

class ActivityLog {
 public:
  // Events kept per entity; a poll older than the oldest kept event gets the bare "storage" key.
  static constexpr std::size_t kMaxEventsPerEntity = 20000;

  // Records keys for an entity and wakes its waiters. Thread-safe, never blocks for long.
  void publish(const std::string& entity, const std::vector<std::string>& keys);

  // Returns at once if events newer than `since` exist, otherwise waits up to `wait` for one.
  // An empty or unparseable `since` means "from now".
  ActivityPollResult poll(const std::string& entity, const std::string& since,
                          std::chrono::milliseconds wait);

  // A fresh marker for server_date (strictly greater than every marker handed out before).
  std::string now();

  // Wakes every waiter and makes later polls return at once (server shutdown).
  void shutdown();

  // Marker <-> microseconds since the epoch; also accepts "YYYY-MM-DD HH:MM:SS" and seconds
  // precision. Returns -1 when the text is not a marker.
  static std::int64_t parseMarker(const std::string& marker);
  static std::string formatMarker(std::int64_t micros);

 private:
  struct Event {
    std::int64_t micros;
    std::string key;
  };
  struct Entity {
    std::deque<Event> events;
    std::int64_t droppedBefore = 0;  // events at or before this were dropped
  };

  std::int64_t nextMicrosLocked();
  ActivityPollResult collectLocked(const Entity* e, std::int64_t since);

  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Entity> entities_;
  std::int64_t lastMicros_ = 0;
  bool shutdown_ = false;
};

}  // namespace fastio::emu
