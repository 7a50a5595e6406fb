#include "fs/cli/MountOptions.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <set>

namespace fastio::cli {
namespace {

Error invalid(std::string_view option, std::string_view why) {
  return makeError(ErrorCode::kInvalid,
                   "mount option '" + std::string(option) + "': " + std::string(why));
}

Result<uint32_t> parseUnsigned(std::string_view text, int base) {
  uint32_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v, base);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    return makeError(ErrorCode::kInvalid, "not a number: " + std::string(text));
  }
  return v;
}

Result<double> parseDecimal(std::string_view text) {
  if (text.empty()) return makeError(ErrorCode::kInvalid, "empty number");
  std::string s(text);
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(v) || v < 0) {
    return makeError(ErrorCode::kInvalid, "not a non-negative number: " + s);
  }
  return v;
}

}  // namespace

Result<uint64_t> parseByteSize(std::string_view text) {
  std::string_view number = text;
  uint64_t unit = 1;
  auto strip = [&](std::string_view suffix) {
    if (number.size() >= suffix.size() && number.substr(number.size() - suffix.size()) == suffix) {
      number.remove_suffix(suffix.size());
      return true;
    }
    return false;
  };
  if (!strip("iB")) strip("B");
  if (!number.empty()) {
    switch (std::toupper(static_cast<unsigned char>(number.back()))) {
      case 'K':
        unit = 1ull << 10;
        break;
      case 'M':
        unit = 1ull << 20;
        break;
      case 'G':
        unit = 1ull << 30;
        break;
      case 'T':
        unit = 1ull << 40;
        break;
      default:
        break;
    }
    if (unit != 1) number.remove_suffix(1);
  }
  auto v = parseDecimal(number);
  if (!v.ok()) return makeError(ErrorCode::kInvalid, "not a size: " + std::string(text));
  const double bytes = *v * static_cast<double>(unit);
  if (bytes > 9.0e18) return makeError(ErrorCode::kInvalid, "size too large: " + std::string(text));
  return static_cast<uint64_t>(bytes);
}

Result<Duration> parseSeconds(std::string_view text) {
  auto v = parseDecimal(text);
  if (!v.ok() || *v > 1e7)
    return makeError(ErrorCode::kInvalid, "not a duration: " + std::string(text));
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(*v));
}

std::string defaultCacheDir() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) {
    return std::string(xdg) + "/fastiofs";
  }
  if (const char* home = std::getenv("HOME"); home && *home) {
    return std::string(home) + "/.cache/fastiofs";
  }
  return "/var/cache/fastiofs";
}

Status applyMountOption(MountSettings& s, std::string_view option) {
  if (option.empty()) return okStatus();
  static const std::set<std::string_view> kIgnored = {
      "rw",    "dev",    "nodev",   "suid",     "nosuid", "exec",    "noexec",
      "auto",  "noauto", "user",    "nouser",   "users",  "_netdev", "defaults",
      "async", "atime",  "noatime", "relatime", "nofail"};
  const size_t eq = option.find('=');
  const std::string_view key = option.substr(0, eq);
  const bool hasValue = eq != std::string_view::npos;
  const std::string_view value = hasValue ? option.substr(eq + 1) : std::string_view();
  auto needValue = [&]() -> Status {
    if (!hasValue || value.empty()) return invalid(option, "needs a value");
    return okStatus();
  };
  auto setSeconds = [&](Duration& target) -> Status {
    FASTIO_TRY(needValue());
    auto d = parseSeconds(value);
    if (!d.ok()) return invalid(option, d.error().message);
    target = *d;
    return okStatus();
  };
  auto setSize = [&](uint64_t& target) -> Status {
    FASTIO_TRY(needValue());
    auto n = parseByteSize(value);
    if (!n.ok()) return invalid(option, n.error().message);
    target = *n;
    return okStatus();
  };
  auto setString = [&](std::string& target) -> Status {
    FASTIO_TRY(needValue());
    target = std::string(value);
    return okStatus();
  };
  auto setId = [&](uint32_t& target, int base) -> Status {
    FASTIO_TRY(needValue());
    auto n = parseUnsigned(value, base);
    if (!n.ok()) return invalid(option, n.error().message);
    target = *n;
    return okStatus();
  };

  if (!hasValue) {
    bool* flag = key == "allow_other"  ? &s.allowOther
                 : key == "ro"         ? &s.fs.readOnly
                 : key == "debug"      ? &s.debug
                 : key == "foreground" ? &s.foreground
                                       : nullptr;
    if (flag != nullptr) {
      *flag = true;
      return okStatus();
    }
    if (key == "no_watch") {
      s.fs.watchChanges = false;
      return okStatus();
    }
    if (key == "sync_upload") {
      s.fs.syncUpload = true;
      return okStatus();
    }
    if (kIgnored.count(key) != 0) return okStatus();
  } else {
    if (key == "uid") return setId(s.fs.uid, 10);
    if (key == "gid") return setId(s.fs.gid, 10);
    if (key == "umask") {
      FASTIO_TRY(setId(s.fs.umask, 8));
      if (s.fs.umask > 0777) return invalid(option, "umask is at most 0777");
      return okStatus();
    }
    if (key == "attr_timeout") return setSeconds(s.fs.attrTtl);
    if (key == "entry_timeout") return setSeconds(s.fs.entryTtl);
    if (key == "negative_timeout") return setSeconds(s.fs.negativeTtl);
    if (key == "relist_gap") return setSeconds(s.fs.relistGap);
    if (key == "search_ttl") return setSeconds(s.fs.searchTtl);
    if (key == "ask_ttl") return setSeconds(s.fs.askTtl);
    if (key == "read_ahead") return setSize(s.fs.readAheadMaxBytes);
    if (key == "read_ahead_run") return setSize(s.fs.readAheadRunBytes);
    if (key == "kernel_read_ahead") return setSize(s.kernelReadAheadBytes);
    if (key == "cache_size") return setSize(s.cacheSizeBytes);
    if (key == "folder_read_ahead") {
      uint32_t n = 0;
      FASTIO_TRY(setId(n, 10));
      if (n > 4096) return invalid(option, "at most 4096");
      s.fs.folderReadAheadFiles = n;
      return okStatus();
    }
    if (key == "read_ahead_threads") {
      uint32_t n = 0;
      FASTIO_TRY(setId(n, 10));
      if (n == 0 || n > 64) return invalid(option, "between 1 and 64");
      s.fs.readAheadThreads = n;
      return okStatus();
    }
    if (key == "max_threads") {
      uint32_t n = 0;
      FASTIO_TRY(setId(n, 10));
      if (n == 0 || n > 1024) return invalid(option, "between 1 and 1024");
      s.maxThreads = n;
      return okStatus();
    }
    if (key == "upload_delay") return setSeconds(s.fs.uploadDelay);
    if (key == "dirty_wait") return setSeconds(s.fs.dirtyWait);
    if (key == "drain_timeout") return setSeconds(s.drainTimeout);
    if (key == "dirty_limit") {
      FASTIO_TRY(setSize(s.dirtyLimitBytes));
      if (s.dirtyLimitBytes < (1ull << 20)) return invalid(option, "at least 1M");
      return okStatus();
    }
    if (key == "upload_threads") {
      uint32_t n = 0;
      FASTIO_TRY(setId(n, 10));
      if (n == 0 || n > 64) return invalid(option, "between 1 and 64");
      s.fs.uploadThreads = n;
      return okStatus();
    }
    if (key == "api_url") return setString(s.apiUrl);
    if (key == "token_file") return setString(s.tokenFile);
    if (key == "cache_dir") return setString(s.cacheDir);
    if (key == "log_file") return setString(s.logFile);
    if (key == "log_level") return setString(s.logLevel);
  }
  return invalid(option, "unknown option");
}

Status applyMountOptions(MountSettings& settings, std::string_view list) {
  size_t start = 0;
  while (start <= list.size()) {
    const size_t comma = list.find(',', start);
    const size_t end = comma == std::string_view::npos ? list.size() : comma;
    FASTIO_TRY(applyMountOption(settings, list.substr(start, end - start)));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return okStatus();
}

}  // namespace fastio::cli
