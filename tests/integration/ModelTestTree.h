#pragma once
// A file tree as a test expects it, or as it found it in a mount or on the server: relative
// paths ("" is the root, "d1/a.txt") to folders and files. Shared by the model test and the
// crash test, which compare what they expect with what a mount and the API show.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace fastio::integration::model {

struct TreeEntry {
  bool folder = false;
  uint64_t size = 0;
  bool hasContent = false;  // content holds the bytes (else only size is known)
  std::string content;
};
using Tree = std::map<std::string, TreeEntry>;

TreeEntry folderEntry();
TreeEntry fileEntry(std::string content);

// "a/b" + "c" = "a/b/c"; "" + "c" = "c".
std::string joinPath(const std::string& folder, const std::string& name);
std::string parentOf(const std::string& path);
std::string baseName(const std::string& path);

// Walks a mounted folder: every folder and file below root, with their contents when asked.
// Problems (an unreadable entry, a symlink, a short read) are returned as diff lines.
Tree readMountedTree(const std::filesystem::path& root, bool withContents,
                     std::vector<std::string>* problems);
// One file read whole through the mount (throws std::runtime_error when it cannot be read).
std::string readWhole(const std::filesystem::path& file);

// One line per difference: missing and extra entries, kinds, sizes, contents (when both sides
// have them: the first differing byte).
std::vector<std::string> diffTrees(const Tree& expected, const Tree& actual);
// The first `max` lines, joined, for a failure message.
std::string joinLines(const std::vector<std::string>& lines, size_t max = 30);

// Lower-case hex md5 of bytes (the emulator's hash of a file).
std::string md5Hex(const std::string& bytes);

}  // namespace fastio::integration::model
