#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "common/Version.h"

namespace fastio {
namespace {

TEST(Version, IsTheProjectsMajorMinorPatch) {
  EXPECT_TRUE(std::regex_match(std::string(fastioVersion()), std::regex(R"(\d+\.\d+\.\d+)")))
      << fastioVersion();
}

}  // namespace
}  // namespace fastio
