#include "emulator/upload/UploadSessionStore.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>

#include "common/FdIo.h"
#include "common/Log.h"

namespace fastio::emu {

namespace fs = std::filesystem;

namespace {

constexpr char kRecordName[] = "session.json";
constexpr char kChunkPrefix[] = "chunk-";
constexpr char kTempPrefix[] = "tmp-";

Error ioError(const std::string& what, const fs::path& path, int err) {
  ErrorCode code = (err == ENOSPC || err == EDQUOT) ? ErrorCode::kNoSpace : ErrorCode::kIo;
  return makeError(code, what + " " + path.string() + ": " + std::strerror(err));
}

Status makePrivateDir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return makeError(ErrorCode::kIo, "cannot create " + dir.string() + ": " + ec.message());
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  return okStatus();
}

Status syncDir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ioError("cannot open", dir, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return ioError("cannot sync", dir, err);
  return okStatus();
}

bool startsWith(const std::string& s, std::string_view prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

Status durableRename(const fs::path& from, const fs::path& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) return ioError("cannot rename to", to, errno);
  return syncDir(to.parent_path());
}

UploadSessionStore::UploadSessionStore(fs::path root) : root_(std::move(root)) {}

Status UploadSessionStore::open() {
  FASTIO_TRY(makePrivateDir(root_));
  FASTIO_TRY(makePrivateDir(root_ / "incoming"));
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root_ / "incoming", ec)) {
    fs::remove(entry.path(), ec);
  }
  return okStatus();
}

Result<std::vector<UploadSession>> UploadSessionStore::loadAll() {
  std::vector<UploadSession> sessions;
  std::error_code ec;
  for (const auto& dirEntry : fs::directory_iterator(root_, ec)) {
    if (!dirEntry.is_directory() || dirEntry.path().filename() == "incoming") continue;
    fs::path record = dirEntry.path() / kRecordName;
    std::ifstream in(record);
    if (!in) {
      FASTIO_LOG_WARN("upload session dir {} has no record; removing it", dirEntry.path().string());
      fs::remove_all(dirEntry.path(), ec);
      continue;
    }
    nlohmann::json json = nlohmann::json::parse(in, nullptr, false);
    auto session =
        json.is_discarded()
            ? Result<UploadSession>(makeError(ErrorCode::kProtocol, "record is not JSON"))
            : UploadSession::fromRecord(json);
    if (!session.ok()) {
      FASTIO_LOG_WARN("skipping upload session {}: {}", dirEntry.path().string(),
                      session.error().describe());
      continue;
    }
    session->chunks.clear();
    std::error_code iterEc;
    for (const auto& file : fs::directory_iterator(dirEntry.path(), iterEc)) {
      std::string name = file.path().filename().string();
      if (startsWith(name, kTempPrefix)) {
        fs::remove(file.path(), iterEc);
      } else if (startsWith(name, kChunkPrefix)) {
        try {
          int order = std::stoi(name.substr(sizeof(kChunkPrefix) - 1));
          session->chunks[order] = fs::file_size(file.path());
        } catch (const std::exception&) {
          FASTIO_LOG_WARN("ignoring stray file {}", file.path().string());
        }
      }
    }
    sessions.push_back(std::move(session).value());
  }
  if (ec) return makeError(ErrorCode::kIo, "cannot list " + root_.string() + ": " + ec.message());
  return sessions;
}

Status UploadSessionStore::createSessionDir(const std::string& id) {
  return makePrivateDir(sessionDir(id));
}

Status UploadSessionStore::save(const UploadSession& session, bool durable) {
  fs::path dir = sessionDir(session.id);
  fs::path tmp = dir / (std::string(kTempPrefix) + "record-" + uniqueSuffix());
  std::string text = session.toRecord().dump();
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return ioError("cannot create", tmp, errno);
  if (const fdio::Transfer written = fdio::writeAll(fd, text); !written.ok()) {
    ::close(fd);
    ::unlink(tmp.c_str());
    return ioError("cannot write", tmp, written.error);
  }
  if (durable && ::fdatasync(fd) != 0) {
    int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return ioError("cannot sync", tmp, err);
  }
  ::close(fd);
  fs::path target = dir / kRecordName;
  Status renamed = okStatus();
  if (durable) {
    renamed = durableRename(tmp, target);
  } else if (::rename(tmp.c_str(), target.c_str()) != 0) {
    renamed = ioError("cannot rename to", target, errno);
  }
  if (!renamed.ok()) ::unlink(tmp.c_str());
  return renamed;
}

void UploadSessionStore::removeData(const std::string& id) {
  std::error_code ec;
  for (const auto& file : fs::directory_iterator(sessionDir(id), ec)) {
    if (file.path().filename() != kRecordName) fs::remove(file.path(), ec);
  }
}

void UploadSessionStore::removeSession(const std::string& id) {
  std::error_code ec;
  fs::remove_all(sessionDir(id), ec);
}

fs::path UploadSessionStore::sessionDir(const std::string& id) const {
  return root_ / id;
}

fs::path UploadSessionStore::chunkPath(const std::string& id, int order) const {
  return sessionDir(id) / (kChunkPrefix + std::to_string(order));
}

fs::path UploadSessionStore::assembledPath(const std::string& id) const {
  return sessionDir(id) / "assembled";
}

fs::path UploadSessionStore::newTempChunkPath(const std::string& id) {
  return sessionDir(id) / (kTempPrefix + uniqueSuffix());
}

fs::path UploadSessionStore::newIncomingPath() {
  return root_ / "incoming" / (kTempPrefix + uniqueSuffix());
}

std::string UploadSessionStore::uniqueSuffix() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::to_string(counter_.fetch_add(1)) + "-" + std::to_string(rng() & 0xffffffffu);
}

}  // namespace fastio::emu
