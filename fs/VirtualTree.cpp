#include "fs/VirtualTree.h"

#include <sys/stat.h>

#include "fs/VirtualNames.h"

namespace fastio::fs {
namespace {

const std::string_view kControlFiles[] = {kStatusFileName, kStatsFileName, kMetricsFileName,
                                          kVersionFileName};

bool isControlFile(const std::string& name) {
  for (auto f : kControlFiles) {
    if (name == f) return true;
  }
  return false;
}

std::string joinKey(const std::string& a, const std::string& b) {
  std::string k = a;
  k += '\0';  // cannot occur in a file name
  k += b;
  return k;
}

const RenderedHit* hitByLink(const SearchAnswer& answer, const std::string& linkName) {
  for (const RenderedHit& h : answer.hits) {
    if (!h.linkName.empty() && h.linkName == linkName) return &h;
  }
  return nullptr;
}

}  // namespace

VirtualTree::VirtualTree(InodeTable& inodes, SearchView& search, AskView& ask,
                         const FsOptions& options, WallTime startedWall, StatusSource status)
    : inodes_(inodes),
      search_(search),
      ask_(ask),
      options_(options),
      startedWall_(startedWall),
      status_(std::move(status)) {}

Attributes VirtualTree::attrOfSize(const InodeInfo& info, uint64_t size) const {
  Attributes a;
  a.ino = info.ino;
  a.uid = options_.uid;
  a.gid = options_.gid;
  a.blockSize = 4096;
  a.mtime = startedWall_;
  a.ctime = startedWall_;
  if (isDirectoryKind(info.kind)) {
    a.mode = S_IFDIR | (0555u & ~options_.umask);
    a.nlink = 2;
  } else if (info.kind == InodeKind::kSearchHitLink) {
    a.mode = S_IFLNK | 0777u;
    a.size = size;
  } else {
    a.mode = S_IFREG | (0444u & ~options_.umask);
    a.size = size;
  }
  return a;
}

Attributes VirtualTree::attr(const InodeInfo& info) {
  return attrOfSize(info, sizeOf(info));
}

Duration VirtualTree::attrTtl(const InodeInfo& info) {
  return wantsDirectIo(info) ? Duration::zero() : std::chrono::seconds(1);
}

bool VirtualTree::wantsDirectIo(const InodeInfo& info) {
  return info.kind == InodeKind::kControlFile || info.kind == InodeKind::kAskFile;
}

EntryReply VirtualTree::entry(const std::string& key, const InodeInfo& info, uint64_t size) {
  InodeInfo held = inodes_.lookupOrCreate(key, info);
  EntryReply reply;
  reply.attr = attrOfSize(held, size);
  reply.entryTtl = options_.entryTtl;
  reply.attrTtl = attrTtl(held);
  return reply;
}

std::optional<EntryReply> VirtualTree::lookupEntrance(const InodeInfo& parent,
                                                      const std::string& name) {
  InodeInfo info;
  info.parent = parent.ino;
  info.name = name;
  if (parent.kind == InodeKind::kMountRoot && name == kControlDirName) {
    info.kind = InodeKind::kControlDir;
    return entry(InodeTable::virtualKey("ctl", "", ""), info, 0);
  }
  if (parent.kind == InodeKind::kWorkspace && (name == kSearchDirName || name == kAskDirName)) {
    const bool search = name == kSearchDirName;
    info.kind = search ? InodeKind::kSearchDir : InodeKind::kAskDir;
    info.workspaceId = parent.workspaceId;
    return entry(InodeTable::virtualKey(search ? "search" : "ask", parent.workspaceId, ""), info,
                 0);
  }
  return std::nullopt;
}

std::string VirtualTree::controlFileContent(const std::string& name) const {
  const StatusSnapshot s = status_();
  if (name == kStatusFileName) return renderStatusText(s);
  if (name == kStatsFileName) return renderStatsJson(s);
  if (name == kMetricsFileName) return renderPrometheusMetrics(s);
  return renderVersion(s);
}

Result<EntryReply> VirtualTree::lookup(const InodeInfo& parent, const std::string& name) {
  InodeInfo info;
  info.parent = parent.ino;
  info.name = name;
  info.workspaceId = parent.workspaceId;
  switch (parent.kind) {
    case InodeKind::kControlDir: {
      if (!isControlFile(name)) return makeError(ErrorCode::kNotFound, "no such control file");
      info.kind = InodeKind::kControlFile;
      info.payload = name;
      return entry(InodeTable::virtualKey("ctl", "", name), info, controlFileContent(name).size());
    }
    case InodeKind::kSearchDir: {
      auto answer = search_.get(parent.workspaceId, name);
      if (!answer.ok()) return answer.error();
      info.kind = InodeKind::kSearchQueryDir;
      info.payload = name;
      return entry(InodeTable::virtualKey("sq", parent.workspaceId, name), info, 0);
    }
    case InodeKind::kSearchQueryDir: {
      auto answer = search_.get(parent.workspaceId, parent.payload);
      if (!answer.ok()) return answer.error();
      info.payload = parent.payload;
      const std::string key =
          InodeTable::virtualKey("sf", parent.workspaceId, joinKey(parent.payload, name));
      if (name == kResultsTextName || name == kResultsJsonName) {
        info.kind = InodeKind::kSearchFile;
        const auto& body = name == kResultsTextName ? (*answer)->text : (*answer)->json;
        return entry(key, info, body.size());
      }
      const RenderedHit* hit = hitByLink(**answer, name);
      if (hit == nullptr) return makeError(ErrorCode::kNotFound, "no such search hit");
      info.kind = InodeKind::kSearchHitLink;
      return entry(key, info, searchHitLinkTarget(hit->path).size());
    }
    case InodeKind::kAskDir: {
      info.kind = InodeKind::kAskFile;
      info.payload = name;
      auto held = ask_.peek(parent.workspaceId, name);
      return entry(InodeTable::virtualKey("ask", parent.workspaceId, name), info,
                   held ? held->text.size() : 0);
    }
    default:
      return makeError(ErrorCode::kNotDirectory, "not a directory");
  }
}

Result<DirSnapshot> VirtualTree::list(const InodeInfo& info) {
  DirSnapshot snap;
  auto add = [&](const std::string& key, InodeInfo child, uint64_t size) {
    DirEntry d;
    d.name = child.name;
    d.key = key;
    child.ino = inodes_.numberFor(key, child);
    d.info = child;
    d.attr = attrOfSize(child, size);
    snap.entries.push_back(std::move(d));
  };
  InodeInfo child;
  child.parent = info.ino;
  child.workspaceId = info.workspaceId;
  switch (info.kind) {
    case InodeKind::kControlDir:
      for (auto f : kControlFiles) {
        child.kind = InodeKind::kControlFile;
        child.name = std::string(f);
        child.payload = child.name;
        add(InodeTable::virtualKey("ctl", "", child.name), child,
            controlFileContent(child.name).size());
      }
      return snap;
    case InodeKind::kSearchDir:
      for (const std::string& q : search_.freshQueries(info.workspaceId)) {
        child.kind = InodeKind::kSearchQueryDir;
        child.name = q;
        child.payload = q;
        add(InodeTable::virtualKey("sq", info.workspaceId, q), child, 0);
      }
      return snap;
    case InodeKind::kSearchQueryDir: {
      auto answer = search_.get(info.workspaceId, info.payload);
      if (!answer.ok()) return answer.error();
      child.payload = info.payload;
      child.kind = InodeKind::kSearchFile;
      for (auto name : {kResultsTextName, kResultsJsonName}) {
        child.name = std::string(name);
        const auto& body = name == kResultsTextName ? (*answer)->text : (*answer)->json;
        add(InodeTable::virtualKey("sf", info.workspaceId, joinKey(info.payload, child.name)),
            child, body.size());
      }
      child.kind = InodeKind::kSearchHitLink;
      for (const RenderedHit& h : (*answer)->hits) {
        if (h.linkName.empty()) continue;
        child.name = h.linkName;
        add(InodeTable::virtualKey("sf", info.workspaceId, joinKey(info.payload, h.linkName)),
            child, searchHitLinkTarget(h.path).size());
      }
      return snap;
    }
    case InodeKind::kAskDir:
      for (const std::string& q : ask_.answeredQuestions(info.workspaceId)) {
        child.kind = InodeKind::kAskFile;
        child.name = q;
        child.payload = q;
        auto held = ask_.peek(info.workspaceId, q);
        add(InodeTable::virtualKey("ask", info.workspaceId, q), child,
            held ? held->text.size() : 0);
      }
      return snap;
    default:
      return makeError(ErrorCode::kNotDirectory, "not a directory");
  }
}

Result<std::string> VirtualTree::content(const InodeInfo& info) {
  switch (info.kind) {
    case InodeKind::kControlFile:
      return controlFileContent(info.payload);
    case InodeKind::kSearchFile: {
      auto answer = search_.get(info.workspaceId, info.payload);
      if (!answer.ok()) return answer.error();
      return info.name == kResultsTextName ? (*answer)->text : (*answer)->json;
    }
    case InodeKind::kAskFile: {
      auto answer = ask_.get(info.workspaceId, info.payload);
      if (!answer.ok()) return answer.error();
      return (*answer)->text;
    }
    default:
      return makeError(ErrorCode::kInvalid, "not a regular file");
  }
}

uint64_t VirtualTree::sizeOf(const InodeInfo& info) {
  switch (info.kind) {
    case InodeKind::kControlFile:
      return controlFileContent(info.payload).size();
    case InodeKind::kSearchFile: {
      auto answer = search_.get(info.workspaceId, info.payload);
      if (!answer.ok()) return 0;
      return (info.name == kResultsTextName ? (*answer)->text : (*answer)->json).size();
    }
    case InodeKind::kSearchHitLink: {
      auto target = readlink(info);
      return target.ok() ? target->size() : 0;
    }
    case InodeKind::kAskFile: {
      auto held = ask_.peek(info.workspaceId, info.payload);
      return held ? held->text.size() : 0;
    }
    default:
      return 0;
  }
}

Result<std::string> VirtualTree::readlink(const InodeInfo& info) {
  if (info.kind != InodeKind::kSearchHitLink) {
    return makeError(ErrorCode::kInvalid, "not a symbolic link");
  }
  auto answer = search_.get(info.workspaceId, info.payload);
  if (!answer.ok()) return answer.error();
  const RenderedHit* hit = hitByLink(**answer, info.name);
  if (hit == nullptr) return makeError(ErrorCode::kNotFound, "the search hit is gone");
  return searchHitLinkTarget(hit->path);
}

}  // namespace fastio::fs
