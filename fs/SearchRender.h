#pragma once
// Pure renderers for WS/.search/<query>/: results.txt for people, results.json for programs,
// and one "NN <name>" symlink per hit pointing at the real file inside the workspace.

#include <string>
#include <string_view>
#include <vector>

#include "client/Types.h"

namespace fastio::fs {

struct RenderedHit {
  SearchHit hit;
  std::string path;      // path inside the workspace ("docs/a.pdf"); empty when not resolved
  std::string linkName;  // "NN <name>"; empty when the hit gets no symlink
};

// "01 report.pdf": the rank zero-padded to the width of the hit count (at least 2 digits),
// a space, and the hit's name made safe; never longer than 255 bytes.
std::string searchHitLinkName(size_t rank, size_t hitCount, std::string_view name);

// Target of a hit's symlink, relative to WS/.search/<query>/ ("../../docs/a.pdf").
std::string searchHitLinkTarget(std::string_view pathInWorkspace);

// Builds the rendered hits: link names for hits whose path is known, in rank order.
std::vector<RenderedHit> renderHits(const SearchResult& result,
                                    const std::vector<std::string>& pathsInWorkspace);

std::string renderResultsText(std::string_view query, const SearchResult& result,
                              const std::vector<RenderedHit>& hits);
std::string renderResultsJson(std::string_view query, const SearchResult& result,
                              const std::vector<RenderedHit>& hits);

// Server text on one line: control characters and runs of whitespace become one space, and
// the result is cut (on a UTF-8 boundary, with "...") to at most maxBytes.
std::string oneLine(std::string_view text, size_t maxBytes);

}  // namespace fastio::fs
