#pragma once
// Random strings State hands out: hex for lock, read-token and temp-file names, digits for the
// numeric user, org and workspace ids. Thread-safe.

#include <string>

namespace fastio::emu {

// 2 * bytes lower-case hex characters.
std::string randomHex(int bytes);
// `count` decimal digits, the first one not 0.
std::string randomDigits(int count);

}  // namespace fastio::emu
