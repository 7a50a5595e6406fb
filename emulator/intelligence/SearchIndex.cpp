#include "emulator/intelligence/SearchIndex.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "common/Utf8.h"
#include "emulator/intelligence/TextUtil.h"

namespace fastio::emu::intelligence {
namespace {

constexpr char kMarkOpen = '\x01';
constexpr char kMarkClose = '\x02';
constexpr size_t kMaxChunkRows = 5000;  // bounds the work of one query on a huge workspace
constexpr std::string_view kEllipsis = "\xE2\x80\xA6";

constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS nodes(
  node_id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  parent_id TEXT NOT NULL DEFAULT 'root',
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  mimetype TEXT NOT NULL DEFAULT '',
  version_id TEXT NOT NULL DEFAULT '',
  content_version TEXT
);
CREATE INDEX IF NOT EXISTS nodes_by_workspace ON nodes(workspace_id);
CREATE INDEX IF NOT EXISTS nodes_by_parent ON nodes(workspace_id, parent_id);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks USING fts5(
  body, tokenize = 'porter unicode61 remove_diacritics 2');
CREATE TABLE IF NOT EXISTS chunk_owner(
  chunk_rowid INTEGER PRIMARY KEY,
  node_id TEXT NOT NULL,
  page INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS chunk_owner_by_node ON chunk_owner(node_id);
)sql";

constexpr std::string_view kNodeColumns =
    "node_id, workspace_id, parent_id, name, type, mimetype, version_id";

IndexedNode readNode(const Statement& st, int first = 0) {
  IndexedNode n;
  n.nodeId = st.text(first);
  n.workspaceId = st.text(first + 1);
  n.parentId = st.text(first + 2);
  n.name = st.text(first + 3);
  n.type = st.text(first + 4);
  n.mimetype = st.text(first + 5);
  n.versionId = st.text(first + 6);
  return n;
}

Status deleteChunks(Database& db, const std::string& nodeId) {
  FASTIO_TRY_ASSIGN(auto del, db.prepare("DELETE FROM chunks WHERE rowid IN (SELECT chunk_rowid "
                                         "FROM chunk_owner WHERE node_id = ?1)"));
  FASTIO_TRY(del.bind(1, nodeId).run());
  FASTIO_TRY_ASSIGN(auto owners, db.prepare("DELETE FROM chunk_owner WHERE node_id = ?1"));
  return owners.bind(1, nodeId).run();
}

bool hasWildcard(std::string_view s) {
  return s.find_first_of("*?") != std::string_view::npos;
}

// Moves a cut position to the nearest space at or after pos (forward) or before it (backward),
// within slack bytes; otherwise to a UTF-8 boundary.
size_t wordBoundaryForward(std::string_view s, size_t pos, size_t slack) {
  if (pos == 0 || pos >= s.size()) return std::min(pos, s.size());
  const size_t space = s.find(' ', pos);
  if (space != std::string_view::npos && space - pos <= slack) return space + 1;
  return utf8::boundaryAtOrAfter(s, pos);
}

size_t wordBoundaryBackward(std::string_view s, size_t pos, size_t slack) {
  if (pos >= s.size()) return s.size();
  const size_t space = s.rfind(' ', pos);
  if (space != std::string_view::npos && pos - space <= slack && space > 0) return space;
  return utf8::prefix(s, pos).size();
}

}  // namespace

std::optional<NameMatch> parseNameMatch(std::string_view s) {
  if (s.empty() || s == "auto") return NameMatch::kAuto;
  if (s == "exact") return NameMatch::kExact;
  if (s == "prefix") return NameMatch::kPrefix;
  if (s == "contains") return NameMatch::kContains;
  if (s == "glob") return NameMatch::kGlob;
  return std::nullopt;
}

std::optional<SearchIn> parseSearchIn(std::string_view s) {
  if (s.empty() || s == "both") return SearchIn::kBoth;
  if (s == "filename") return SearchIn::kFilename;
  if (s == "content") return SearchIn::kContent;
  return std::nullopt;
}

std::optional<SnippetSize> parseSnippetSize(std::string_view s) {
  if (s.empty() || s == "full") return SnippetSize::kFull;
  if (s == "terse") return SnippetSize::kTerse;
  if (s == "standard") return SnippetSize::kStandard;
  return std::nullopt;
}

size_t snippetBytes(SnippetSize size) {
  switch (size) {
    case SnippetSize::kTerse:
      return 200;
    case SnippetSize::kStandard:
      return 600;
    case SnippetSize::kFull:
      return 0;
  }
  return 0;
}

bool globMatch(std::string_view pattern, std::string_view text) {
  // Iterative matcher with one backtrack point for the last '*'; '?' matches one UTF-8 character.
  size_t p = 0, t = 0, starP = std::string_view::npos, starT = 0;
  const auto charLength = [&](size_t at) { return utf8::boundaryAtOrAfter(text, at + 1) - at; };
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      starP = p++;
      starT = t;
    } else if (p < pattern.size() && pattern[p] == '?') {
      ++p;
      t += charLength(t);
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (starP != std::string_view::npos) {
      p = starP + 1;
      starT += charLength(starT);
      t = starT;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

double nameMatchScore(std::string_view name, std::string_view query, NameMatch mode,
                      bool caseSensitive) {
  if (query.empty()) return 0;
  const std::string n = caseSensitive ? std::string(name) : asciiLower(name);
  const std::string q = caseSensitive ? std::string(query) : asciiLower(query);
  const auto substringScore = [&]() -> double {
    if (n == q) return 1.0;
    if (n.starts_with(q)) return 0.85;
    if (n.find(q) != std::string::npos) return 0.7;
    return 0;
  };
  switch (mode) {
    case NameMatch::kExact:
      return n == q ? 1.0 : 0;
    case NameMatch::kPrefix:
      return n == q ? 1.0 : (n.starts_with(q) ? 0.85 : 0);
    case NameMatch::kContains:
      return substringScore();
    case NameMatch::kGlob:
      return globMatch(q, n) ? 0.8 : 0;
    case NameMatch::kAuto:
      break;
  }
  // A query of wildcards only ("**", "?") would match everything: auto mode reads it literally.
  if (hasWildcard(q) && q.find_first_not_of("*?") != std::string::npos) {
    return globMatch(q, n) ? 0.8 : 0;
  }
  if (const double s = substringScore(); s > 0) return s;
  // Every meaningful word of the query appears in the name ("onboarding checklist" finds
  // "onboarding-checklist.md").
  const auto terms = queryTerms(query);
  if (terms.empty()) return 0;
  const std::string lowerName = asciiLower(name);
  for (const auto& term : terms) {
    if (lowerName.find(term) == std::string::npos) return 0;
  }
  return 0.5;
}

std::string selectSnippet(std::string_view highlighted, size_t maxBytes) {
  // Strip the marks, remembering where each highlighted term starts in the plain text.
  const std::string collapsed = collapseWhitespace(highlighted);
  std::string plain;
  plain.reserve(collapsed.size());
  std::vector<size_t> hits;
  for (const char ch : collapsed) {
    if (ch == kMarkOpen) {
      hits.push_back(plain.size());
    } else if (ch != kMarkClose) {
      plain.push_back(ch);
    }
  }
  if (maxBytes == 0 || plain.size() <= maxBytes) return plain;
  const size_t budget = maxBytes > 2 * kEllipsis.size() ? maxBytes - 2 * kEllipsis.size() : 1;
  const size_t lead = std::min<size_t>(60, budget / 4);
  // The window start (just before some hit) that covers the most hits.
  size_t bestStart = 0, bestCount = 0;
  for (size_t i = 0; i < hits.size(); ++i) {
    const size_t start = hits[i] > lead ? hits[i] - lead : 0;
    size_t count = 0;
    for (size_t j = i; j < hits.size() && hits[j] < start + budget; ++j) ++count;
    if (count > bestCount) bestCount = count, bestStart = start;
  }
  if (bestStart + budget > plain.size())
    bestStart = plain.size() > budget ? plain.size() - budget : 0;
  const size_t slack = std::min<size_t>(30, budget / 6);
  size_t begin = wordBoundaryForward(plain, bestStart, slack);
  size_t end = wordBoundaryBackward(plain, std::min(plain.size(), bestStart + budget), slack);
  if (end <= begin)
    begin = bestStart, end = bestStart + utf8::prefix(plain.substr(bestStart), budget).size();
  std::string out;
  if (begin > 0) out.append(kEllipsis);
  out.append(plain, begin, end - begin);
  if (end < plain.size()) out.append(kEllipsis);
  return out;
}

std::vector<std::string> splitPassages(std::string_view pageText, size_t maxBytes) {
  std::vector<std::string> passages;
  std::string_view rest = pageText;
  const size_t limit = std::max<size_t>(maxBytes, 64);
  auto add = [&](std::string_view piece) {
    std::string text = collapseWhitespace(piece);
    if (!text.empty()) passages.push_back(std::move(text));
  };
  while (rest.size() > limit) {
    const std::string_view window = utf8::prefix(rest, limit);
    size_t cut = window.rfind("\n\n");
    if (cut == std::string_view::npos || cut < limit / 2) {
      cut = std::string_view::npos;
      for (const std::string_view end : {". ", ".\n", "? ", "! "}) {
        const size_t at = window.rfind(end);
        if (at != std::string_view::npos && (cut == std::string_view::npos || at + 1 > cut)) {
          cut = at + 1;
        }
      }
    }
    if (cut == std::string_view::npos || cut < limit / 2) cut = window.rfind(' ');
    if (cut == std::string_view::npos || cut < limit / 2) cut = window.size();
    add(rest.substr(0, cut));
    rest.remove_prefix(cut);
  }
  add(rest);
  return passages;
}

Result<std::unique_ptr<SearchIndex>> SearchIndex::open(const std::filesystem::path& dbFile) {
  FASTIO_TRY_ASSIGN(auto db, Database::open(dbFile, Database::Sync::kNormal));
  std::unique_ptr<SearchIndex> index(new SearchIndex(std::move(db)));
  FASTIO_TRY(index->createSchema());
  // Searches use their own connection: in WAL mode they read while ingestion writes.
  FASTIO_TRY_ASSIGN(auto reader, Database::open(dbFile, Database::Sync::kNormal));
  index->readDb_ = std::move(reader);
  return index;
}

Status SearchIndex::createSchema() {
  return db_->exec(kSchema);
}

Status SearchIndex::upsertNode(const IndexedNode& node) {
  if (node.nodeId.empty() || node.workspaceId.empty()) {
    return makeError(ErrorCode::kInvalid, "search index: node and workspace ids are required");
  }
  std::lock_guard lock(mu_);
  FASTIO_TRY_ASSIGN(auto st, db_->prepare(R"sql(
    INSERT INTO nodes(node_id, workspace_id, parent_id, name, type, mimetype, version_id)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
    ON CONFLICT(node_id) DO UPDATE SET
      workspace_id = excluded.workspace_id, parent_id = excluded.parent_id, name = excluded.name,
      type = excluded.type, mimetype = excluded.mimetype,
      version_id = CASE WHEN excluded.version_id = '' THEN nodes.version_id
                        ELSE excluded.version_id END)sql"));
  return st.bind(1, node.nodeId)
      .bind(2, node.workspaceId)
      .bind(3, node.parentId.empty() ? std::string("root") : node.parentId)
      .bind(4, node.name)
      .bind(5, node.type.empty() ? std::string("file") : node.type)
      .bind(6, node.mimetype)
      .bind(7, node.versionId)
      .run();
}

Status SearchIndex::setContent(const std::string& nodeId, const std::string& versionId,
                               const std::vector<TextPage>& pages) {
  std::lock_guard lock(mu_);
  Transaction txn(*db_);
  FASTIO_TRY(txn.begin());
  FASTIO_TRY_ASSIGN(auto exists, db_->prepare("SELECT 1 FROM nodes WHERE node_id = ?1"));
  FASTIO_TRY_ASSIGN(auto found, exists.bind(1, nodeId).step());
  if (!found) return makeError(ErrorCode::kNotFound, "search index: unknown node " + nodeId);
  FASTIO_TRY(deleteChunks(*db_, nodeId));
  // The owner row is inserted first; its key becomes the FTS row id of the passage.
  FASTIO_TRY_ASSIGN(
      auto insertOwner,
      db_->prepare("INSERT INTO chunk_owner(node_id, page) VALUES (?1, ?2) RETURNING chunk_rowid"));
  FASTIO_TRY_ASSIGN(auto insertChunk,
                    db_->prepare("INSERT INTO chunks(rowid, body) VALUES (?1, ?2)"));
  for (const auto& page : pages) {
    for (const auto& passage : splitPassages(page.text, kPassageBytes)) {
      insertOwner.reset();
      auto row = insertOwner.bind(1, nodeId).bind(2, int64_t{page.number}).step();
      if (!row.ok()) return row.error();
      if (!*row) return makeError(ErrorCode::kIo, "search index: no row id for a passage");
      const int64_t rowid = insertOwner.integer(0);
      insertOwner.reset();
      insertChunk.reset();
      FASTIO_TRY(insertChunk.bind(1, rowid).bind(2, passage).run());
    }
  }
  FASTIO_TRY_ASSIGN(auto mark,
                    db_->prepare("UPDATE nodes SET content_version = ?2 WHERE node_id = ?1"));
  FASTIO_TRY(mark.bind(1, nodeId).bind(2, versionId).run());
  return txn.commit();
}

Status SearchIndex::removeNode(const std::string& nodeId) {
  std::lock_guard lock(mu_);
  Transaction txn(*db_);
  FASTIO_TRY(txn.begin());
  FASTIO_TRY(deleteChunks(*db_, nodeId));
  FASTIO_TRY_ASSIGN(auto st, db_->prepare("DELETE FROM nodes WHERE node_id = ?1"));
  FASTIO_TRY(st.bind(1, nodeId).run());
  return txn.commit();
}

Status SearchIndex::removeSubtree(const std::string& nodeId) {
  std::lock_guard lock(mu_);
  Transaction txn(*db_);
  FASTIO_TRY(txn.begin());
  FASTIO_TRY(db_->exec("CREATE TEMP TABLE IF NOT EXISTS doomed(node_id TEXT PRIMARY KEY)"));
  FASTIO_TRY(db_->exec("DELETE FROM doomed"));
  FASTIO_TRY_ASSIGN(auto collect, db_->prepare(R"sql(
    INSERT OR IGNORE INTO doomed(node_id)
    WITH RECURSIVE sub(id) AS (
      SELECT ?1 UNION SELECT n.node_id FROM nodes n JOIN sub ON n.parent_id = sub.id)
    SELECT id FROM sub)sql"));
  FASTIO_TRY(collect.bind(1, nodeId).run());
  FASTIO_TRY(db_->exec(R"sql(
    DELETE FROM chunks WHERE rowid IN (SELECT chunk_rowid FROM chunk_owner
                                       WHERE node_id IN (SELECT node_id FROM doomed));
    DELETE FROM chunk_owner WHERE node_id IN (SELECT node_id FROM doomed);
    DELETE FROM nodes WHERE node_id IN (SELECT node_id FROM doomed);
    DELETE FROM doomed;)sql"));
  return txn.commit();
}

Status SearchIndex::removeWorkspace(const std::string& workspaceId) {
  std::lock_guard lock(mu_);
  Transaction txn(*db_);
  FASTIO_TRY(txn.begin());
  FASTIO_TRY_ASSIGN(auto chunks, db_->prepare(R"sql(
    DELETE FROM chunks WHERE rowid IN (SELECT o.chunk_rowid FROM chunk_owner o
      JOIN nodes n ON n.node_id = o.node_id WHERE n.workspace_id = ?1))sql"));
  FASTIO_TRY(chunks.bind(1, workspaceId).run());
  FASTIO_TRY_ASSIGN(auto owners, db_->prepare("DELETE FROM chunk_owner WHERE node_id IN (SELECT "
                                              "node_id FROM nodes WHERE workspace_id = "
                                              "?1)"));
  FASTIO_TRY(owners.bind(1, workspaceId).run());
  FASTIO_TRY_ASSIGN(auto nodes, db_->prepare("DELETE FROM nodes WHERE workspace_id = ?1"));
  FASTIO_TRY(nodes.bind(1, workspaceId).run());
  return txn.commit();
}

Result<std::optional<IndexedNode>> SearchIndex::node(const std::string& nodeId) {
  std::lock_guard lock(readMu_);
  FASTIO_TRY_ASSIGN(auto st, readDb_->prepare("SELECT " + std::string(kNodeColumns) +
                                              " FROM nodes WHERE node_id = ?1"));
  FASTIO_TRY_ASSIGN(auto row, st.bind(1, nodeId).step());
  if (!row) return std::optional<IndexedNode>();
  return std::optional<IndexedNode>(readNode(st));
}

Result<bool> SearchIndex::contentReady(const std::string& nodeId) {
  std::lock_guard lock(readMu_);
  FASTIO_TRY_ASSIGN(
      auto st, readDb_->prepare(
                   "SELECT content_version IS NOT NULL AND content_version = version_id FROM nodes "
                   "WHERE node_id = ?1"));
  auto row = st.bind(1, nodeId).step();
  if (!row.ok()) return row.error();
  return *row && st.integer(0) != 0;
}

Result<std::vector<SearchIndex::ChunkHit>> SearchIndex::matchChunks(
    const std::string& workspaceId, const std::string& ftsExpression, size_t maxRows) {
  // Only content of the node's current version counts (a new version is "pending" until
  // indexed). bm25() is negative, smaller is better.
  FASTIO_TRY_ASSIGN(auto st, readDb_->prepare(R"sql(
    SELECT o.node_id, chunks.rowid, o.page, bm25(chunks) AS score
    FROM chunks JOIN chunk_owner o ON o.chunk_rowid = chunks.rowid
                JOIN nodes n ON n.node_id = o.node_id
    WHERE chunks MATCH ?1 AND n.workspace_id = ?2
      AND n.content_version IS NOT NULL AND n.content_version = n.version_id
    ORDER BY score LIMIT ?3)sql"));
  st.bind(1, ftsExpression).bind(2, workspaceId).bind(3, static_cast<int64_t>(maxRows));
  std::vector<ChunkHit> hits;
  for (;;) {
    FASTIO_TRY_ASSIGN(auto row, st.step());
    if (!row) break;
    hits.push_back({st.text(0), st.integer(1), static_cast<int>(st.integer(2)), -st.real(3)});
  }
  return hits;
}

Result<std::string> SearchIndex::passageSnippet(const std::string& ftsExpression, int64_t rowid,
                                                SnippetSize size) {
  FASTIO_TRY_ASSIGN(
      auto st,
      readDb_->prepare(
          "SELECT highlight(chunks, 0, char(1), char(2)) FROM chunks WHERE chunks MATCH ?1 AND "
          "rowid = ?2"));
  FASTIO_TRY_ASSIGN(auto row, st.bind(1, ftsExpression).bind(2, rowid).step());
  if (!row) return std::string();
  return selectSnippet(st.text(0), snippetBytes(size));
}

Result<std::vector<IndexedNode>> SearchIndex::workspaceNodes(const std::string& workspaceId) {
  FASTIO_TRY_ASSIGN(auto st, readDb_->prepare("SELECT " + std::string(kNodeColumns) +
                                              " FROM nodes WHERE workspace_id = ?1"));
  st.bind(1, workspaceId);
  std::vector<IndexedNode> nodes;
  for (;;) {
    FASTIO_TRY_ASSIGN(auto row, st.step());
    if (!row) break;
    nodes.push_back(readNode(st));
  }
  return nodes;
}

Result<SearchResults> SearchIndex::search(const SearchQuery& query) {
  std::lock_guard lock(readMu_);
  FASTIO_TRY_ASSIGN(auto nodes, workspaceNodes(query.workspaceId));
  std::unordered_map<std::string, SearchHit> byNode;

  const std::string fts = ftsOrExpression(queryTerms(query.text));
  std::unordered_map<std::string, ChunkHit> bestChunk;
  double bestContent = 0;
  if (query.includeContent && query.searchIn != SearchIn::kFilename && !fts.empty()) {
    FASTIO_TRY_ASSIGN(auto chunks, matchChunks(query.workspaceId, fts, kMaxChunkRows));
    for (const auto& chunk : chunks) {
      if (query.contentScope && !query.contentScope->contains(chunk.nodeId)) continue;
      if (bestChunk.emplace(chunk.nodeId, chunk).second)
        bestContent = std::max(bestContent, chunk.score);
    }
  }
  for (const auto& n : nodes) {
    const double nameScore =
        query.searchIn == SearchIn::kContent
            ? 0
            : nameMatchScore(n.name, query.text, query.nameMatch, query.caseSensitive);
    const auto chunk = bestChunk.find(n.nodeId);
    if (nameScore <= 0 && chunk == bestChunk.end()) continue;
    SearchHit hit;
    hit.node = n;
    hit.nameMatch = nameScore > 0;
    double contentScore = 0;
    if (chunk != bestChunk.end()) {
      hit.contentMatch = true;
      hit.page = chunk->second.page;
      contentScore = bestContent > 0 ? chunk->second.score / bestContent : 0;
    }
    // A hit found both ways ranks above one found by either alone.
    hit.relevance = std::max(contentScore, nameScore) + 0.25 * std::min(contentScore, nameScore);
    hit.scoredByContent = hit.contentMatch && contentScore >= nameScore;
    hit.rawScore = hit.scoredByContent ? chunk->second.score : nameScore;
    byNode.emplace(n.nodeId, std::move(hit));
  }

  std::vector<SearchHit> all;
  all.reserve(byNode.size());
  for (auto& [id, hit] : byNode) all.push_back(std::move(hit));
  std::sort(all.begin(), all.end(), [](const SearchHit& a, const SearchHit& b) {
    if (a.relevance != b.relevance) return a.relevance > b.relevance;
    if (a.node.name != b.node.name) return a.node.name < b.node.name;
    return a.node.nodeId < b.node.nodeId;
  });
  const double top = all.empty() ? 1.0 : all.front().relevance;
  for (auto& hit : all) hit.relevance = top > 0 ? hit.relevance / top : 0;

  SearchResults results;
  results.total = all.size();
  const size_t begin = std::min(query.offset, all.size());
  const size_t end = std::min(all.size(), begin + query.limit);
  for (size_t i = begin; i < end; ++i) {
    SearchHit& hit = all[i];
    if (hit.contentMatch) {
      FASTIO_TRY_ASSIGN(auto snippet,
                        passageSnippet(fts, bestChunk.at(hit.node.nodeId).rowid, query.snippet));
      hit.snippet = std::move(snippet);
    }
    results.hits.push_back(std::move(hit));
  }
  return results;
}

Result<std::vector<Passage>> SearchIndex::topPassages(
    const std::string& workspaceId, const std::string& question, size_t maxPassages,
    SnippetSize snippet, const std::optional<std::unordered_set<std::string>>& scope) {
  std::lock_guard lock(readMu_);
  std::vector<Passage> passages;
  const std::string fts = ftsOrExpression(queryTerms(question));
  if (fts.empty() || maxPassages == 0) return passages;
  FASTIO_TRY_ASSIGN(auto chunks, matchChunks(workspaceId, fts, kMaxChunkRows));
  for (const auto& chunk : chunks) {
    if (passages.size() >= maxPassages) break;
    if (scope && !scope->contains(chunk.nodeId)) continue;
    FASTIO_TRY_ASSIGN(auto st, readDb_->prepare("SELECT " + std::string(kNodeColumns) +
                                                " FROM nodes WHERE node_id = ?1"));
    FASTIO_TRY_ASSIGN(auto row, st.bind(1, chunk.nodeId).step());
    if (!row) continue;
    FASTIO_TRY_ASSIGN(auto text, passageSnippet(fts, chunk.rowid, snippet));
    passages.push_back({readNode(st), chunk.page, std::move(text), chunk.score});
  }
  return passages;
}

Result<NodeContent> SearchIndex::content(const std::string& nodeId, const std::string& query) {
  std::lock_guard lock(readMu_);
  NodeContent out;
  FASTIO_TRY_ASSIGN(
      auto node,
      readDb_->prepare(
          "SELECT COALESCE(content_version, ''), content_version IS NOT NULL AND content_version = "
          "version_id FROM nodes WHERE node_id = ?1"));
  FASTIO_TRY_ASSIGN(auto found, node.bind(1, nodeId).step());
  if (!found) return out;
  out.indexedVersionId = node.text(0);
  out.indexed = node.integer(1) != 0;
  FASTIO_TRY_ASSIGN(
      auto all, readDb_->prepare("SELECT o.chunk_rowid, o.page, chunks.body FROM chunk_owner o "
                                 "JOIN chunks ON chunks.rowid "
                                 "= o.chunk_rowid WHERE o.node_id = ?1 ORDER BY o.chunk_rowid"));
  all.bind(1, nodeId);
  std::unordered_map<int64_t, size_t> positionOf;
  for (;;) {
    FASTIO_TRY_ASSIGN(auto row, all.step());
    if (!row) break;
    const int page = static_cast<int>(all.integer(1));
    positionOf.emplace(all.integer(0), out.passages.size());
    out.passages.push_back({out.passages.size(), page, all.text(2), std::nullopt});
    out.pageCount = std::max(out.pageCount, page);
  }
  out.totalPassages = out.passages.size();
  const std::string fts = ftsOrExpression(queryTerms(query));
  if (query.empty()) return out;
  std::vector<StoredPassage> matching;
  if (!fts.empty()) {
    FASTIO_TRY_ASSIGN(
        auto st,
        readDb_->prepare(
            "SELECT chunks.rowid, bm25(chunks) FROM chunks JOIN chunk_owner o ON o.chunk_rowid = "
            "chunks.rowid WHERE chunks MATCH ?1 AND o.node_id = ?2 ORDER BY bm25(chunks)"));
    st.bind(1, fts).bind(2, nodeId);
    for (;;) {
      FASTIO_TRY_ASSIGN(auto row, st.step());
      if (!row) break;
      const auto at = positionOf.find(st.integer(0));
      if (at == positionOf.end()) continue;
      StoredPassage p = out.passages[at->second];
      p.score = -st.real(1);
      matching.push_back(std::move(p));
    }
  }
  out.passages = std::move(matching);
  return out;
}

Result<std::unordered_set<std::string>> SearchIndex::filesUnder(
    const std::string& workspaceId, const std::vector<std::string>& folderIds, int depth) {
  std::lock_guard lock(readMu_);
  FASTIO_TRY_ASSIGN(auto nodes, workspaceNodes(workspaceId));
  std::unordered_multimap<std::string, const IndexedNode*> children;
  for (const auto& n : nodes) children.emplace(n.parentId, &n);
  std::unordered_set<std::string> files;
  std::vector<std::string> level = folderIds;
  for (int d = 0; d < depth && !level.empty(); ++d) {
    std::vector<std::string> next;
    for (const auto& folder : level) {
      auto [first, last] = children.equal_range(folder);
      for (auto it = first; it != last; ++it) {
        if (it->second->type == "folder") {
          next.push_back(it->second->nodeId);
        } else {
          files.insert(it->second->nodeId);
        }
      }
    }
    level = std::move(next);
  }
  return files;
}

}  // namespace fastio::emu::intelligence
