#include "common/FaultPoints.h"

#include <signal.h>

#include <atomic>
#include <charconv>
#include <cstdlib>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>

#include "common/Log.h"

namespace fastio::faults {
namespace {

struct Armed {
  Spec spec;
  uint64_t hits = 0;
  uint64_t acted = 0;
};

struct Registry {
  std::mutex mu;
  std::unordered_map<std::string, Armed> points;
  std::mt19937_64 random{1};
  std::atomic<bool> any{false};
  std::once_flag fromEnvironment;
};

Registry& registry() {
  static Registry* r = new Registry();  // never destroyed: points may be hit during exit
  return *r;
}

bool parseNumber(std::string_view text, uint64_t& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

Error badEntry(std::string_view entry, std::string_view why) {
  return makeError(ErrorCode::kInvalid,
                   "FASTIO_FAULTS entry '" + std::string(entry) + "': " + std::string(why));
}

Status armEntry(std::string_view entry) {
  const size_t eq = entry.find('=');
  if (eq == std::string_view::npos || eq == 0) return badEntry(entry, "expected NAME=ACTION");
  const std::string_view name = entry.substr(0, eq);
  std::string_view rest = entry.substr(eq + 1);
  Spec spec;
  // Suffixes, from the right: %P, *M, @N (any order of presence, this order of writing).
  auto takeSuffix = [&](char mark, uint64_t& value) -> bool {
    const size_t at = rest.rfind(mark);
    if (at == std::string_view::npos) return true;
    if (!parseNumber(rest.substr(at + 1), value)) return false;
    rest = rest.substr(0, at);
    return true;
  };
  uint64_t percent = 100;
  if (!takeSuffix('%', percent) || percent > 100) return badEntry(entry, "bad %P");
  if (!takeSuffix('*', spec.times)) return badEntry(entry, "bad *M");
  if (!takeSuffix('@', spec.from) || spec.from == 0) return badEntry(entry, "bad @N");
  spec.probability = static_cast<double>(percent) / 100.0;
  std::string_view action = rest;
  std::string_view arg;
  if (const size_t colon = rest.find(':'); colon != std::string_view::npos) {
    action = rest.substr(0, colon);
    arg = rest.substr(colon + 1);
  }
  if (action == "fail") {
    spec.action = Action::kFail;
  } else if (action == "abort") {
    spec.action = Action::kAbort;
  } else if (action == "delay") {
    spec.action = Action::kDelay;
    uint64_t ms = 0;
    if (arg.ends_with("ms")) arg.remove_suffix(2);
    if (!parseNumber(arg, ms)) return badEntry(entry, "delay needs milliseconds (delay:200)");
    spec.delay = std::chrono::milliseconds(ms);
  } else {
    return badEntry(entry, "unknown action (fail, delay, abort)");
  }
  arm(name, spec);
  return okStatus();
}

void loadEnvironmentOnce() {
  Registry& r = registry();
  std::call_once(r.fromEnvironment, [&r] {
    if (const char* seed = std::getenv("FASTIO_FAULT_SEED")) {
      uint64_t value = 1;
      if (parseNumber(seed, value)) {
        std::lock_guard lock(r.mu);
        r.random.seed(value);
      }
    }
    if (const char* text = std::getenv("FASTIO_FAULTS"); text != nullptr && *text != '\0') {
      if (Status s = armFromText(text); !s.ok()) {
        FASTIO_LOG_ERROR("{}", s.error().message);
      } else {
        FASTIO_LOG_WARN("fault points armed from FASTIO_FAULTS: {}", text);
      }
    }
  });
}

}  // namespace

Status armFromText(std::string_view text) {
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find_first_of(",;", start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view entry = text.substr(start, end - start);
    while (!entry.empty() && entry.front() == ' ') entry.remove_prefix(1);
    while (!entry.empty() && entry.back() == ' ') entry.remove_suffix(1);
    if (!entry.empty()) FASTIO_TRY(armEntry(entry));
    start = end + 1;
  }
  return okStatus();
}

void arm(std::string_view point, const Spec& spec) {
  Registry& r = registry();
  std::lock_guard lock(r.mu);
  r.points[std::string(point)] = Armed{spec, 0, 0};
  r.any.store(true, std::memory_order_relaxed);
}

void disarm(std::string_view point) {
  Registry& r = registry();
  std::lock_guard lock(r.mu);
  r.points.erase(std::string(point));
  r.any.store(!r.points.empty(), std::memory_order_relaxed);
}

void disarmAll() {
  Registry& r = registry();
  std::lock_guard lock(r.mu);
  r.points.clear();
  r.any.store(false, std::memory_order_relaxed);
}

Status hit(std::string_view point) {
  loadEnvironmentOnce();
  Registry& r = registry();
  if (!r.any.load(std::memory_order_relaxed)) return okStatus();
  Spec spec;
  {
    std::lock_guard lock(r.mu);
    auto it = r.points.find(std::string(point));
    if (it == r.points.end()) return okStatus();
    Armed& a = it->second;
    ++a.hits;
    if (a.hits < a.spec.from) return okStatus();
    if (a.spec.times != 0 && a.acted >= a.spec.times) return okStatus();
    if (a.spec.probability < 1.0 &&
        std::uniform_real_distribution<double>(0.0, 1.0)(r.random) >= a.spec.probability) {
      return okStatus();
    }
    ++a.acted;
    spec = a.spec;
  }
  switch (spec.action) {
    case Action::kFail:
      return makeError(ErrorCode::kIo, "injected fault at " + std::string(point));
    case Action::kDelay:
      std::this_thread::sleep_for(spec.delay);
      return okStatus();
    case Action::kAbort:
      // SIGKILL rather than abort(): the same death as `kill -9`, without a core dump.
      FASTIO_LOG_ERROR("fault point {}: killing the process", point);
      spdlog::default_logger()->flush();
      ::raise(SIGKILL);
      std::abort();
  }
  return okStatus();
}

uint64_t hits(std::string_view point) {
  Registry& r = registry();
  std::lock_guard lock(r.mu);
  auto it = r.points.find(std::string(point));
  return it == r.points.end() ? 0 : it->second.hits;
}

}  // namespace fastio::faults
