#pragma once
// Folder read-ahead: a process that opens the files of a folder one after another in listing
// order (grep -r, cp -r, tar, rsync) gets the next files' first blocks fetched ahead, so it
// does not wait one round trip per file. Like file read-ahead, the window opens after two
// opens in order, doubles up to a ceiling, and closes on a jump.

#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

namespace fastio::fs {

class FolderScanTracker {
 public:
  // maxWindow 0 turns folder read-ahead off. Remembers at most `folders` folders.
  FolderScanTracker(size_t initialWindow, size_t maxWindow, size_t folders = 64);

  // Records the open of the entry at `position` of a folder listing of `count` entries;
  // returns the positions [first, last) to fetch ahead now (empty when the folder is not being
  // scanned in order, or when they were handed out before).
  std::pair<size_t, size_t> onOpen(const std::string& folderKey, size_t position, size_t count);

 private:
  struct Scan {
    size_t last = 0;  // position of the last open
    size_t window = 0;
    size_t scheduledEnd = 0;
  };
  size_t initial_;
  size_t max_;
  size_t capacity_;
  std::mutex mu_;
  std::unordered_map<std::string, Scan> scans_;
  std::deque<std::string> order_;  // oldest first, for the bound
};

}  // namespace fastio::fs
