// Reference-model test: random sequences of operations run against InMemoryRemoteStore and
// against a trivially simple model (a map from path to node); after every step the outcome
// class and the whole visible tree (names, kinds, ids, contents) must agree. A failure prints
// the seed and the operation log, so it can be replayed.

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <sstream>

#include "client/testing/InMemoryRemoteStore.h"
#include "tests/client/StoreTestUtil.h"

namespace fastio::testing {
namespace {

using testutil::outcome;
using testutil::soon;

// ------------------------------------------------------------------ the model

struct ModelNode {
  std::string id;
  bool folder = false;
  std::string content;
};

std::string parentOf(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}
std::string nameOf(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}
std::string join(const std::string& parent, const std::string& name) {
  return parent.empty() ? name : parent + "/" + name;
}
bool within(const std::string& path, const std::string& ancestor) {
  return path == ancestor || path.rfind(ancestor + "/", 0) == 0;
}

// The visible tree, keyed by path; the root is "" and not stored.
class Model {
 public:
  std::map<std::string, ModelNode> nodes;

  bool isFolder(const std::string& path) const {
    if (path.empty()) return true;
    auto it = nodes.find(path);
    return it != nodes.end() && it->second.folder;
  }
  const ModelNode* at(const std::string& path) const {
    auto it = nodes.find(path);
    return it == nodes.end() ? nullptr : &it->second;
  }
  std::string pathOfId(const std::string& id) const {
    for (const auto& [path, node] : nodes) {
      if (node.id == id) return path;
    }
    return {};
  }
  void removeSubtree(const std::string& path) {
    for (auto it = nodes.begin(); it != nodes.end();) {
      it = within(it->first, path) ? nodes.erase(it) : std::next(it);
    }
  }
  void moveSubtree(const std::string& from, const std::string& to) {
    std::map<std::string, ModelNode> moved;
    for (auto it = nodes.begin(); it != nodes.end();) {
      if (within(it->first, from)) {
        moved[to + it->first.substr(from.size())] = std::move(it->second);
        it = nodes.erase(it);
      } else {
        ++it;
      }
    }
    nodes.merge(moved);
  }
  // The service's documented auto-rename on a folder/type clash: "name (2).ext" for a file,
  // "name.ext (2)" for a folder (a folder's name has no extension).
  std::string freeName(const std::string& parent, const std::string& name, bool folder) const {
    if (!at(join(parent, name))) return name;
    const std::size_t dot = name.rfind('.');
    const bool ext = !folder && dot != std::string::npos && dot > 0;
    const std::string stem = ext ? name.substr(0, dot) : name;
    const std::string suffix = ext ? name.substr(dot) : "";
    for (int n = 2;; ++n) {
      std::string candidate = stem + " (" + std::to_string(n) + ")" + suffix;
      if (!at(join(parent, candidate))) return candidate;
    }
  }
};

// ------------------------------------------------------------------ the harness

class ReferenceRun {
 public:
  explicit ReferenceRun(uint32_t seed) : random_(seed) {
    store_.setPageSize(4);
    ws_ = store_.addWorkspace("reference-ws");
  }

  // Runs `steps` random operations; returns an empty string or the first divergence.
  std::string run(int steps) {
    for (int step = 0; step < steps; ++step) {
      std::string problem = randomOperation();
      if (problem.empty()) problem = compareTrees();
      if (!problem.empty())
        return "step " + std::to_string(step) + ": " + problem + "\n" + log_.str();
    }
    return {};
  }

 private:
  std::string pick(const std::vector<std::string>& options) {
    return options[std::uniform_int_distribution<std::size_t>(0, options.size() - 1)(random_)];
  }
  std::string randomName() { return pick({"a", "b", "c", "d.txt", "e.txt", "a (2)"}); }
  std::string randomContent() {
    const std::size_t size = std::uniform_int_distribution<std::size_t>(0, 64)(random_);
    return testutil::patternBytes(size, static_cast<uint32_t>(random_()));
  }
  std::vector<std::string> folders() const {
    std::vector<std::string> out{""};
    for (const auto& [path, node] : model_.nodes) {
      if (node.folder) out.push_back(path);
    }
    return out;
  }
  std::vector<std::string> allPaths() const {
    std::vector<std::string> out;
    for (const auto& [path, node] : model_.nodes) out.push_back(path);
    return out;
  }
  std::string idOf(const std::string& path) const {
    return path.empty() ? "root" : model_.at(path)->id;
  }
  // Usually a live node; sometimes one that was deleted (its id must be unknown now).
  bool pickTarget(std::string& path, std::string& id) {
    const std::vector<std::string> paths = allPaths();
    path.clear();
    if (!deadIds_.empty() && (paths.empty() || random_() % 8 == 0)) {
      id = pick(deadIds_);
      return false;
    }
    if (paths.empty()) {
      id = "never-existed";
      return false;
    }
    path = pick(paths);
    id = idOf(path);
    return true;
  }

  std::string expectOutcome(const std::string& what, const std::string& got,
                            const std::string& want) {
    log_ << what << " -> " << got << "\n";
    if (got != want) return what + ": store says " + got + ", model says " + want;
    return {};
  }

  std::string randomOperation() {
    switch (random_() % 8) {
      case 0:
        return createFolder();
      case 1:
      case 2:
        return upload();
      case 3:
        return rename();
      case 4:
        return move();
      case 5:
        return overwriteById();
      case 6:
        return readRange();
      default:
        return remove();
    }
  }

  std::string createFolder() {
    const std::string parent = pick(folders());
    const std::string name = randomName();
    const std::string path = join(parent, name);
    Result<Node> got = store_.createFolder(ws_, idOf(parent), name, soon());
    const ModelNode* existing = model_.at(path);
    const std::string want = existing && !existing->folder ? "invalid" : "ok";
    std::string problem = expectOutcome("createFolder " + path, outcome(got), want);
    if (!problem.empty() || !got.ok()) return problem;
    if (existing && got->id != existing->id) return "createFolder " + path + " was not idempotent";
    if (!existing) model_.nodes[path] = ModelNode{got->id, true, ""};
    return {};
  }

  std::string upload() {
    const std::string parent = pick(folders());
    const std::string name = randomName();
    const std::string path = join(parent, name);
    const std::string content = randomContent();
    Result<UploadResult> got = testutil::uploadString(store_, ws_, idOf(parent), name, content);
    const ModelNode* existing = model_.at(path);
    const std::string want = existing && existing->folder ? "invalid" : "ok";
    std::string problem = expectOutcome("upload " + path, outcome(got), want);
    if (!problem.empty() || !got.ok()) return problem;
    if (existing && got->node.id != existing->id) return "overwrite of " + path + " changed its id";
    model_.nodes[path] = ModelNode{got->node.id, false, content};
    return {};
  }

  // action=update of a known file id, possibly under a new name (rename-on-replace).
  std::string overwriteById() {
    std::string path, id;
    const bool live = pickTarget(path, id);
    const std::string name = live && random_() % 2 ? nameOf(path) : randomName();
    const std::string content = randomContent();
    Result<UploadResult> got =
        testutil::uploadString(store_, ws_, "root", name, content, nullptr, id);
    if (!live) return expectOutcome("overwrite dead " + id, outcome(got), "not_found");
    const std::string what = "overwrite " + path + " as " + name;
    if (model_.at(path)->folder) return expectOutcome(what, outcome(got), "invalid");
    const std::string target = join(parentOf(path), name);
    const bool clash = target != path && model_.at(target) != nullptr;
    std::string problem = expectOutcome(what, outcome(got), clash ? "invalid" : "ok");
    if (!problem.empty() || !got.ok()) return problem;
    if (got->node.id != id) return what + " changed the node id";
    model_.moveSubtree(path, target);
    model_.nodes[target].content = content;
    return {};
  }

  // A random range of a random file, from a server that honours Range or ignores it.
  std::string readRange() {
    std::string path, id;
    const bool live = pickTarget(path, id);
    const bool ignoreRange = random_() % 4 == 0;
    store_.setIgnoreRange(ignoreRange);
    const uint64_t offset = random_() % 80;
    const uint64_t length = random_() % 40;
    Result<testutil::ReadBack> got = testutil::readRange(store_, ws_, id, offset, length);
    store_.setIgnoreRange(false);
    const std::string what = "read " + path + " [" + std::to_string(offset) + "+" +
                             std::to_string(length) + (ignoreRange ? ", range ignored]" : "]");
    if (!live) return expectOutcome(what, outcome(got), "not_found");
    const ModelNode& node = *model_.at(path);
    if (node.folder) return expectOutcome(what, outcome(got), "invalid");
    std::string problem = expectOutcome(what, outcome(got), "ok");
    if (!problem.empty()) return problem;
    const std::string& content = node.content;
    const bool whole = ignoreRange && !(offset == 0 && length == 0);
    const uint64_t from = whole ? 0 : std::min<uint64_t>(offset, content.size());
    const std::string expected =
        whole ? content : content.substr(from, length == 0 ? std::string::npos : length);
    if (got->bytes != expected) return what + " returned other bytes";
    if (!got->bytes.empty() && got->firstOffset != from) return what + " at a wrong offset";
    if (got->outcome.rangeHonoured == whole) return what + " misreported rangeHonoured";
    return {};
  }

  std::string rename() {
    std::string path, id;
    const bool live = pickTarget(path, id);
    const std::string newName = randomName();
    Result<Node> got = store_.rename(ws_, id, newName, "", soon());
    if (!live) return expectOutcome("rename dead " + id, outcome(got), "not_found");
    const std::string target = join(parentOf(path), newName);
    const bool clash = target != path && model_.at(target) != nullptr;
    std::string problem =
        expectOutcome("rename " + path + " to " + newName, outcome(got), clash ? "invalid" : "ok");
    if (!problem.empty() || !got.ok()) return problem;
    model_.moveSubtree(path, target);
    return {};
  }

  std::string move() {
    std::string path, id;
    const bool live = pickTarget(path, id);
    const std::string parent = pick(folders());
    Result<Node> got = store_.move(ws_, id, idOf(parent), soon());
    if (!live) return expectOutcome("move dead " + id, outcome(got), "not_found");
    const std::string what = "move " + path + " into '" + parent + "'";
    const ModelNode node = *model_.at(path);
    if (node.folder && within(parent, path)) return expectOutcome(what, outcome(got), "invalid");
    std::string problem = expectOutcome(what, outcome(got), "ok");
    if (!problem.empty() || parent == parentOf(path)) return problem;
    std::string name = nameOf(path);
    if (const ModelNode* clash = model_.at(join(parent, name))) {
      if (!clash->folder && !node.folder) {
        deadIds_.push_back(clash->id);
        model_.removeSubtree(join(parent, name));
      } else {
        name = model_.freeName(parent, name, node.folder);
      }
    }
    model_.moveSubtree(path, join(parent, name));
    return {};
  }

  std::string remove() {
    std::string path, id;
    const bool live = pickTarget(path, id);
    Status got = store_.deleteNode(ws_, id, soon());
    if (!live) return expectOutcome("delete dead " + id, outcome(got), "not_found");
    std::string problem = expectOutcome("delete " + path, outcome(got), "ok");
    if (!problem.empty()) return problem;
    for (const auto& [p, node] : model_.nodes) {
      if (within(p, path)) deadIds_.push_back(node.id);
    }
    model_.removeSubtree(path);
    return {};
  }

  // Walks the store's tree through the RemoteStore API and compares it with the model.
  std::string compareTrees() {
    std::map<std::string, ModelNode> seen;
    std::vector<std::pair<std::string, std::string>> pending{{"", "root"}};
    while (!pending.empty()) {
      auto [path, id] = pending.back();
      pending.pop_back();
      Result<testutil::Listing> listing = testutil::listAll(store_, ws_, id);
      if (!listing.ok()) return "listing '" + path + "' failed: " + testutil::describe(listing);
      for (const Node& node : listing->nodes) {
        const std::string childPath = join(path, node.name);
        if (node.parentId != (path.empty() ? "root" : id)) return childPath + " has a wrong parent";
        ModelNode entry{node.id, node.isFolder(), ""};
        if (node.isFolder()) {
          pending.emplace_back(childPath, node.id);
        } else {
          Result<std::string> content = testutil::readAll(store_, ws_, node.id);
          if (!content.ok()) return "reading " + childPath + ": " + testutil::describe(content);
          if (node.size != content->size()) return childPath + " size differs from its content";
          entry.content = *content;
        }
        seen[childPath] = entry;
      }
    }
    for (const auto& [path, node] : model_.nodes) {
      auto it = seen.find(path);
      if (it == seen.end()) return "the store lacks " + path;
      if (it->second.id != node.id) return path + " has another id in the store";
      if (it->second.folder != node.folder) return path + " has another kind in the store";
      if (it->second.content != node.content) return path + " has other content in the store";
    }
    for (const auto& [path, node] : seen) {
      if (!model_.at(path)) return "the store has an extra " + path;
    }
    return {};
  }

  std::mt19937 random_;
  InMemoryRemoteStore store_;
  std::string ws_;
  Model model_;
  std::vector<std::string> deadIds_;
  std::ostringstream log_;
};

class ReferenceModelTest : public ::testing::TestWithParam<uint32_t> {};

TEST_P(ReferenceModelTest, RandomOperationsAgreeWithTheModel) {
  ReferenceRun run(GetParam());
  const std::string divergence = run.run(400);
  EXPECT_TRUE(divergence.empty()) << "seed " << GetParam() << ", " << divergence;
}

INSTANTIATE_TEST_SUITE_P(Seeds, ReferenceModelTest, ::testing::Range<uint32_t>(1, 21));

}  // namespace
}  // namespace fastio::testing
