#pragma once
// The model of the model-based test: what a POSIX filesystem must show after the operations
// the test ran through the mount. Files have an identity (an open descriptor follows its file
// through renames, and keeps an unlinked or replaced file alive), folders are paths. It also
// counts what may have gone to the server's trash.

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "tests/integration/ModelTestTree.h"

namespace fastio::integration::model {

struct ModelFile {
  std::string content;
  std::set<std::string> namesHeld;  // every name it had (a trashed node shows one of them)
};
using ModelFilePtr = std::shared_ptr<ModelFile>;

// An open descriptor of the mount and the file it refers to.
struct ModelHandle {
  int fd = -1;
  ModelFilePtr file;
  bool append = false;
};

class FsModel {
 public:
  FsModel();

  const std::set<std::string>& folders() const { return folders_; }
  const std::map<std::string, ModelFilePtr>& files() const { return files_; }
  bool exists(const std::string& path) const;
  bool isFolder(const std::string& path) const { return folders_.count(path) != 0; }
  // Names directly inside a folder (files and folders).
  std::vector<std::string> childrenOf(const std::string& folder) const;
  int depthOf(const std::string& folder) const;

  // --- mutations (the caller checked that they are valid)
  ModelFilePtr addFile(const std::string& path, std::string content = {});
  void addFolder(const std::string& path);
  void writeAt(ModelFile& file, uint64_t offset, const std::string& data);
  void truncate(ModelFile& file, uint64_t size);
  // A plain rename of a file or folder to a free name.
  void rename(const std::string& from, const std::string& to);
  // A file over an existing file: the target's file is replaced.
  void renameOver(const std::string& from, const std::string& to);
  // A folder over an empty folder.
  void renameFolderOver(const std::string& from, const std::string& to);
  void unlink(const std::string& path);
  void rmdir(const std::string& path);

  // Seeding: files and folders the server holds before the test (they count as on the server).
  void seed(const Tree& tree);

  // The tree as the mount and the server must show it.
  Tree tree() const;

  // --- what the server's trash may hold after this history
  // Names any trashed node may carry, and how many trash entries of each kind may exist.
  const std::set<std::string>& removedNames() const { return removedNames_; }
  size_t maxTrashedFiles() const { return maxTrashedFiles_; }
  size_t maxTrashedFolders() const { return maxTrashedFolders_; }

 private:
  void noteRemoved(const ModelFile& file);

  std::set<std::string> folders_;
  std::map<std::string, ModelFilePtr> files_;
  std::set<std::string> removedNames_;
  size_t maxTrashedFiles_ = 0;
  size_t maxTrashedFolders_ = 0;
};

}  // namespace fastio::integration::model
