#include "emulator/state/BlobStore.h"

#include <fcntl.h>
#include <unistd.h>

#include "emulator/ApiCodes.h"
#include "emulator/state/RandomText.h"

namespace fastio::emu {

namespace fs = std::filesystem;

namespace {

Status fsyncPath(const fs::path& path, bool directory) {
  int fd = ::open(path.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) return internalError("cannot open " + path.string() + " for fsync");
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return internalError("fsync failed on " + path.string());
  return okStatus();
}

}  // namespace

Result<BlobStore> BlobStore::open(const fs::path& dataDir) {
  BlobStore store(dataDir / "blobs");
  std::error_code ec;
  fs::create_directories(store.tmpDir_, ec);
  if (ec) return internalError("cannot create " + store.blobDir_.string() + ": " + ec.message());
  return store;
}

BlobStore::BlobStore(fs::path blobDir) : blobDir_(std::move(blobDir)), tmpDir_(blobDir_ / "tmp") {}

fs::path BlobStore::newTempPath() const {
  return tmpDir_ / ("blob-" + randomHex(12));
}

fs::path BlobStore::pathOf(const std::string& versionId) const {
  return blobDir_ / versionId;
}

Status BlobStore::adopt(const fs::path& tempPath, const std::string& versionId) const {
  fs::path finalPath = pathOf(versionId);
  std::error_code ec;
  fs::rename(tempPath, finalPath, ec);
  if (ec) {
    std::string why = ec.message();
    fs::remove(tempPath, ec);
    return internalError("cannot store content: " + why);
  }
  if (auto s = syncDirectory(); !s.ok()) {
    remove(finalPath);
    return s.error();
  }
  return okStatus();
}

Status BlobStore::duplicate(const std::string& from, const std::string& to) const {
  std::error_code ec;
  fs::create_hard_link(pathOf(from), pathOf(to), ec);
  if (ec) fs::copy_file(pathOf(from), pathOf(to), ec);
  if (ec) return internalError("cannot copy content of version " + from);
  return okStatus();
}

Status BlobStore::syncDirectory() const {
  return fsyncPath(blobDir_, true);
}

void BlobStore::remove(const fs::path& blob) const {
  std::error_code ec;
  fs::remove(blob, ec);
}

void BlobStore::remove(const std::vector<fs::path>& blobs) const {
  for (const auto& blob : blobs) remove(blob);
}

void BlobStore::removeLeftovers(const std::set<std::string>& knownVersionIds) const {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(tmpDir_, ec)) fs::remove(entry.path(), ec);
  for (const auto& entry : fs::directory_iterator(blobDir_, ec)) {
    if (entry.is_regular_file() && !knownVersionIds.count(entry.path().filename().string())) {
      fs::remove(entry.path(), ec);
    }
  }
}

Status BlobStore::fsyncFile(const fs::path& path) {
  return fsyncPath(path, false);
}

}  // namespace fastio::emu
