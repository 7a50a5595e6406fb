// Downloads (fastio-api.md §5): /storage/{node}/requestread/ mints a token; /storage/{node}/read/
// streams the bytes with a bearer token or ?token=, an optional version_id and one Range.

#include <fcntl.h>
#include <unistd.h>

#include <memory>
#include <regex>
#include <vector>

#include "common/FdIo.h"
#include "emulator/ApiCodes.h"
#include "emulator/EmulatorContext.h"
#include "emulator/http/ApiResponse.h"
#include "emulator/http/RangeHeader.h"
#include "emulator/routes/RouteHelpers.h"
#include "emulator/routes/RouteRegistry.h"

namespace fastio::emu {
namespace {

using httplib::Request;
using httplib::Response;

constexpr std::size_t kReadPiece = 256 * 1024;

struct OpenFile {
  int fd = -1;
  ~OpenFile() {
    if (fd >= 0) ::close(fd);
  }
};

void serveBlob(const BlobRef& blob, const Request& req, Response& res, bool ignoreRange,
               EmulatorStats& stats) {
  auto file = std::make_shared<OpenFile>();
  file->fd = ::open(blob.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (file->fd < 0) {
    http::sendError(res, 500, code::kInternal, "The content of this version is not readable.");
    return;
  }
  http::RangeRequest range = http::parseRange(req.get_header_value("Range"), blob.size);
  std::int64_t first = 0;
  std::int64_t length = blob.size;
  res.set_header("Accept-Ranges", "bytes");
  res.set_header("ETag", "\"" + blob.versionId + "\"");
  res.set_header("x-fastio-version", blob.versionId);
  if (!ignoreRange && range.kind == http::RangeKind::kUnsatisfiable) {
    res.set_header("Content-Range", "bytes */" + std::to_string(blob.size));
    http::sendError(
        res, 416, code::kInvalidInput,
        "The range is beyond the end of the file (" + std::to_string(blob.size) + " bytes).");
    return;
  }
  if (!ignoreRange && range.kind == http::RangeKind::kSingle) {
    first = range.range.first;
    length = range.range.length;
    res.status = 206;
    res.set_header("Content-Range", "bytes " + std::to_string(first) + "-" +
                                        std::to_string(first + length - 1) + "/" +
                                        std::to_string(blob.size));
  } else {
    res.status = 200;
  }
  std::string mimetype = blob.mimetype.empty() ? "application/octet-stream" : blob.mimetype;
  stats.add(EmulatorStats::Counter::kDownloads);
  // Streamed in pieces straight from the blob file: memory stays flat whatever the size.
  res.set_content_provider(
      static_cast<std::size_t>(length), mimetype,
      [file, first, &stats](std::size_t offset, std::size_t len, httplib::DataSink& sink) {
        std::vector<char> buf(std::min(len, kReadPiece));
        ssize_t n = fdio::preadOnce(file->fd, buf.data(), buf.size(),
                                    static_cast<std::uint64_t>(first) + offset);
        if (n <= 0) return false;
        if (!sink.write(buf.data(), static_cast<std::size_t>(n))) return false;
        stats.add(EmulatorStats::Counter::kDownloadBytes, static_cast<std::uint64_t>(n));
        return true;
      });
}

void registerDownloadRoutes(EmulatorContext& ctx) {
  // read/?token= carries its own credential instead of Authorization.
  static const std::regex kReadPath(R"(^/current/workspace/[^/]+/storage/[^/]+/read/$)");
  ctx.auth.allowAnonymous([](const Request& req) {
    return req.has_param("token") && std::regex_match(req.path, kReadPath);
  });

  ctx.server.Get(R"(/current/workspace/([^/]+)/storage/([^/]+)/requestread/)",
                 [&ctx](const Request& req, Response& res) {
                   auto ws = routes::workspaceOrReply(ctx, req, res);
                   if (!ws) return;
                   auto token = ctx.state.readTokens().mint(ws->id, http::pathParam(req, 2));
                   if (!token.ok()) {
                     http::sendError(res, token.error());
                     return;
                   }
                   http::sendOk(res, {{"token", *token}, {"expires_in", 3600}});
                 });

  ctx.server.Get(R"(/current/workspace/([^/]+)/storage/([^/]+)/read/)", [&ctx](const Request& req,
                                                                               Response& res) {
    // httplib would apply Range itself (and even with status 200); this route
    // does it, so it can answer 416 and honour ignore_range.
    const_cast<Request&>(req).ranges.clear();
    auto ws = routes::workspaceOrReply(ctx, req, res);
    if (!ws) return;
    std::string nodeId = http::pathParam(req, 2);
    if (req.has_param("token") && !ctx.state.tokens().isValid(http::bearerToken(req)) &&
        !ctx.state.readTokens().check(req.get_param_value("token"), ws->id, nodeId)) {
      http::sendError(res, 401, code::kUnauthorized, "The download token is invalid or expired.");
      return;
    }
    auto blob = ctx.state.files().blob(ws->id, nodeId, http::Form(req).getOr("version_id", ""));
    if (!blob.ok()) {
      http::sendError(res, blob.error());
      return;
    }
    serveBlob(*blob, req, res, ctx.faults.ignoreRange(), ctx.stats);
  });
}

RouteRegistrar registrar{"download", registerDownloadRoutes};

}  // namespace
}  // namespace fastio::emu
