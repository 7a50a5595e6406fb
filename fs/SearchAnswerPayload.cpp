#include "fs/SearchAnswerPayload.h"

#include <nlohmann/json.hpp>

namespace fastio::fs {

std::string searchAnswerPayload(const SearchAnswer& answer) {
  nlohmann::json hits = nlohmann::json::array();
  for (const RenderedHit& h : answer.hits) {
    hits.push_back(
        {{"node", h.hit.nodeId}, {"name", h.hit.name}, {"path", h.path}, {"link", h.linkName}});
  }
  const nlohmann::json doc = {
      {"query", answer.query}, {"text", answer.text}, {"json", answer.json}, {"hits", hits}};
  // Server strings may hold invalid UTF-8; replace rather than throw.
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::optional<SearchAnswer> searchAnswerFromPayload(std::string_view payload) {
  const auto doc = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return std::nullopt;
  auto text = [&](const nlohmann::json& j, const char* key) -> std::optional<std::string> {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  SearchAnswer answer;
  auto query = text(doc, "query");
  auto results = text(doc, "text");
  auto json = text(doc, "json");
  auto hits = doc.find("hits");
  if (!query || !results || !json || hits == doc.end() || !hits->is_array()) return std::nullopt;
  answer.query = std::move(*query);
  answer.text = std::move(*results);
  answer.json = std::move(*json);
  for (const auto& h : *hits) {
    if (!h.is_object()) return std::nullopt;
    auto node = text(h, "node");
    auto name = text(h, "name");
    auto path = text(h, "path");
    auto link = text(h, "link");
    if (!node || !name || !path || !link) return std::nullopt;
    RenderedHit hit;
    hit.hit.nodeId = std::move(*node);
    hit.hit.name = std::move(*name);
    hit.path = std::move(*path);
    hit.linkName = std::move(*link);
    answer.hits.push_back(std::move(hit));
  }
  return answer;
}

}  // namespace fastio::fs
