#include "tests/integration/ModelTestModel.h"

#include <algorithm>

namespace fastio::integration::model {

namespace {

bool inside(const std::string& path, const std::string& folder) {
  return path.size() > folder.size() && path.compare(0, folder.size(), folder) == 0 &&
         path[folder.size()] == '/';
}

std::string moved(const std::string& path, const std::string& from, const std::string& to) {
  return to + path.substr(from.size());
}

}  // namespace

FsModel::FsModel() {
  folders_.insert("");
}

bool FsModel::exists(const std::string& path) const {
  return folders_.count(path) != 0 || files_.count(path) != 0;
}

std::vector<std::string> FsModel::childrenOf(const std::string& folder) const {
  std::vector<std::string> out;
  for (const std::string& f : folders_) {
    if (!f.empty() && parentOf(f) == folder) out.push_back(baseName(f));
  }
  for (const auto& [path, file] : files_) {
    if (parentOf(path) == folder) out.push_back(baseName(path));
  }
  std::sort(out.begin(), out.end());
  return out;
}

int FsModel::depthOf(const std::string& folder) const {
  if (folder.empty()) return 0;
  return 1 + static_cast<int>(std::count(folder.begin(), folder.end(), '/'));
}

ModelFilePtr FsModel::addFile(const std::string& path, std::string content) {
  auto file = std::make_shared<ModelFile>();
  file->content = std::move(content);
  file->namesHeld.insert(baseName(path));
  files_[path] = file;
  return file;
}

void FsModel::addFolder(const std::string& path) {
  folders_.insert(path);
}

void FsModel::writeAt(ModelFile& file, uint64_t offset, const std::string& data) {
  if (file.content.size() < offset + data.size()) file.content.resize(offset + data.size(), '\0');
  std::copy(data.begin(), data.end(), file.content.begin() + static_cast<std::ptrdiff_t>(offset));
}

void FsModel::truncate(ModelFile& file, uint64_t size) {
  file.content.resize(size, '\0');
}

void FsModel::rename(const std::string& from, const std::string& to) {
  if (auto it = files_.find(from); it != files_.end()) {
    ModelFilePtr file = it->second;
    files_.erase(it);
    file->namesHeld.insert(baseName(to));
    files_[to] = file;
    return;
  }
  std::set<std::string> folders;
  for (const std::string& f : folders_) {
    folders.insert(f == from || inside(f, from) ? moved(f, from, to) : f);
  }
  folders_ = std::move(folders);
  std::map<std::string, ModelFilePtr> files;
  for (auto& [path, file] : files_) {
    files[inside(path, from) ? moved(path, from, to) : path] = file;
  }
  files_ = std::move(files);
}

void FsModel::noteRemoved(const ModelFile& file) {
  removedNames_.insert(file.namesHeld.begin(), file.namesHeld.end());
}

void FsModel::renameOver(const std::string& from, const std::string& to) {
  // On the server the target keeps its node and takes the new content; the source's node goes
  // to the trash. A target still uploading when it was replaced may be stored and then
  // deleted: both may show in the trash.
  noteRemoved(*files_.at(to));
  noteRemoved(*files_.at(from));
  maxTrashedFiles_ += 2;
  files_.erase(to);
  rename(from, to);
}

void FsModel::renameFolderOver(const std::string& from, const std::string& to) {
  removedNames_.insert(baseName(to));
  ++maxTrashedFolders_;
  folders_.erase(to);
  rename(from, to);
}

void FsModel::unlink(const std::string& path) {
  noteRemoved(*files_.at(path));
  ++maxTrashedFiles_;
  files_.erase(path);
}

void FsModel::rmdir(const std::string& path) {
  removedNames_.insert(baseName(path));
  ++maxTrashedFolders_;
  folders_.erase(path);
}

void FsModel::seed(const Tree& tree) {
  for (const auto& [path, entry] : tree) {
    if (entry.folder) {
      addFolder(path);
    } else {
      addFile(path, entry.content);
    }
  }
}

Tree FsModel::tree() const {
  Tree out;
  for (const std::string& f : folders_) out[f] = folderEntry();
  for (const auto& [path, file] : files_) out[path] = fileEntry(file->content);
  return out;
}

}  // namespace fastio::integration::model
