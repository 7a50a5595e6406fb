#pragma once
// The emulator's search index: node names (files and folders) and the extracted text of files,
// in SQLite with FTS5 (porter + unicode61 tokenizer, BM25 ranking). One database file, persisted
// across restarts. Content is split into passages of about kPassageBytes within a page; a search
// keeps the best passage per file. Thread-safe: a writing and a reading connection, each behind
// its own mutex, so searches are not held up by ingestion.

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "common/Result.h"
#include "emulator/intelligence/TextExtractor.h"
#include "emulator/state/Database.h"

namespace fastio::emu::intelligence {

struct IndexedNode {
  std::string workspaceId;
  std::string nodeId;
  std::string parentId;  // "root" for children of the storage root
  std::string name;
  std::string type = "file";  // file | folder | note | link
  std::string mimetype;
  std::string versionId;
};

enum class NameMatch { kAuto, kExact, kPrefix, kContains, kGlob };
enum class SearchIn { kFilename, kContent, kBoth };
enum class SnippetSize { kTerse, kStandard, kFull };

// Parsers for the wire values; nullopt when the value is not one of the documented ones.
std::optional<NameMatch> parseNameMatch(std::string_view s);
std::optional<SearchIn> parseSearchIn(std::string_view s);
std::optional<SnippetSize> parseSnippetSize(std::string_view s);
size_t snippetBytes(SnippetSize size);  // 0 = untruncated

struct SearchQuery {
  std::string workspaceId;
  std::string text;
  SearchIn searchIn = SearchIn::kBoth;
  NameMatch nameMatch = NameMatch::kAuto;
  bool caseSensitive = false;
  bool includeContent = true;  // false when the workspace has intelligence off
  size_t limit = 100;
  size_t offset = 0;
  SnippetSize snippet = SnippetSize::kFull;
  // When set, content hits are limited to these node ids (filename hits are not).
  std::optional<std::unordered_set<std::string>> contentScope;
};

struct SearchHit {
  IndexedNode node;
  double relevance = 0;  // 0..1, normalised within the whole result set
  double rawScore = 0;   // BM25 magnitude for content hits, the name-match strength otherwise
  bool contentMatch = false;
  bool nameMatch = false;
  bool scoredByContent = false;  // rawScore is the BM25 magnitude (else the name-match strength)
  std::string snippet;           // empty for name-only hits
  int page = 0;                  // 0 for name-only hits
};

struct SearchResults {
  std::vector<SearchHit> hits;  // the requested window, best first
  size_t total = 0;             // hits before limit/offset
};

struct Passage {
  IndexedNode node;
  int page = 1;
  std::string snippet;
  double score = 0;  // BM25 magnitude, larger is better
};

// One indexed passage of a file, in document order (position 0 first).
struct StoredPassage {
  size_t position = 0;
  int page = 1;
  std::string text;
  std::optional<double> score;  // BM25 magnitude when listed for a query
};

struct NodeContent {
  bool indexed = false;                 // the node's current version is indexed
  std::string indexedVersionId;         // the version the passages come from ("" if none)
  std::vector<StoredPassage> passages;  // all passages, or the matching ones best first
  size_t totalPassages = 0;
  int pageCount = 0;
};

class SearchIndex {
 public:
  static constexpr size_t kPassageBytes = 1000;

  static Result<std::unique_ptr<SearchIndex>> open(const std::filesystem::path& dbFile);

  // Adds or updates a node's name, parent, type, mimetype and version (rename, move, new
  // version). Content already indexed is kept, but if the version changed it stops matching
  // until setContent() indexes the new version.
  Status upsertNode(const IndexedNode& node);
  // Replaces the node's content with the pages of versionId and makes it searchable.
  Status setContent(const std::string& nodeId, const std::string& versionId,
                    const std::vector<TextPage>& pages);
  // Removes the node and its content (deleted or purged).
  Status removeNode(const std::string& nodeId);
  // Removes a folder (or file) and everything indexed below it (trashed folder).
  Status removeSubtree(const std::string& nodeId);
  // Drops every node of a workspace (intelligence turned off, workspace deleted).
  Status removeWorkspace(const std::string& workspaceId);

  Result<std::optional<IndexedNode>> node(const std::string& nodeId);
  Result<bool> contentReady(const std::string& nodeId);

  Result<SearchResults> search(const SearchQuery& query);

  // The best passages for a question across the workspace (several may come from one file),
  // best first. Used by the agent to compose answers.
  Result<std::vector<Passage>> topPassages(
      const std::string& workspaceId, const std::string& question, size_t maxPassages,
      SnippetSize snippet, const std::optional<std::unordered_set<std::string>>& scope);

  // The indexed text of one node: every passage in order, or with a query only the passages
  // that match it, best first.
  Result<NodeContent> content(const std::string& nodeId, const std::string& query);

  // Node ids of files under the given folders (depth levels, 1 = direct children).
  Result<std::unordered_set<std::string>> filesUnder(const std::string& workspaceId,
                                                     const std::vector<std::string>& folderIds,
                                                     int depth);

 private:
  explicit SearchIndex(std::unique_ptr<Database> db) : db_(std::move(db)) {}
  Status createSchema();

  struct ChunkHit {
    std::string nodeId;
    int64_t rowid = 0;
    int page = 1;
    double score = 0;
  };
  Result<std::vector<ChunkHit>> matchChunks(const std::string& workspaceId,
                                            const std::string& ftsExpression, size_t maxRows);
  Result<std::string> passageSnippet(const std::string& ftsExpression, int64_t rowid,
                                     SnippetSize size);
  Result<std::vector<IndexedNode>> workspaceNodes(const std::string& workspaceId);

  std::mutex mu_;  // guards db_, the connection that writes
  std::unique_ptr<Database> db_;
  std::mutex readMu_;  // guards readDb_, the connection searches read through
  std::unique_ptr<Database> readDb_;
};

// Name matching used by search, exposed for tests. Returns the match strength in (0, 1] or 0.
double nameMatchScore(std::string_view name, std::string_view query, NameMatch mode,
                      bool caseSensitive);
bool globMatch(std::string_view pattern, std::string_view text);

// Picks the window of at most maxBytes (0 = all) around the densest run of highlighted terms in a
// passage whose matches are marked \x01…\x02, and returns it without the marks, with "…" where
// the text was cut.
std::string selectSnippet(std::string_view highlighted, size_t maxBytes);

// Splits a page into passages of at most maxBytes at paragraph, sentence or word boundaries.
std::vector<std::string> splitPassages(std::string_view pageText, size_t maxBytes);

}  // namespace fastio::emu::intelligence
