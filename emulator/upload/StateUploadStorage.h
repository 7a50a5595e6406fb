#pragma once
// UploadStorage over the emulator's State: resolves instance_id (workspace id or folder_name),
// checks the folder or file_id up front, and stores assembled content as a new file or a new
// version (State overwrites a same-named file in the same folder in place).

#include "emulator/state/State.h"
#include "emulator/upload/UploadStorage.h"

namespace fastio::emu {

class StateUploadStorage final : public UploadStorage {
 public:
  explicit StateUploadStorage(State& state) : state_(state) {}

  Status checkTarget(const UploadTarget& target) override;
  Result<StoredFile> store(const UploadTarget& target, const std::filesystem::path& content,
                           std::uint64_t size, const std::string& md5) override;

 private:
  State& state_;
};

}  // namespace fastio::emu
