#include "cache/ExtentMap.h"

#include <algorithm>

namespace fastio::cache {

void overlayExtent(std::vector<DirtyExtent>& extents, DirtyExtent added) {
  if (added.length == 0) return;
  uint64_t start = added.offset;
  uint64_t end = added.offset + added.length;
  // First extent that ends after `start`.
  auto it = std::lower_bound(
      extents.begin(), extents.end(), start,
      [](const DirtyExtent& e, uint64_t pos) { return e.offset + e.length <= pos; });
  std::vector<DirtyExtent> keep;  // trimmed remains of the covered extents
  auto first = it;
  while (it != extents.end() && it->offset < end) {
    uint64_t eEnd = it->offset + it->length;
    if (it->offset < start) keep.push_back({it->offset, start - it->offset, it->logOffset});
    if (eEnd > end) keep.push_back({end, eEnd - end, it->logOffset + (end - it->offset)});
    ++it;
  }
  it = extents.erase(first, it);
  // Order: left remain (< start), the new extent, right remain (>= end).
  std::vector<DirtyExtent> middle;
  for (const auto& k : keep) {
    if (k.offset < start) middle.push_back(k);
  }
  middle.push_back(added);
  for (const auto& k : keep) {
    if (k.offset >= end) middle.push_back(k);
  }
  size_t at = static_cast<size_t>(it - extents.begin());
  extents.insert(it, middle.begin(), middle.end());
  // Merge the new extent with its left neighbour when file- and log-contiguous.
  size_t idx = at;
  while (idx < extents.size() && extents[idx].offset != start) ++idx;
  if (idx > 0 && idx < extents.size()) {
    DirtyExtent& left = extents[idx - 1];
    const DirtyExtent& mine = extents[idx];
    if (left.offset + left.length == mine.offset &&
        left.logOffset + left.length == mine.logOffset) {
      left.length += mine.length;
      extents.erase(extents.begin() + static_cast<std::ptrdiff_t>(idx));
    }
  }
}

void truncateExtents(std::vector<DirtyExtent>& extents, uint64_t size) {
  while (!extents.empty()) {
    DirtyExtent& last = extents.back();
    if (last.offset >= size) {
      extents.pop_back();
    } else {
      if (last.offset + last.length > size) last.length = size - last.offset;
      break;
    }
  }
}

uint64_t liveBytes(const std::vector<DirtyExtent>& extents) {
  uint64_t total = 0;
  for (const auto& e : extents) total += e.length;
  return total;
}

std::vector<ReadPiece> planRead(const std::vector<DirtyExtent>& extents, uint64_t baseVisibleSize,
                                uint64_t offset, uint64_t length) {
  std::vector<ReadPiece> pieces;
  uint64_t pos = offset;
  uint64_t end = offset + length;
  auto gap = [&](uint64_t from, uint64_t to) {
    if (from >= to) return;
    if (from < baseVisibleSize) {
      uint64_t baseEnd = std::min(to, baseVisibleSize);
      pieces.push_back({ReadPiece::Source::kBase, from, baseEnd - from, 0});
      from = baseEnd;
    }
    if (from < to) pieces.push_back({ReadPiece::Source::kZero, from, to - from, 0});
  };
  auto it =
      std::lower_bound(extents.begin(), extents.end(), pos,
                       [](const DirtyExtent& e, uint64_t p) { return e.offset + e.length <= p; });
  for (; it != extents.end() && it->offset < end && pos < end; ++it) {
    gap(pos, std::min(it->offset, end));
    uint64_t from = std::max(pos, it->offset);
    uint64_t to = std::min(end, it->offset + it->length);
    pieces.push_back(
        {ReadPiece::Source::kLog, from, to - from, it->logOffset + (from - it->offset)});
    pos = to;
  }
  gap(pos, end);
  return pieces;
}

}  // namespace fastio::cache
