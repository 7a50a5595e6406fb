#include "emulator/upload/UploadRequestBody.h"

#include "common/Encoding.h"

namespace fastio::emu {

namespace {
constexpr std::size_t kMaxFieldBytes = 64 * 1024;
constexpr std::size_t kMaxFormBytes = 1024 * 1024;
constexpr char kChunkPart[] = "chunk";
}  // namespace

std::optional<std::string> UploadRequestBody::field(const std::string& name) const {
  auto it = fields_.find(name);
  if (it == fields_.end()) return std::nullopt;
  return it->second;
}

void UploadRequestBody::read(const httplib::Request& req, const httplib::ContentReader& reader,
                             const ChunkSink& sink) {
  for (const auto& [name, value] : req.params) fields_[name] = value;
  const std::string contentType = req.get_header_value("Content-Type");

  if (req.is_multipart_form_data()) {
    std::string current;
    bool inChunk = false;
    ChunkFileWriter* writer = nullptr;
    reader(
        [&](const httplib::MultipartFormData& part) {
          current = part.name;
          inChunk = part.name == kChunkPart;
          writer = nullptr;
          if (inChunk) {
            sawChunk_ = true;
            writer = sink(*this);
          } else {
            fields_[current].clear();
          }
          return true;
        },
        [&](const char* data, std::size_t len) {
          if (inChunk) {
            if (writer != nullptr) writer->append(data, len);  // a failure is kept in the writer
          } else {
            std::string& value = fields_[current];
            if (value.size() + len > kMaxFieldBytes) {
              problem_ = "the form field " + current + " is longer than 64 KiB";
            } else {
              value.append(data, len);
            }
          }
          return true;
        });
    return;
  }

  const bool octets = contentType.rfind("application/octet-stream", 0) == 0;
  const bool form = contentType.rfind("application/x-www-form-urlencoded", 0) == 0;
  ChunkFileWriter* writer = nullptr;
  if (octets) {
    sawChunk_ = true;
    writer = sink(*this);
  }
  std::string text;
  reader([&](const char* data, std::size_t len) {
    if (octets) {
      if (writer != nullptr) writer->append(data, len);
    } else if (text.size() + len <= kMaxFormBytes) {
      text.append(data, len);
    } else {
      problem_ = "the form body is larger than 1 MiB";
    }
    return true;
  });
  if (form) {
    for (auto& [name, value] : parseFormFields(text)) fields_[name] = std::move(value);
  } else if (!octets && !text.empty()) {
    problem_ = "the body must be multipart/form-data or application/x-www-form-urlencoded";
  }
}

}  // namespace fastio::emu
