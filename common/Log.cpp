#include "common/Log.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <chrono>
#include <regex>

namespace fastio {

void initLogging(std::string_view level, const std::string& filePath) {
  std::shared_ptr<spdlog::logger> logger;
  if (filePath.empty()) {
    logger = spdlog::stderr_color_mt("fastio");
  } else {
    logger = spdlog::basic_logger_mt("fastio", filePath);
  }
  logger->set_level(spdlog::level::from_str(std::string(level)));
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
  // Lower levels reach a log file within a second, so a log read while the daemon runs (or
  // after a kill -9) is complete up to then. Only for a file: the flusher is a thread, and a
  // process that forks later (the mount before it daemonizes) must not own one.
  if (!filePath.empty()) spdlog::flush_every(std::chrono::seconds(1));
}

std::string redactSecrets(std::string_view s) {
  static const std::regex patterns(
      R"((Bearer\s+|token=|access_token"?\s*[:=]\s*"?|refresh_token"?\s*[:=]\s*"?|code_verifier=)([^&\s"]+))",
      std::regex::icase);
  return std::regex_replace(std::string(s), patterns, "$1<redacted>");
}

}  // namespace fastio
