#include "fs/cli/QueueWatch.h"

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "fs/HumanBytes.h"

namespace fastio::cli {

std::optional<QueueState> parseQueueState(const std::string& statsJson) {
  auto doc = nlohmann::json::parse(statsJson, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return std::nullopt;
  QueueState s;
  auto number = [](const nlohmann::json& j, const char* key) -> uint64_t {
    auto it = j.find(key);
    return it != j.end() && it->is_number_unsigned() ? it->get<uint64_t>() : 0;
  };
  if (auto pid = doc.find("pid"); pid != doc.end() && pid->is_number_integer()) {
    s.pid = pid->get<int64_t>();
  }
  auto uploads = doc.find("uploads");
  if (uploads == doc.end() || !uploads->is_object()) return s;
  s.queued = number(*uploads, "queued");
  s.inFlight = number(*uploads, "in_flight");
  s.bytesPending = number(*uploads, "bytes_pending");
  s.failed = number(*uploads, "failed");
  if (auto rate = uploads->find("bytes_per_second"); rate != uploads->end() && rate->is_number()) {
    s.bytesPerSecond = rate->get<double>();
  }
  if (auto errors = uploads->find("errors"); errors != uploads->end() && errors->is_array()) {
    for (const auto& e : *errors) {
      if (e.is_string()) s.errors.push_back(e.get<std::string>());
    }
  }
  return s;
}

std::optional<QueueState> readQueueState(const std::string& mountpoint) {
  std::ifstream in(mountpoint + "/.fastio/stats.json");
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return parseQueueState(text.str());
}

std::string describeQueue(const QueueState& s) {
  const uint64_t files = s.queued + s.inFlight;
  std::string out = std::to_string(files) + (files == 1 ? " file, " : " files, ") +
                    fs::humanBytes(s.bytesPending) + " to upload";
  if (s.bytesPerSecond > 0) {
    out += ", " + fs::humanBytes(static_cast<uint64_t>(s.bytesPerSecond)) + "/s";
  }
  if (s.failed != 0) out += ", " + std::to_string(s.failed) + " failed";
  return out;
}

QueueWait drainQueue(const std::string& mountpoint, std::chrono::seconds timeout,
                     QueueState* last) {
  auto state = readQueueState(mountpoint);
  if (!state) return QueueWait::kGone;
  if (state->pid > 0) ::kill(static_cast<pid_t>(state->pid), SIGUSR1);
  const bool terminal = ::isatty(STDERR_FILENO) != 0;
  const auto start = std::chrono::steady_clock::now();
  const auto until = start + timeout;
  auto lastLine = start;
  bool drew = false;
  QueueWait result = QueueWait::kTimedOut;
  for (;;) {
    if (state->idle()) {
      result = QueueWait::kEmpty;
      break;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= until) break;
    if (terminal) {
      std::fprintf(stderr, "\r\033[Kuploading: %s", describeQueue(*state).c_str());
      drew = true;
    } else if (now - lastLine >= std::chrono::seconds(10)) {
      std::fprintf(stderr, "uploading: %s\n", describeQueue(*state).c_str());
      lastLine = now;
    }
    std::fflush(stderr);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    auto next = readQueueState(mountpoint);
    if (!next) {
      result = QueueWait::kGone;
      break;
    }
    state = std::move(next);
  }
  if (drew) std::fprintf(stderr, "\r\033[K");
  if (last != nullptr && state) *last = *state;
  return result;
}

}  // namespace fastio::cli
