#pragma once
// Shared set-up for FileSystem tests: an in-memory service, a memory block cache and helpers
// that walk paths the way the kernel would (lookup component by component).

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "client/testing/InMemoryRemoteStore.h"
#include "fs/FileSystem.h"
#include "tests/fs/MemoryContentCache.h"

namespace fastio::fs::testsupport {

// Records kernel invalidations so tests can assert on them.
class RecordingInvalidator final : public KernelInvalidator {
 public:
  void invalidateInode(uint64_t ino) override {
    std::lock_guard lock(mu_);
    inodes.push_back(ino);
    cv_.notify_all();
  }
  void invalidateEntry(uint64_t parent, const std::string& name) override {
    std::lock_guard lock(mu_);
    entries.emplace_back(parent, name);
    cv_.notify_all();
  }
  bool waitForInode(uint64_t ino) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] {
      return std::find(inodes.begin(), inodes.end(), ino) != inodes.end();
    });
  }
  bool sawEntry(uint64_t parent, const std::string& name) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] {
      return std::find(entries.begin(), entries.end(), std::make_pair(parent, name)) !=
             entries.end();
    });
  }
  std::vector<uint64_t> inodes;
  std::vector<std::pair<uint64_t, std::string>> entries;

 private:
  std::mutex mu_;
  std::condition_variable cv_;
};

inline FsOptions testOptions() {
  FsOptions o;
  o.blockSize = 4096;
  o.readAheadMaxBytes = 4 * 4096;
  o.watchChanges = false;
  o.uid = 1000;
  o.gid = 1000;
  return o;
}

// Walks "ws/dir/file" from the mount root; each step takes a kernel reference like lookup does.
inline Result<EntryReply> walk(FileSystem& fs, const std::string& path) {
  std::stringstream ss(path);
  std::string part;
  InodeId at = kRootInode;
  Result<EntryReply> last = makeError(ErrorCode::kInvalid, "empty path");
  while (std::getline(ss, part, '/')) {
    last = fs.lookup(at, part);
    if (!last.ok()) return last;
    at = last->attr.ino;
  }
  return last;
}

inline Result<std::string> readAll(FileSystem& fs, InodeId ino, size_t chunk = 4096) {
  auto opened = fs.open(ino, false);
  if (!opened.ok()) return opened.error();
  std::string out;
  for (;;) {
    auto part = fs.read(opened->handle, out.size(), chunk);
    if (!part.ok()) {
      fs.release(opened->handle);
      return part.error();
    }
    if (part->empty()) break;
    out += *part;
  }
  fs.release(opened->handle);
  return out;
}

inline std::string patterned(size_t n, char seed = 'a') {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(seed + (i * 7 + i / 4096) % 26);
  return s;
}

}  // namespace fastio::fs::testsupport
