#pragma once
// How the journal stores one dirty file: the value in LMDB (journal/records, table `files`,
// key = u64 FileKey) and the payload of a write-ahead record frame. Layouts in docs/CACHE.md.
//
// Format 2 adds the commit sequence, the upload target, the trash list, the tombstone flag,
// the explicit mtime and the poisoned log ranges (with their message). Format 1 records
// (written before the write-ahead log existed) still decode: target = base, sequence 0.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cache/DirtyJournal.h"
#include "common/Result.h"

namespace fastio::cache {

// Log bytes a failed fdatasync covered: [from, to) of log generation logGen.
struct PoisonedRange {
  uint64_t logGen = 0;
  uint64_t from = 0;
  uint64_t to = 0;
  bool operator==(const PoisonedRange&) const = default;
};

struct StoredRecord {
  DirtyFileState state;
  uint64_t logGen = 0;
  uint64_t commitSeq = 0;  // the commit that wrote it; 0 for format 1
  std::vector<PoisonedRange> poison;
};

// Always the newest format.
std::string encodeRecord(const DirtyFileState& st, uint64_t logGen, uint64_t commitSeq,
                         const std::vector<PoisonedRange>& poison);
// Format 1 or 2; an error for anything malformed.
Result<StoredRecord> decodeRecord(std::string_view bytes);

// How long the staging log must be for every extent of the record (live and snapshot).
uint64_t logBytesNeeded(const DirtyFileState& st);

}  // namespace fastio::cache
