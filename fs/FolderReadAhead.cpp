#include "fs/FolderReadAhead.h"

#include <algorithm>

namespace fastio::fs {

namespace {
// Entries that are never opened (subfolders, files the tool skips) sit between the ones that
// are: a small forward step still counts as in order.
constexpr size_t kForwardSlack = 4;
}  // namespace

FolderScanTracker::FolderScanTracker(size_t initialWindow, size_t maxWindow, size_t folders)
    : initial_(std::max<size_t>(1, std::min(initialWindow, maxWindow))),
      max_(maxWindow),
      capacity_(std::max<size_t>(1, folders)) {}

std::pair<size_t, size_t> FolderScanTracker::onOpen(const std::string& folderKey, size_t position,
                                                    size_t count) {
  if (max_ == 0) return {position, position};
  std::lock_guard lock(mu_);
  auto it = scans_.find(folderKey);
  if (it == scans_.end()) {
    if (scans_.size() >= capacity_) {
      scans_.erase(order_.front());
      order_.pop_front();
    }
    order_.push_back(folderKey);
    scans_.emplace(folderKey, Scan{position, 0, position + 1});
    return {position, position};
  }
  Scan& scan = it->second;
  const bool inOrder =
      position > scan.last && position <= std::max(scan.last + kForwardSlack, scan.scheduledEnd);
  scan.last = position;
  if (!inOrder) {
    scan.window = 0;
    scan.scheduledEnd = position + 1;
    return {position, position};
  }
  scan.window = scan.window == 0 ? initial_ : std::min(scan.window * 2, max_);
  const size_t from = std::max(scan.scheduledEnd, position + 1);
  const size_t to = std::min(count, position + 1 + scan.window);
  // Refill once half of the window has been opened, as file read-ahead does.
  if (from >= to || from - (position + 1) > scan.window / 2) return {from, from};
  scan.scheduledEnd = to;
  return {from, to};
}

}  // namespace fastio::fs
