#include "tests/support/EmulatorCounters.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace fastio::testing {
namespace {

nlohmann::json statsFrom(const httplib::Result& reply, const char* what) {
  if (!reply || reply->status != 200) {
    throw std::runtime_error(
        std::string(what) + " failed: " +
        (reply ? std::to_string(reply->status) + " " + reply->body : std::string("no response")));
  }
  nlohmann::json body = nlohmann::json::parse(reply->body, nullptr, false);
  if (body.is_discarded() || !body.contains("stats") || !body["stats"].is_object()) {
    throw std::runtime_error(std::string(what) +
                             " answered without a stats object: " + reply->body);
  }
  return body["stats"];
}

}  // namespace

EmulatorCounters EmulatorCounters::read(const EmulatorProcess& emulator) {
  const nlohmann::json stats =
      statsFrom(emulator.client()->Get("/_emulator/stats"), "GET /_emulator/stats");
  EmulatorCounters counters;
  for (const auto& [name, value] : stats.items()) {
    if (value.is_number_unsigned()) counters.values_[name] = value.get<std::uint64_t>();
  }
  return counters;
}

void EmulatorCounters::reset(const EmulatorProcess& emulator) {
  statsFrom(emulator.client()->Post("/_emulator/stats/reset", "", "application/json"),
            "POST /_emulator/stats/reset");
}

std::uint64_t EmulatorCounters::operator[](const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) throw std::out_of_range("no emulator counter named '" + name + "'");
  return it->second;
}

}  // namespace fastio::testing
