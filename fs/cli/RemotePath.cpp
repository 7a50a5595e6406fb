#include "fs/cli/RemotePath.h"

#include <cstdio>

namespace fastio::cli {

Result<RemotePath> parseRemotePath(const std::string& text) {
  RemotePath p;
  p.display = text;
  std::string rest = text;
  while (!rest.empty() && rest.front() == '/') rest.erase(0, 1);
  const auto slash = rest.find('/');
  p.workspace = rest.substr(0, slash);
  if (p.workspace.empty()) {
    return makeError(ErrorCode::kInvalid, "\"" + text + "\" does not start with a workspace name");
  }
  if (slash == std::string::npos) return p;
  std::string path = rest.substr(slash + 1);
  p.trailingSlash = !path.empty() && path.back() == '/';
  size_t start = 0;
  while (start <= path.size()) {
    const auto end = path.find('/', start);
    std::string part =
        path.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (part == "..") return makeError(ErrorCode::kInvalid, "\"..\" is not allowed in " + text);
    if (!part.empty() && part != ".") p.components.push_back(std::move(part));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return p;
}

Result<Workspace> findWorkspace(RemoteStore& store, const std::string& key, Deadline deadline) {
  Result<std::vector<Workspace>> all = store.listWorkspaces(deadline);
  if (!all.ok()) return all.error();
  for (const Workspace& w : *all) {
    if (w.folderName == key || w.id == key) return w;
  }
  const Workspace* byName = nullptr;
  for (const Workspace& w : *all) {
    if (w.name == key) {
      if (byName != nullptr) {
        return makeError(ErrorCode::kInvalid,
                         "several workspaces are named \"" + key + "\"; use the folder name or id");
      }
      byName = &w;
    }
  }
  if (byName != nullptr) return *byName;
  return makeError(ErrorCode::kNotFound, "no workspace \"" + key + "\" (try `fastiofs ls`)");
}

Node rootNode() {
  Node root;
  root.id = "root";
  root.type = NodeType::kFolder;
  return root;
}

Result<Node> findChild(RemoteStore& store, const std::string& workspaceId,
                       const std::string& parentId, const std::string& name, Deadline deadline) {
  std::optional<Node> found;
  Status listed = store.listFolder(
      workspaceId, parentId,
      [&](FolderPage&& page) {
        for (Node& n : page.nodes) {
          if (n.name == name) {
            found = std::move(n);
            return false;
          }
        }
        return true;
      },
      deadline);
  if (!listed.ok()) return listed.error();
  if (!found) return makeError(ErrorCode::kNotFound, "no \"" + printable(name) + "\" there");
  return *found;
}

Result<Node> resolveNode(RemoteStore& store, const std::string& workspaceId,
                         const std::vector<std::string>& components, Deadline deadline) {
  Node current = rootNode();
  std::string walked;
  for (const std::string& part : components) {
    if (!current.isFolder()) {
      return makeError(ErrorCode::kNotDirectory, walked + " is not a folder");
    }
    Result<Node> child = findChild(store, workspaceId, current.id, part, deadline);
    walked += "/" + part;
    if (!child.ok()) {
      if (child.error().code == ErrorCode::kNotFound) {
        return makeError(ErrorCode::kNotFound, "no such file or folder: " + printable(walked));
      }
      return child.error();
    }
    current = std::move(child).value();
  }
  return current;
}

std::string printable(const std::string& name) {
  std::string out;
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else if (c == '\\') {
      out += "\\\\";
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

}  // namespace fastio::cli
