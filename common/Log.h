#pragma once
// Logging through spdlog. One process-wide logger; the level is set from the command line.
// Never log a bearer token, a read token or a URL that carries one.

#include <spdlog/spdlog.h>

#include <string>
#include <string_view>

namespace fastio {

// level: trace, debug, info, warn, error, off. filePath empty = stderr.
void initLogging(std::string_view level, const std::string& filePath = {});

// Replaces anything that looks like a credential in s ("Bearer x", "token=x", "access_token").
std::string redactSecrets(std::string_view s);

}  // namespace fastio

#define FASTIO_LOG_TRACE(...) SPDLOG_TRACE(__VA_ARGS__)
#define FASTIO_LOG_DEBUG(...) ::spdlog::debug(__VA_ARGS__)
#define FASTIO_LOG_INFO(...) ::spdlog::info(__VA_ARGS__)
#define FASTIO_LOG_WARN(...) ::spdlog::warn(__VA_ARGS__)
#define FASTIO_LOG_ERROR(...) ::spdlog::error(__VA_ARGS__)
