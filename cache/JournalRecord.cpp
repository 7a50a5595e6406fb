#include "cache/JournalRecord.h"

#include <algorithm>

#include "cache/Codec.h"

namespace fastio::cache {
namespace {

constexpr uint8_t kFormatV1 = 1;
constexpr uint8_t kFormatV2 = 2;

void writeExtents(ByteWriter& w, const std::vector<DirtyExtent>& extents) {
  w.u64(extents.size());
  for (const auto& e : extents) w.u64(e.offset).u64(e.length).u64(e.logOffset);
}

bool readExtents(ByteReader& r, std::vector<DirtyExtent>& extents) {
  uint64_t n = 0;
  if (!r.u64(n) || n > r.rest().size() / 24) return false;
  extents.resize(n);
  for (auto& e : extents) {
    if (!r.u64(e.offset) || !r.u64(e.length) || !r.u64(e.logOffset)) return false;
  }
  return true;
}

void writeStrings(ByteWriter& w, const std::vector<std::string>& items) {
  w.u32(static_cast<uint32_t>(items.size()));
  for (const auto& s : items) w.str(s);
}

bool readStrings(ByteReader& r, std::vector<std::string>& items) {
  uint32_t n = 0;
  if (!r.u32(n) || n > r.rest().size() / 4) return false;
  items.resize(n);
  for (auto& s : items) {
    if (!r.str(s)) return false;
  }
  return true;
}

bool readAcked(ByteReader& r, std::vector<uint32_t>& acked) {
  uint64_t n = 0;
  if (!r.u64(n) || n > r.rest().size() / 4) return false;
  acked.resize(n);
  for (auto& order : acked) r.u32(order);
  return r.ok();
}

// Format 1: the fields common to both formats, in their order.
Result<StoredRecord> decodeV1(ByteReader& r) {
  StoredRecord rec;
  DirtyFileState& st = rec.state;
  uint8_t hasUpload = 0;
  r.u64(st.key);
  r.u64(rec.logGen);
  r.str(st.workspaceId);
  r.str(st.parentId);
  r.str(st.name);
  r.str(st.baseNodeId);
  r.str(st.baseVersion);
  r.u64(st.size);
  r.u64(st.baseVisibleSize);
  r.u64(st.generation);
  if (!r.ok() || !readExtents(r, st.extents)) return corruptValue("journal");
  r.u32(st.attempts);
  r.str(st.lastError);
  r.i64(st.lastErrorAtNs);
  r.i64(st.modifiedAtNs);
  r.u8(hasUpload);
  if (hasUpload != 0) {
    UploadSnapshot u;
    r.u64(u.generation);
    r.u64(u.size);
    r.u64(u.baseVisibleSize);
    r.str(u.baseNodeId);
    r.str(u.baseVersion);
    if (!r.ok() || !readExtents(r, u.extents)) return corruptValue("journal upload");
    r.str(u.sessionId);
    r.u64(u.chunkSize);
    if (!readAcked(r, u.ackedChunks)) return corruptValue("journal upload");
    u.targetNodeId = u.baseNodeId;
    u.targetVersion = u.baseVersion;
    u.parentId = st.parentId;
    u.name = st.name;
    st.upload = std::move(u);
  }
  if (!r.ok()) return corruptValue("journal");
  st.targetNodeId = st.baseNodeId;
  st.targetVersion = st.baseVersion;
  // Not stored in format 1; base bytes past baseVisibleSize read as zeros, so it is exact for
  // every read.
  st.baseSize = st.baseVisibleSize;
  return rec;
}

Result<StoredRecord> decodeV2(ByteReader& r) {
  StoredRecord rec;
  DirtyFileState& st = rec.state;
  uint8_t unlinked = 0, hasUpload = 0;
  uint32_t poisoned = 0;
  r.u64(st.key);
  r.u64(rec.logGen);
  r.u64(rec.commitSeq);
  r.str(st.workspaceId);
  r.str(st.parentId);
  r.str(st.name);
  r.str(st.baseNodeId);
  r.str(st.baseVersion);
  r.str(st.targetNodeId);
  r.str(st.targetVersion);
  r.u64(st.size);
  r.u64(st.baseSize);
  r.u64(st.baseVisibleSize);
  r.u64(st.generation);
  if (!r.ok() || !readExtents(r, st.extents)) return corruptValue("journal");
  r.u32(st.attempts);
  r.str(st.lastError);
  r.i64(st.lastErrorAtNs);
  r.i64(st.modifiedAtNs);
  r.i64(st.mtimeNs);
  r.u8(unlinked);
  st.unlinked = unlinked != 0;
  if (!r.ok() || !readStrings(r, st.trashAfterUpload)) return corruptValue("journal");
  r.str(st.syncError);
  if (!r.u32(poisoned) || poisoned > r.rest().size() / 24) return corruptValue("journal");
  rec.poison.resize(poisoned);
  for (auto& p : rec.poison) {
    r.u64(p.logGen);
    r.u64(p.from);
    r.u64(p.to);
  }
  r.u8(hasUpload);
  if (hasUpload != 0) {
    UploadSnapshot u;
    r.u64(u.generation);
    r.u64(u.size);
    r.u64(u.baseVisibleSize);
    r.str(u.baseNodeId);
    r.str(u.baseVersion);
    r.str(u.targetNodeId);
    r.str(u.targetVersion);
    r.str(u.parentId);
    r.str(u.name);
    if (!r.ok() || !readExtents(r, u.extents)) return corruptValue("journal upload");
    r.str(u.sessionId);
    r.u64(u.chunkSize);
    if (!readAcked(r, u.ackedChunks)) return corruptValue("journal upload");
    st.upload = std::move(u);
  }
  if (!r.ok()) return corruptValue("journal");
  return rec;
}

uint64_t extentsEnd(const std::vector<DirtyExtent>& extents) {
  uint64_t end = 0;
  for (const auto& e : extents) end = std::max(end, e.logOffset + e.length);
  return end;
}

}  // namespace

std::string encodeRecord(const DirtyFileState& st, uint64_t logGen, uint64_t commitSeq,
                         const std::vector<PoisonedRange>& poison) {
  ByteWriter w;
  w.u8(kFormatV2)
      .u64(st.key)
      .u64(logGen)
      .u64(commitSeq)
      .str(st.workspaceId)
      .str(st.parentId)
      .str(st.name)
      .str(st.baseNodeId)
      .str(st.baseVersion)
      .str(st.targetNodeId)
      .str(st.targetVersion)
      .u64(st.size)
      .u64(st.baseSize)
      .u64(st.baseVisibleSize)
      .u64(st.generation);
  writeExtents(w, st.extents);
  w.u32(st.attempts).str(st.lastError).i64(st.lastErrorAtNs).i64(st.modifiedAtNs);
  w.i64(st.mtimeNs).u8(st.unlinked ? 1 : 0);
  writeStrings(w, st.trashAfterUpload);
  w.str(st.syncError).u32(static_cast<uint32_t>(poison.size()));
  for (const auto& p : poison) w.u64(p.logGen).u64(p.from).u64(p.to);
  w.u8(st.upload ? 1 : 0);
  if (st.upload) {
    const UploadSnapshot& u = *st.upload;
    w.u64(u.generation).u64(u.size).u64(u.baseVisibleSize).str(u.baseNodeId).str(u.baseVersion);
    w.str(u.targetNodeId).str(u.targetVersion).str(u.parentId).str(u.name);
    writeExtents(w, u.extents);
    w.str(u.sessionId).u64(u.chunkSize).u64(u.ackedChunks.size());
    for (uint32_t order : u.ackedChunks) w.u32(order);
  }
  return w.take();
}

Result<StoredRecord> decodeRecord(std::string_view bytes) {
  ByteReader r(bytes);
  uint8_t format = 0;
  r.u8(format);
  if (format == kFormatV1) return decodeV1(r);
  if (format == kFormatV2) return decodeV2(r);
  return corruptValue("journal (unknown format)");
}

uint64_t logBytesNeeded(const DirtyFileState& st) {
  uint64_t end = extentsEnd(st.extents);
  if (st.upload) end = std::max(end, extentsEnd(st.upload->extents));
  return end;
}

}  // namespace fastio::cache
