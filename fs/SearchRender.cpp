#include "fs/SearchRender.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "common/Utf8.h"
#include "fs/NameSanitizer.h"

namespace fastio::fs {
namespace {

size_t digits(size_t n) {
  size_t d = 1;
  while (n >= 10) {
    n /= 10;
    ++d;
  }
  return d;
}

std::string formatScore(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

std::string pageText(const SearchHit& hit) {
  if (!hit.pageStart) return "";
  std::string out = "p." + std::to_string(*hit.pageStart);
  if (hit.pageEnd && *hit.pageEnd != *hit.pageStart) out += "-" + std::to_string(*hit.pageEnd);
  return out;
}

}  // namespace

std::string oneLine(std::string_view text, size_t maxBytes) {
  std::string out;
  out.reserve(std::min(text.size(), maxBytes));
  bool pendingSpace = false;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7F || c == ' ') {
      pendingSpace = !out.empty();
      continue;
    }
    if (pendingSpace) out += ' ';
    pendingSpace = false;
    out += ch;
  }
  if (out.size() <= maxBytes) return out;
  out.resize(utf8::prefix(out, maxBytes >= 3 ? maxBytes - 3 : 0).size());
  out += "...";
  return out;
}

std::string searchHitLinkName(size_t rank, size_t hitCount, std::string_view name) {
  std::string number = std::to_string(rank);
  const size_t width = std::max<size_t>(2, digits(hitCount));
  if (number.size() < width) number.insert(0, width - number.size(), '0');
  std::string raw = number + " " + std::string(name.empty() ? "hit" : name);
  // The prefix keeps it from ever being "." or ".."; safeName handles '/', NUL and length.
  return safeName(raw).value_or(number + " hit");
}

std::string searchHitLinkTarget(std::string_view pathInWorkspace) {
  return "../../" + std::string(pathInWorkspace);
}

std::vector<RenderedHit> renderHits(const SearchResult& result,
                                    const std::vector<std::string>& pathsInWorkspace) {
  std::vector<RenderedHit> out;
  out.reserve(result.hits.size());
  for (size_t i = 0; i < result.hits.size(); ++i) {
    RenderedHit r;
    r.hit = result.hits[i];
    if (i < pathsInWorkspace.size()) r.path = pathsInWorkspace[i];
    if (!r.path.empty()) r.linkName = searchHitLinkName(i + 1, result.hits.size(), r.hit.name);
    out.push_back(std::move(r));
  }
  return out;
}

std::string renderResultsText(std::string_view query, const SearchResult& result,
                              const std::vector<RenderedHit>& hits) {
  std::string out = "Search: " + oneLine(query, 1000) + "\n";
  out += std::to_string(hits.size()) + (hits.size() == 1 ? " result" : " results");
  out += result.semanticAvailable ? " (keyword + semantic)\n" : " (keyword only)\n";
  for (size_t i = 0; i < hits.size(); ++i) {
    const RenderedHit& r = hits[i];
    out += "\n" + std::to_string(i + 1) + ". " + formatScore(r.hit.relevance) + "  ";
    out += r.path.empty() ? "(path unknown) " + oneLine(r.hit.name, 255) : r.path;
    const std::string page = pageText(r.hit);
    if (!page.empty()) out += "  " + page;
    out += "\n";
    if (!r.hit.snippet.empty()) out += "   " + oneLine(r.hit.snippet, 600) + "\n";
  }
  return out;
}

std::string renderResultsJson(std::string_view query, const SearchResult& result,
                              const std::vector<RenderedHit>& hits) {
  nlohmann::json doc;
  doc["query"] = std::string(query);
  doc["intelligence_enabled"] = result.intelligenceEnabled;
  doc["semantic_available"] = result.semanticAvailable;
  auto& list = doc["hits"] = nlohmann::json::array();
  for (size_t i = 0; i < hits.size(); ++i) {
    const RenderedHit& r = hits[i];
    nlohmann::json h;
    h["rank"] = i + 1;
    h["node_id"] = r.hit.nodeId;
    h["name"] = r.hit.name;
    h["path"] = r.path.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.path);
    h["link"] = r.linkName.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.linkName);
    h["relevance"] = r.hit.relevance;
    h["raw_score"] = r.hit.rawScore ? nlohmann::json(*r.hit.rawScore) : nlohmann::json(nullptr);
    h["score_source"] = r.hit.scoreSource;
    h["match_source"] = r.hit.matchSource;
    h["snippet"] = r.hit.snippet;
    h["mimetype"] = r.hit.mimetype;
    h["page_start"] = r.hit.pageStart ? nlohmann::json(*r.hit.pageStart) : nlohmann::json(nullptr);
    h["page_end"] = r.hit.pageEnd ? nlohmann::json(*r.hit.pageEnd) : nlohmann::json(nullptr);
    list.push_back(std::move(h));
  }
  // Server strings may hold invalid UTF-8; replace rather than throw.
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace fastio::fs
