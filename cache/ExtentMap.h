#pragma once
// Pure functions over a file's dirty extents (sorted by offset, non-overlapping), shared by
// the journal's write, truncate and read paths. No I/O: unit-tested against a byte model.

#include <cstdint>
#include <vector>

#include "cache/DirtyJournal.h"

namespace fastio::cache {

// Lays [offset, offset+length) -> logOffset over the map, trimming or splitting what it
// covers, and merges it with its left neighbour when both are contiguous in file and log.
void overlayExtent(std::vector<DirtyExtent>& extents, DirtyExtent added);

// Drops everything at or past `size`, trimming an extent that straddles it.
void truncateExtents(std::vector<DirtyExtent>& extents, uint64_t size);

uint64_t liveBytes(const std::vector<DirtyExtent>& extents);

// One piece of a read of [offset, offset+length): from the log, from the base, or zeros.
struct ReadPiece {
  enum class Source { kLog, kBase, kZero } source = Source::kZero;
  uint64_t offset = 0;  // in the file
  uint64_t length = 0;
  uint64_t logOffset = 0;  // kLog only
};

// Splits a read (already clipped to the file size) into pieces, in order.
std::vector<ReadPiece> planRead(const std::vector<DirtyExtent>& extents, uint64_t baseVisibleSize,
                                uint64_t offset, uint64_t length);

}  // namespace fastio::cache
