#pragma once
// The emulator's request counters (GET /_emulator/stats, docs/EMULATOR.md "Request counters"),
// for tests that check which calls a client made. Reading an unknown counter throws, so a
// misspelt name fails the test instead of reading as zero.

#include <cstdint>
#include <map>
#include <string>

#include "tests/support/EmulatorProcess.h"

namespace fastio::testing {

class EmulatorCounters {
 public:
  // Reads the counters now; throws std::runtime_error when the emulator does not answer.
  static EmulatorCounters read(const EmulatorProcess& emulator);
  // Zeroes them (POST /_emulator/stats/reset); throws std::runtime_error on failure.
  static void reset(const EmulatorProcess& emulator);

  std::uint64_t operator[](const std::string& name) const;  // throws std::out_of_range
  const std::map<std::string, std::uint64_t>& all() const { return values_; }

 private:
  std::map<std::string, std::uint64_t> values_;
};

}  // namespace fastio::testing
