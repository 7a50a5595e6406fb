#pragma once
// Reads an upload request body through httplib's ContentReader without holding it in memory:
// text fields (multipart parts without a file name, or a url-encoded body) are collected, the
// `chunk` part (or a raw application/octet-stream body) streams into a ChunkFileWriter that the
// caller supplies when the part starts. The body is always read to the end, even after an
// error, so the keep-alive connection stays usable.

#include <httplib.h>

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "emulator/upload/ChunkFileWriter.h"

namespace fastio::emu {

class UploadRequestBody {
 public:
  // Called when the chunk part starts, with the text fields seen so far (the query string
  // included); returns the writer to stream into, or nullptr to discard the bytes.
  using ChunkSink = std::function<ChunkFileWriter*(const UploadRequestBody&)>;

  // Reads the whole body. Query parameters are taken first; body fields of the same name win.
  void read(const httplib::Request& req, const httplib::ContentReader& reader,
            const ChunkSink& sink);

  std::optional<std::string> field(const std::string& name) const;
  bool hasChunk() const { return sawChunk_; }
  // A problem with the body itself (not multipart or url-encoded, a field too long).
  const std::optional<std::string>& problem() const { return problem_; }

 private:
  std::map<std::string, std::string> fields_;
  bool sawChunk_ = false;
  std::optional<std::string> problem_;
};

}  // namespace fastio::emu
