#include "tests/integration/ModelTestTree.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "common/ContentDigest.h"

namespace fastio::integration::model {

namespace fsys = std::filesystem;

TreeEntry folderEntry() {
  TreeEntry e;
  e.folder = true;
  return e;
}

TreeEntry fileEntry(std::string content) {
  TreeEntry e;
  e.size = content.size();
  e.hasContent = true;
  e.content = std::move(content);
  return e;
}

std::string joinPath(const std::string& folder, const std::string& name) {
  return folder.empty() ? name : folder + "/" + name;
}

std::string parentOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

std::string baseName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string readWhole(const fsys::path& file) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw std::runtime_error("open " + file.string() + ": " + std::strerror(errno));
  }
  std::string out;
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      throw std::runtime_error("read " + file.string() + ": " + std::strerror(err));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  if (::close(fd) != 0) {
    throw std::runtime_error("close " + file.string() + ": " + std::strerror(errno));
  }
  return out;
}

namespace {

void walk(const fsys::path& root, const std::string& rel, bool withContents, Tree& out,
          std::vector<std::string>& problems) {
  const fsys::path dir = rel.empty() ? root : root / rel;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    problems.push_back("cannot list '" + rel + "': " + std::strerror(errno));
    return;
  }
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  ::closedir(d);
  for (const std::string& name : names) {
    const std::string path = joinPath(rel, name);
    if (out.count(path) != 0) {
      problems.push_back("'" + path + "' listed twice");
      continue;
    }
    struct stat st {};
    if (::lstat((root / path).c_str(), &st) != 0) {
      problems.push_back("listed but cannot stat '" + path + "': " + std::strerror(errno));
      continue;
    }
    if (S_ISDIR(st.st_mode)) {
      out[path] = folderEntry();
      walk(root, path, withContents, out, problems);
    } else if (S_ISREG(st.st_mode)) {
      TreeEntry entry;
      entry.size = static_cast<uint64_t>(st.st_size);
      if (withContents) {
        try {
          entry.content = readWhole(root / path);
          entry.hasContent = true;
        } catch (const std::exception& e) {
          problems.push_back(e.what());
        }
      }
      out[path] = std::move(entry);
    } else {
      problems.push_back("'" + path + "' is neither a folder nor a regular file");
    }
  }
}

}  // namespace

Tree readMountedTree(const fsys::path& root, bool withContents,
                     std::vector<std::string>* problems) {
  Tree out;
  out[""] = folderEntry();
  std::vector<std::string> found;
  walk(root, "", withContents, out, found);
  if (problems) problems->insert(problems->end(), found.begin(), found.end());
  return out;
}

std::vector<std::string> diffTrees(const Tree& expected, const Tree& actual) {
  std::vector<std::string> lines;
  for (const auto& [path, want] : expected) {
    auto it = actual.find(path);
    if (it == actual.end()) {
      lines.push_back("missing " + std::string(want.folder ? "folder" : "file") + " '" + path +
                      "'");
      continue;
    }
    const TreeEntry& got = it->second;
    if (want.folder != got.folder) {
      lines.push_back("'" + path + "' is a " + (got.folder ? "folder" : "file") + ", expected a " +
                      (want.folder ? "folder" : "file"));
      continue;
    }
    if (want.folder) continue;
    if (want.size != got.size) {
      lines.push_back("size of '" + path + "' is " + std::to_string(got.size) + ", expected " +
                      std::to_string(want.size));
    }
    if (want.hasContent && got.hasContent && want.content != got.content) {
      size_t at = 0;
      while (at < want.content.size() && at < got.content.size() &&
             want.content[at] == got.content[at]) {
        ++at;
      }
      lines.push_back("content of '" + path + "' differs from byte " + std::to_string(at) +
                      " (size " + std::to_string(got.content.size()) + ", expected " +
                      std::to_string(want.content.size()) + ")");
    }
  }
  for (const auto& [path, got] : actual) {
    if (expected.count(path) == 0) {
      lines.push_back("unexpected " + std::string(got.folder ? "folder" : "file") + " '" + path +
                      "' (size " + std::to_string(got.size) + ")");
    }
  }
  return lines;
}

std::string joinLines(const std::vector<std::string>& lines, size_t max) {
  std::string out;
  for (size_t i = 0; i < lines.size() && i < max; ++i) out += "  " + lines[i] + "\n";
  if (lines.size() > max) out += "  ... and " + std::to_string(lines.size() - max) + " more\n";
  return out;
}

std::string md5Hex(const std::string& bytes) {
  auto digest = ContentDigest::create("md5");
  digest->update(bytes);
  return digest->hex();
}

}  // namespace fastio::integration::model
