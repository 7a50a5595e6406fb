#include "client/auth/TokenFile.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>

#include "client/wire/JsonReading.h"
#include "client/wire/Timestamps.h"
#include "common/FdIo.h"

namespace fastio::auth {
namespace {

constexpr size_t kMaxTokenFileSize = 64 * 1024;

std::string octalMode(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

Error ioError(const std::string& what, const std::string& path, int err = errno) {
  return makeError(ErrorCode::kIo, what + " " + path + ": " + std::strerror(err));
}

Status makeDirs(const std::string& dir) {
  if (dir.empty()) return okStatus();
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode))
      return makeError(ErrorCode::kNotDirectory, dir + " is not a directory");
    return okStatus();
  }
  const auto slash = dir.find_last_of('/');
  if (slash != std::string::npos && slash > 0) FASTIO_TRY(makeDirs(dir.substr(0, slash)));
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return ioError("cannot create", dir);
  return okStatus();
}

}  // namespace

std::string defaultTokenFilePath() {
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg != nullptr && *xdg != '\0') {
    return std::string(xdg) + "/fastiofs/token.json";
  }
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : ".") + "/.config/fastiofs/token.json";
}

Result<TokenSet> loadTokenFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    if (errno == ENOENT)
      return makeError(ErrorCode::kNotFound, "token file " + path + " does not exist");
    return ioError("cannot open token file", path);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    Error e = ioError("cannot stat token file", path);
    ::close(fd);
    return e;
  }
  auto refuse = [&](std::string why) -> Result<TokenSet> {
    ::close(fd);
    return makeError(ErrorCode::kDenied, "refusing token file " + path + ": " + why);
  };
  if (!S_ISREG(st.st_mode)) return refuse("not a regular file");
  if ((st.st_mode & 077) != 0) {
    return refuse("it is readable or writable by group or others (mode " + octalMode(st.st_mode) +
                  "); run: chmod 600 " + path);
  }
  if (st.st_uid != ::geteuid()) return refuse("it is owned by another user");
  if (static_cast<size_t>(st.st_size) > kMaxTokenFileSize) return refuse("it is too large");

  std::string text(static_cast<size_t>(st.st_size), '\0');
  text.resize(fdio::readFull(fd, text).bytes);
  ::close(fd);

  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) {
    return makeError(ErrorCode::kInvalid, "token file " + path + " is empty");
  }
  TokenSet tokens;
  if (text[first] == '{') {
    FASTIO_TRY_ASSIGN(auto parsed, http::parseJson(text, "token file " + path));
    const http::Json& j = parsed;
    tokens.accessToken = http::textOr(http::firstMember(j, {"access_token", "token", "api_key"}));
    tokens.refreshToken = http::textOr(http::member(j, "refresh_token"));
    tokens.apiUrl = http::textOr(http::member(j, "api_url"));
    tokens.clientId = http::textOr(http::member(j, "client_id"));
    if (auto at = http::asDouble(http::member(j, "expires_at"))) {
      tokens.expiresAt = http::epochToWallTime(*at);
    }
  } else {
    const auto end = text.find_first_of(" \t\r\n", first);
    tokens.accessToken =
        text.substr(first, end == std::string::npos ? std::string::npos : end - first);
  }
  if (tokens.accessToken.empty()) {
    return makeError(ErrorCode::kInvalid, "token file " + path + " holds no access token");
  }
  return tokens;
}

Status saveTokenFile(const std::string& path, const TokenSet& tokens) {
  const auto slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  FASTIO_TRY(makeDirs(dir));

  nlohmann::json j;
  j["access_token"] = tokens.accessToken;
  if (!tokens.refreshToken.empty()) j["refresh_token"] = tokens.refreshToken;
  if (tokens.expiresAt) {
    j["expires_at"] =
        std::chrono::duration_cast<std::chrono::seconds>(tokens.expiresAt->time_since_epoch())
            .count();
  }
  if (!tokens.apiUrl.empty()) j["api_url"] = tokens.apiUrl;
  if (!tokens.clientId.empty()) j["client_id"] = tokens.clientId;
  const std::string text = j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";

  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return ioError("cannot create", tmp);
  ::fchmod(fd, 0600);  // regardless of the umask
  if (const fdio::Transfer written = fdio::writeAll(fd, text); !written.ok()) {
    Error e = ioError("cannot write", tmp, written.error);
    ::close(fd);
    ::unlink(tmp.c_str());
    return e;
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    Error e = ioError("cannot flush", tmp);
    ::unlink(tmp.c_str());
    return e;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Error e = ioError("cannot replace", path);
    ::unlink(tmp.c_str());
    return e;
  }
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return okStatus();
}

}  // namespace fastio::auth
