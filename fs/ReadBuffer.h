#pragma once
// The bytes of one read as slices of buffers owned elsewhere (a fetched block, a block pinned
// in the cache's map, a virtual file's content), so the reply reaches the kernel without
// being copied into one string first.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace fastio::fs {

class ReadBuffer {
 public:
  // `owner` keeps `bytes` valid for the life of this buffer.
  void append(std::string_view bytes, std::shared_ptr<const void> owner) {
    if (bytes.empty()) return;
    slices_.push_back(bytes);
    owners_.push_back(std::move(owner));
    size_ += bytes.size();
  }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const std::vector<std::string_view>& slices() const { return slices_; }
  std::string str() const {
    std::string out;
    out.reserve(size_);
    for (std::string_view s : slices_) out.append(s);
    return out;
  }

 private:
  std::vector<std::string_view> slices_;
  std::vector<std::shared_ptr<const void>> owners_;
  size_t size_ = 0;
};

}  // namespace fastio::fs
