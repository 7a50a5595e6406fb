#include "tests/integration/ModelTestServer.h"

#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

#include "tests/support/ApiClient.h"

namespace fastio::integration::model {

namespace {

std::string stringOf(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<long long>());
  return {};
}

ServerNode nodeOf(const nlohmann::json& item) {
  ServerNode n;
  n.id = stringOf(item.value("id", nlohmann::json()));
  n.name = stringOf(item.value("name", nlohmann::json()));
  n.parent = stringOf(item.value("parent", nlohmann::json()));
  n.folder = item.value("type", "") == "folder";
  if (item.contains("size") && item["size"].is_number()) n.size = item["size"].get<uint64_t>();
  n.hash = stringOf(item.value("hash", nlohmann::json()));
  n.version = stringOf(item.value("version", nlohmann::json()));
  return n;
}

}  // namespace

ApiView::ApiView(const testing::EmulatorProcess& emulator, const std::string& workspaceName)
    : emulator_(emulator) {
  testing::ApiClient api(emulator_.port(), emulator_.token());
  auto all = api.get("/current/workspaces/all/");
  if (all.status != 200) throw std::runtime_error("workspaces/all: " + all.body);
  for (const auto& w : all.json["workspaces"]) {
    if (w.value("folder_name", "") == workspaceName) workspaceId_ = stringOf(w["id"]);
  }
  if (workspaceId_.empty()) throw std::runtime_error("no workspace named " + workspaceName);
}

std::vector<ServerNode> ApiView::listAll(const std::string& folderPath) const {
  testing::ApiClient api(emulator_.port(), emulator_.token());
  std::vector<ServerNode> items;
  std::string cursor;
  for (int page = 0; page < 10000; ++page) {
    std::string url = "/current/workspace/" + workspaceId_ + "/storage/" + folderPath +
                      "/list/?page_size=500&sort_by=name";
    if (!cursor.empty()) url += "&cursor=" + cursor;
    auto reply = api.get(url);
    if (reply.status != 200 || reply.json.is_discarded()) {
      throw std::runtime_error("GET " + url + " answered " + std::to_string(reply.status) + ": " +
                               reply.body);
    }
    for (const auto& item : reply.json["nodes"]["items"]) items.push_back(nodeOf(item));
    const auto& next = reply.json["pagination"]["next_cursor"];
    if (!next.is_string() || next.get<std::string>().empty()) return items;
    cursor = next.get<std::string>();
  }
  throw std::runtime_error("listing " + folderPath + " never ended");
}

void ApiView::listInto(const std::string& folderId, const std::string& path,
                       ServerTree& out) const {
  std::set<std::string> seen;
  for (ServerNode& n : listAll(folderId)) {
    if (!seen.insert(n.name).second) {
      out.problems.push_back("the server holds '" + n.name + "' twice in '" + path + "'");
      continue;
    }
    const std::string child = joinPath(path, n.name);
    const std::string id = n.id;
    const bool folder = n.folder;
    out.nodes[child] = std::move(n);
    if (folder) listInto(id, child, out);
  }
}

ServerTree ApiView::liveTree() const {
  ServerTree tree;
  ServerNode root;
  root.id = "root";
  root.folder = true;
  tree.nodes[""] = root;
  listInto("root", "", tree);
  return tree;
}

std::vector<ServerNode> ApiView::trash() const {
  return listAll("trash");
}

ServerNode ApiView::details(const std::string& nodeId) const {
  testing::ApiClient api(emulator_.port(), emulator_.token());
  auto reply = api.get("/current/workspace/" + workspaceId_ + "/storage/" + nodeId + "/details/");
  if (reply.status != 200 || reply.json.is_discarded() || !reply.json.contains("node")) {
    throw std::runtime_error("details of " + nodeId + " answered " + std::to_string(reply.status) +
                             ": " + reply.body);
  }
  return nodeOf(reply.json["node"]);
}

std::vector<std::string> diffServerTree(const Tree& expected, const ServerTree& server) {
  std::vector<std::string> lines = server.problems;
  for (const auto& [path, want] : expected) {
    auto it = server.nodes.find(path);
    if (it == server.nodes.end()) {
      lines.push_back("the server lacks " + std::string(want.folder ? "folder" : "file") + " '" +
                      path + "'");
      continue;
    }
    const ServerNode& got = it->second;
    if (want.folder != got.folder) {
      lines.push_back("on the server '" + path + "' is a " + (got.folder ? "folder" : "file"));
      continue;
    }
    if (want.folder) continue;
    if (want.size != got.size) {
      lines.push_back("on the server '" + path + "' has " + std::to_string(got.size) +
                      " bytes, expected " + std::to_string(want.size));
    } else if (want.hasContent && md5Hex(want.content) != got.hash) {
      lines.push_back("on the server '" + path + "' has md5 " + got.hash + ", expected " +
                      md5Hex(want.content));
    }
  }
  for (const auto& [path, got] : server.nodes) {
    if (expected.count(path) == 0) {
      lines.push_back("the server holds an unexpected " +
                      std::string(got.folder ? "folder" : "file") + " '" + path + "' (" + got.id +
                      ", " + std::to_string(got.size) + " bytes)");
    }
  }
  return lines;
}

}  // namespace fastio::integration::model
