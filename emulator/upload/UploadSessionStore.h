#pragma once
// Upload sessions on disk, so a restarted emulator resumes them. Layout under the root
// (--data/uploads):
//   incoming/tmp-*           single-call bodies while they stream in
//   <session>/session.json   the record, replaced atomically (write, fsync, rename)
//   <session>/chunk-<order>  an acknowledged chunk (fsynced, then renamed into place)
//   <session>/tmp-*          a chunk still streaming in (dropped at start-up)
//   <session>/assembled      the assembled file, before it is stored
// Committed chunk files are the truth for the chunks map after a restart.

#include <atomic>
#include <filesystem>
#include <string>
#include <vector>

#include "common/Result.h"
#include "emulator/upload/UploadSession.h"

namespace fastio::emu {

class UploadSessionStore {
 public:
  explicit UploadSessionStore(std::filesystem::path root);

  // Creates the directories (mode 0700) and removes leftovers of interrupted requests.
  Status open();
  // Every persisted session, its chunks map rebuilt from the committed chunk files.
  Result<std::vector<UploadSession>> loadAll();

  Status createSessionDir(const std::string& id);
  // durable: fsync before acknowledging (creation, terminal states); status moves in between
  // need not survive a crash, since start-up re-derives them.
  Status save(const UploadSession& session, bool durable = true);
  // Removes chunk and assembled files but keeps the record (finished sessions stay listable).
  void removeData(const std::string& id);
  void removeSession(const std::string& id);

  std::filesystem::path sessionDir(const std::string& id) const;
  std::filesystem::path chunkPath(const std::string& id, int order) const;
  std::filesystem::path assembledPath(const std::string& id) const;
  std::filesystem::path newTempChunkPath(const std::string& id);
  std::filesystem::path newIncomingPath();
  const std::filesystem::path& root() const { return root_; }

 private:
  std::string uniqueSuffix();

  std::filesystem::path root_;
  std::atomic<unsigned long long> counter_{0};
};

// Renames `from` to `to` and fsyncs the directory, so the rename survives a crash.
Status durableRename(const std::filesystem::path& from, const std::filesystem::path& to);

}  // namespace fastio::emu
