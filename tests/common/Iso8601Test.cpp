#include <gtest/gtest.h>

#include "common/Iso8601.h"

namespace fastio {
namespace {

using std::chrono::sys_days;
using namespace std::chrono_literals;

std::chrono::system_clock::time_point at(std::string_view text) {
  auto parsed = parseIso8601(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed.value_or(std::chrono::system_clock::time_point{});
}

TEST(Iso8601, ReadsTheServiceAndEmulatorForms) {
  const auto noon = sys_days{std::chrono::year{2026} / 4 / 24} + 12h;
  EXPECT_EQ(at("2026-04-24T12:00:00Z"), noon);
  EXPECT_EQ(at("2026-04-24 12:00:00"), noon);
  EXPECT_EQ(at("2026-04-24 12:00:00 UTC"), noon);
  EXPECT_EQ(at("2026-04-24T14:00:00+02:00"), noon);
  EXPECT_EQ(at("2026-04-24T07:00:00-0500"), noon);
  EXPECT_EQ(at("2026-04-24T12:00:00.123456Z"), noon + 123456us);
  EXPECT_EQ(at("2026-04-24T12:00:00.5Z"), noon + 500ms);
}

TEST(Iso8601, RefusesWhatIsNotATimestamp) {
  for (const char* bad :
       {"", "yesterday", "2026-04-24", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
        "2026-04-24T12:00:00 CEST", "2026-4-24T1:00:00Z", "2026-04-24T12:00:00+25:00"}) {
    EXPECT_FALSE(parseIso8601(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace fastio
