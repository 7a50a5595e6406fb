#pragma once
// Byte-level encoding shared by the cache's key and value layouts. Integers in keys are
// big-endian so LMDB's byte-wise ordering sorts them numerically; strings in keys carry a
// one-byte length prefix so a prefix of one id never matches a longer id.
// Decoding never trusts its input: a short or malformed buffer yields an error, never a crash.

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "common/Result.h"

namespace fastio::cache {

class ByteWriter {
 public:
  ByteWriter& u8(uint8_t v) {
    out_.push_back(static_cast<char>(v));
    return *this;
  }
  ByteWriter& u32(uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) u8(static_cast<uint8_t>(v >> shift));
    return *this;
  }
  ByteWriter& u64(uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8) u8(static_cast<uint8_t>(v >> shift));
    return *this;
  }
  ByteWriter& i64(int64_t v) { return u64(static_cast<uint64_t>(v)); }
  // A string up to 255 bytes (ids, versions in keys): one length byte, then the bytes.
  ByteWriter& shortStr(std::string_view s) {
    u8(static_cast<uint8_t>(s.size()));
    out_.append(s.data(), s.size());
    return *this;
  }
  // Any string (values): four length bytes, then the bytes.
  ByteWriter& str(std::string_view s) {
    u32(static_cast<uint32_t>(s.size()));
    out_.append(s.data(), s.size());
    return *this;
  }
  // Raw bytes with no length (the last part of a key).
  ByteWriter& raw(std::string_view s) {
    out_.append(s.data(), s.size());
    return *this;
  }
  const std::string& bytes() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}

  bool u8(uint8_t& v) {
    if (in_.size() < 1) return fail();
    v = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return true;
  }
  bool u32(uint32_t& v) {
    if (in_.size() < 4) return fail();
    v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(in_[i]);
    in_.remove_prefix(4);
    return true;
  }
  bool u64(uint64_t& v) {
    if (in_.size() < 8) return fail();
    v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(in_[i]);
    in_.remove_prefix(8);
    return true;
  }
  bool i64(int64_t& v) {
    uint64_t u = 0;
    if (!u64(u)) return false;
    v = static_cast<int64_t>(u);
    return true;
  }
  bool shortStr(std::string& s) {
    uint8_t n = 0;
    if (!u8(n) || in_.size() < n) return fail();
    s.assign(in_.data(), n);
    in_.remove_prefix(n);
    return true;
  }
  bool str(std::string& s) {
    uint32_t n = 0;
    if (!u32(n) || in_.size() < n) return fail();
    s.assign(in_.data(), n);
    in_.remove_prefix(n);
    return true;
  }
  std::string_view rest() const { return in_; }
  bool ok() const { return ok_; }
  bool atEnd() const { return in_.empty(); }

 private:
  bool fail() {
    ok_ = false;
    return false;
  }
  std::string_view in_;
  bool ok_ = true;
};

inline Error corruptValue(std::string_view what) {
  return makeError(ErrorCode::kIo, "cache: malformed " + std::string(what) + " record");
}

}  // namespace fastio::cache
