#include "fs/cli/ClientCommands.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <iostream>
#include <memory>

#include "client/http/ClientFactory.h"
#include "common/FdIo.h"
#include "fs/cli/ProgressMeter.h"
#include "fs/cli/RemotePath.h"

namespace fastio::cli {
namespace {

struct LsArgs {
  std::string target;
};
struct GetArgs {
  std::string remote;
  std::string local;
};
struct PutArgs {
  std::string local;
  std::string remote;
};
struct SearchArgs {
  std::string workspace;
  std::string query;
  std::string in = "both";
  std::string match;
  uint32_t limit = 20;
};
struct AskArgs {
  std::string workspace;
  std::string question;
  int timeoutSeconds = 180;
};

Result<std::unique_ptr<http::Client>> connect(const GlobalOptions& g) {
  http::ClientConfig config;
  config.apiUrl = g.apiUrl;
  config.tokenFile = g.tokenFile;
  return http::connectClient(std::move(config));
}

Deadline metadataDeadline() {
  return Deadline::after(std::chrono::minutes(2));
}

std::string formatTime(WallTime t) {
  if (t == WallTime{}) return "-                  ";
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

void printNode(const Node& n) {
  const char* kind = n.isFolder() ? "d" : (n.type == NodeType::kFile ? "-" : "?");
  const std::string size = n.isFolder() ? "-" : std::to_string(n.size);
  std::printf("%s %14s  %s  %s%s\n", kind, size.c_str(), formatTime(n.modified).c_str(),
              printable(n.name).c_str(), n.isFolder() ? "/" : "");
}

int runLs(const GlobalOptions& g, const LsArgs& a) {
  auto client = connect(g);
  if (!client.ok()) return fail(client.error().describe());
  RemoteStore& store = (*client)->store();
  if (a.target.empty()) {
    Result<std::vector<Workspace>> all = store.listWorkspaces(metadataDeadline());
    if (!all.ok()) return fail(all.error().describe());
    for (const Workspace& w : *all) {
      std::printf("%-30s %-20s %s\n", printable(w.folderName).c_str(), w.id.c_str(),
                  printable(w.name).c_str());
    }
    return 0;
  }
  Result<RemotePath> path = parseRemotePath(a.target);
  if (!path.ok()) return fail(path.error().describe());
  Result<Workspace> ws = findWorkspace(store, path->workspace, metadataDeadline());
  if (!ws.ok()) return fail(ws.error().describe());
  Result<Node> node = resolveNode(store, ws->id, path->components, metadataDeadline());
  if (!node.ok()) return fail(node.error().describe());
  if (!node->isFolder()) {
    printNode(*node);
    return 0;
  }
  Status listed = store.listFolder(
      ws->id, node->id,
      [](FolderPage&& page) {
        for (const Node& n : page.nodes) printNode(n);
        return true;
      },
      metadataDeadline());
  if (!listed.ok()) return fail(listed.error().describe());
  return 0;
}

Status writeAll(int fd, uint64_t offset, std::string_view bytes, bool positional) {
  const fdio::Transfer written =
      positional ? fdio::pwriteAll(fd, bytes, offset) : fdio::writeAll(fd, bytes);
  if (!written.ok()) {
    return makeError(ErrorCode::kIo, std::string("write failed: ") + std::strerror(written.error));
  }
  return okStatus();
}

std::string baseName(const std::string& path) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  const auto slash = p.find_last_of('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

int runGet(const GlobalOptions& g, const GetArgs& a) {
  auto client = connect(g);
  if (!client.ok()) return fail(client.error().describe());
  RemoteStore& store = (*client)->store();
  Result<RemotePath> path = parseRemotePath(a.remote);
  if (!path.ok()) return fail(path.error().describe());
  Result<Workspace> ws = findWorkspace(store, path->workspace, metadataDeadline());
  if (!ws.ok()) return fail(ws.error().describe());
  Result<Node> node = resolveNode(store, ws->id, path->components, metadataDeadline());
  if (!node.ok()) return fail(node.error().describe());
  if (node->isFolder()) return fail(a.remote + " is a folder");

  const bool toStdout = a.local == "-";
  std::string target = a.local;
  struct stat st {};
  if (!toStdout && ::stat(target.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    if (node->name.empty() || node->name == "." || node->name == ".." ||
        node->name.find('/') != std::string::npos) {
      return fail("the remote name \"" + printable(node->name) +
                  "\" cannot be used as a local file name; give one");
    }
    target += "/" + node->name;
  }
  std::string partial;
  int fd = STDOUT_FILENO;
  if (!toStdout) {
    const auto slash = target.find_last_of('/');
    const std::string dir = slash == std::string::npos ? "." : target.substr(0, slash);
    partial = dir + "/." + baseName(target) + ".fastiofs-" + std::to_string(::getpid()) + ".part";
    fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) return fail("cannot create " + partial + ": " + std::strerror(errno));
  }
  uint64_t written = 0;
  ByteSink sink = [&](uint64_t offset, std::string_view bytes) -> Status {
    if (toStdout && offset != written) {
      return makeError(ErrorCode::kProtocol, "out-of-order bytes for a stream");
    }
    FASTIO_TRY(writeAll(fd, offset, bytes, !toStdout));
    written = std::max(written, offset + bytes.size());
    return okStatus();
  };
  ReadRequest request;
  request.workspaceId = ws->id;
  request.nodeId = node->id;
  request.versionId = node->version;
  Result<ReadOutcome> outcome = store.read(request, sink, Deadline::never());
  Status result = outcome.ok() ? Status() : Status(outcome.error());
  if (result.ok() && written != node->size) {
    result = makeError(ErrorCode::kIo, "download of " + a.remote + " ended after " +
                                           std::to_string(written) + " of " +
                                           std::to_string(node->size) + " bytes");
  }
  if (!toStdout) {
    if (::close(fd) != 0 && result.ok()) {
      result = makeError(ErrorCode::kIo,
                         std::string("closing the file failed: ") + std::strerror(errno));
    }
    if (result.ok() && ::rename(partial.c_str(), target.c_str()) != 0) {
      result =
          makeError(ErrorCode::kIo, "cannot rename to " + target + ": " + std::strerror(errno));
    }
    if (!result.ok()) ::unlink(partial.c_str());
  }
  if (!result.ok()) return fail(result.error().describe());
  return 0;
}

int runPut(const GlobalOptions& g, const PutArgs& a) {
  const int fd = ::open(a.local.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail("cannot open " + a.local + ": " + std::strerror(errno));
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
    return fail(a.local + " is not a regular file");

  auto client = connect(g);
  if (!client.ok()) return fail(client.error().describe());
  RemoteStore& store = (*client)->store();
  Result<RemotePath> path = parseRemotePath(a.remote);
  if (!path.ok()) return fail(path.error().describe());
  Result<Workspace> ws = findWorkspace(store, path->workspace, metadataDeadline());
  if (!ws.ok()) return fail(ws.error().describe());

  UploadRequest request;
  request.workspaceId = ws->id;
  request.size = static_cast<uint64_t>(st.st_size);
  std::vector<std::string> parentPath = path->components;
  std::string name = baseName(a.local);
  if (!parentPath.empty() && !path->trailingSlash) {
    Result<Node> existing = resolveNode(store, ws->id, parentPath, metadataDeadline());
    if (existing.ok() && existing->isFolder()) {
      // put FILE WS/folder: keep the local name inside that folder.
    } else if (existing.ok() || existing.error().code == ErrorCode::kNotFound) {
      name = parentPath.back();
      parentPath.pop_back();
    } else {
      return fail(existing.error().describe());
    }
  }
  Result<Node> parent = resolveNode(store, ws->id, parentPath, metadataDeadline());
  if (!parent.ok()) return fail(parent.error().describe());
  if (!parent->isFolder()) return fail(a.remote + ": the parent is not a folder");
  request.parentId = parent->id;
  request.name = name;
  Result<Node> same = findChild(store, ws->id, parent->id, name, metadataDeadline());
  if (same.ok()) {
    if (same->isFolder()) return fail(a.remote + " is a folder");
    request.existingFileId = same->id;
  } else if (same.error().code != ErrorCode::kNotFound) {
    return fail(same.error().describe());
  }

  ByteSource source = [fd](uint64_t offset, char* out, size_t length) -> Result<size_t> {
    const ssize_t n = fdio::preadOnce(fd, out, length, offset);
    if (n < 0) {
      return makeError(ErrorCode::kIo, std::string("read failed: ") + std::strerror(errno));
    }
    return static_cast<size_t>(n);
  };
  ProgressMeter meter(request.size, stdout, ::isatty(STDOUT_FILENO) == 1);
  Result<UploadResult> uploaded = store.upload(request, source, &meter, Deadline::never());
  meter.finish();
  if (!uploaded.ok()) return fail(uploaded.error().describe());
  std::printf("uploaded %s: %llu bytes, id %s, version %s\n", printable(name).c_str(),
              static_cast<unsigned long long>(uploaded->node.size), uploaded->node.id.c_str(),
              uploaded->node.version.c_str());
  return 0;
}

int runSearch(const GlobalOptions& g, const SearchArgs& a) {
  auto client = connect(g);
  if (!client.ok()) return fail(client.error().describe());
  RemoteStore& store = (*client)->store();
  Result<Workspace> ws = findWorkspace(store, a.workspace, metadataDeadline());
  if (!ws.ok()) return fail(ws.error().describe());
  SearchOptions options;
  options.searchIn = a.in == "content"    ? SearchIn::kContent
                     : a.in == "filename" ? SearchIn::kFilename
                                          : SearchIn::kBoth;
  options.nameMatch = a.match;
  options.limit = a.limit;
  Result<SearchResult> found = store.search(ws->id, a.query, options, metadataDeadline());
  if (!found.ok()) return fail(found.error().describe());
  int rank = 0;
  for (const SearchHit& hit : found->hits) {
    std::string where;
    if (hit.pageStart) where = "  p." + std::to_string(*hit.pageStart);
    std::printf("%2d  %.3f  %s%s\n", ++rank, hit.relevance, printable(hit.name).c_str(),
                where.c_str());
    if (!hit.snippet.empty()) std::printf("      %s\n", printable(hit.snippet).c_str());
  }
  if (found->hits.empty()) std::printf("no matches\n");
  return 0;
}

int runAsk(const GlobalOptions& g, const AskArgs& a) {
  auto client = connect(g);
  if (!client.ok()) return fail(client.error().describe());
  RemoteStore& store = (*client)->store();
  Result<Workspace> ws = findWorkspace(store, a.workspace, metadataDeadline());
  if (!ws.ok()) return fail(ws.error().describe());
  Result<AskAnswer> answer =
      store.ask(ws->id, a.question, Deadline::after(std::chrono::seconds(a.timeoutSeconds)));
  if (!answer.ok()) return fail(answer.error().describe());
  std::printf("%s\n", answer->text.c_str());
  if (answer->state == "needs_input") std::printf("(the assistant asks for more detail)\n");
  if (answer->citations.empty()) return 0;
  // Names for the cited files, best effort.
  std::vector<std::string> ids;
  for (const Citation& c : answer->citations) ids.push_back(c.nodeId);
  std::map<std::string, std::string> names;
  if (auto details = store.nodeDetails(ws->id, ids, metadataDeadline()); details.ok()) {
    for (const Node& n : details->nodes) names[n.id] = n.name;
  }
  std::printf("\nCitations:\n");
  for (const Citation& c : answer->citations) {
    const std::string name = names.count(c.nodeId) ? names[c.nodeId] : c.nodeId;
    std::string page = c.page ? " p." + std::to_string(*c.page) : "";
    std::printf("  - %s%s: %s\n", printable(name).c_str(), page.c_str(),
                printable(c.snippet).c_str());
  }
  return 0;
}

}  // namespace

void registerClientCommands(CommandSet& commands) {
  GlobalOptions& g = commands.global();

  auto ls = std::make_shared<LsArgs>();
  CLI::App* lsCmd = commands.add("ls", "list workspaces, or a folder: ls [WS[/PATH]]",
                                 [&g, ls] { return runLs(g, *ls); });
  lsCmd->add_option("target", ls->target, "WS[/PATH]");

  auto get = std::make_shared<GetArgs>();
  CLI::App* getCmd = commands.add("get", "download a file: get WS/PATH LOCALFILE ('-' = stdout)",
                                  [&g, get] { return runGet(g, *get); });
  getCmd->add_option("remote", get->remote, "WS/PATH")->required();
  getCmd->add_option("local", get->local, "local file or directory, '-' for stdout")->required();

  auto put = std::make_shared<PutArgs>();
  CLI::App* putCmd = commands.add("put", "upload a file: put LOCALFILE WS/PATH",
                                  [&g, put] { return runPut(g, *put); });
  putCmd->add_option("local", put->local, "local file")->required();
  putCmd->add_option("remote", put->remote, "WS/PATH, WS/FOLDER/ or WS")->required();

  auto search = std::make_shared<SearchArgs>();
  CLI::App* searchCmd = commands.add("search", "search a workspace: search WS QUERY",
                                     [&g, search] { return runSearch(g, *search); });
  searchCmd->add_option("workspace", search->workspace, "workspace")->required();
  searchCmd->add_option("query", search->query, "query (2-1000 characters)")->required();
  searchCmd->add_option("--in", search->in, "both, content or filename")
      ->check(CLI::IsMember({"both", "content", "filename"}));
  searchCmd->add_option("--match", search->match, "name matching: exact, prefix, contains, glob");
  searchCmd->add_option("--limit", search->limit, "at most this many hits (1-500)")
      ->check(CLI::Range(1, 500));

  auto ask = std::make_shared<AskArgs>();
  CLI::App* askCmd = commands.add("ask", "ask the workspace AI: ask WS QUESTION",
                                  [&g, ask] { return runAsk(g, *ask); });
  askCmd->add_option("workspace", ask->workspace, "workspace")->required();
  askCmd->add_option("question", ask->question, "the question")->required();
  askCmd->add_option("--timeout", ask->timeoutSeconds, "seconds to wait for the answer")
      ->check(CLI::Range(1, 3600));
}

}  // namespace fastio::cli
