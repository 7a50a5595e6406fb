#pragma once
// "WS[/PATH]" arguments of the client commands: WS is a workspace folder_name, id or display
// name; PATH walks folder listings from the storage root by name.

#include <string>
#include <vector>

#include "client/RemoteStore.h"

namespace fastio::cli {

struct RemotePath {
  std::string workspace;
  std::vector<std::string> components;  // empty = the storage root
  bool trailingSlash = false;
  std::string display;  // as the user typed it
};

Result<RemotePath> parseRemotePath(const std::string& text);
Result<Workspace> findWorkspace(RemoteStore& store, const std::string& key, Deadline deadline);
// The child named `name` of folder `parentId`, or kNotFound.
Result<Node> findChild(RemoteStore& store, const std::string& workspaceId,
                       const std::string& parentId, const std::string& name, Deadline deadline);
// The node at `components` below the root (the root itself for none).
Result<Node> resolveNode(RemoteStore& store, const std::string& workspaceId,
                         const std::vector<std::string>& components, Deadline deadline);
Node rootNode();

// A server-provided name made safe to print on a terminal (control characters escaped).
std::string printable(const std::string& name);

}  // namespace fastio::cli
