#pragma once
// The release, from CMake's project(VERSION): the one place it is written.

#include <string_view>

namespace fastio {

std::string_view fastioVersion();

}  // namespace fastio
