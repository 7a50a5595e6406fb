// Storage routes: listing and keyset pagination, details, mutations, trash, versions, locks.

#include <algorithm>
#include <set>

#include "tests/emulator/CoreFixture.h"

namespace fastio::emu::testing {
namespace {

std::vector<std::string> names(const nlohmann::json& listReply) {
  std::vector<std::string> out;
  for (const auto& n : listReply["nodes"]["items"]) out.push_back(n["name"].get<std::string>());
  return out;
}

std::string hyphenate(const std::string& id) {
  std::string out;
  for (std::size_t i = 0; i < id.size(); ++i) {
    if (i > 0 && i % 5 == 0) out.push_back('-');
    out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(id[i]))));
  }
  return out;
}

TEST_F(CoreTest, KeysetPaginationOverMoreThanAThousandEntriesSurvivesInserts) {
  std::string folder = mkdir("root", "big");
  std::set<std::string> expected;
  for (int i = 0; i < 1100; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "entry-%05d", i * 2);  // leave gaps for inserts
    ASSERT_FALSE(mkdir(folder, name).empty());
    expected.insert(name);
  }
  std::vector<std::string> seen;
  std::string cursor;
  int pages = 0;
  while (true) {
    std::string path = storage(folder + "/list/?page_size=500");
    if (!cursor.empty()) path += "&cursor=" + cursor;  // base64url: safe in a query
    auto r = api().get(path);
    ASSERT_EQ(r.status, 200) << r.body;
    auto page = names(r.json);
    seen.insert(seen.end(), page.begin(), page.end());
    ++pages;
    if (pages == 1) {
      // Concurrent inserts: one before the cursor (not seen), one after it (seen once).
      mkdir(folder, "entry-00001");
      mkdir(folder, "entry-01999");
    }
    ASSERT_EQ(r.json["next_cursor"], r.json["pagination"]["next_cursor"]);
    if (r.json["next_cursor"].is_null()) break;
    cursor = r.json["next_cursor"].get<std::string>();
    ASSERT_LT(pages, 10);
  }
  EXPECT_EQ(pages, 3);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  std::set<std::string> unique(seen.begin(), seen.end());
  EXPECT_EQ(unique.size(), seen.size()) << "a row appeared twice";
  for (const auto& name : expected) EXPECT_TRUE(unique.count(name)) << "skipped " << name;
  EXPECT_TRUE(unique.count("entry-01999"));
  EXPECT_FALSE(unique.count("entry-00001"));
}

TEST_F(CoreTest, ListSortOrdersAndValidation) {
  upload("root", "b.txt", "bb");
  mkdir("root", "c-folder");
  upload("root", "a.txt", "a");
  auto byName = api().get(storage("root/list/?sort_by=name&sort_dir=desc"));
  ASSERT_EQ(byName.status, 200);
  EXPECT_EQ(names(byName.json), (std::vector<std::string>{"c-folder", "b.txt", "a.txt"}));
  auto byType = api().get(storage("root/list/?sort_by=type"));
  EXPECT_EQ(names(byType.json), (std::vector<std::string>{"c-folder", "a.txt", "b.txt"}));
  auto byCreated = api().get(storage("root/list/?sort_by=created"));
  EXPECT_EQ(byCreated.json["nodes"]["count"], 3);
  EXPECT_EQ(api().get(storage("root/list/?page_size=50")).status, 406);
  EXPECT_EQ(api().get(storage("root/list/?sort_by=size")).status, 406);
  EXPECT_EQ(api().get(storage("root/list/?sort_dir=up")).status, 406);
  EXPECT_EQ(api().get(storage("root/list/?cursor=not-a-cursor")).status, 406);
  auto terse = api().get(storage("root/list/?output=terse"));
  EXPECT_FALSE(terse.json["nodes"]["items"][0].contains("version"));
  auto full = api().get(storage("root/list/?output=full"));
  auto file = full.json["nodes"]["items"][1];
  EXPECT_EQ(file["hash_algo"], "md5");
  EXPECT_EQ(file["parent"], "root");
  EXPECT_TRUE(file["version"].is_string());
  EXPECT_TRUE(file["modified"].get<std::string>().back() == 'Z');
}

TEST_F(CoreTest, DetailsSingleBulkAndErrors) {
  std::string a = upload("root", "a.txt", "alpha");
  std::string b = mkdir("root", "folder");
  auto single = api().get(storage(hyphenate(a) + "/details/"));
  ASSERT_EQ(single.status, 200) << single.body;
  EXPECT_EQ(single.json["node"]["id"], a);
  EXPECT_EQ(single.json["node"]["size"], 5);
  EXPECT_EQ(single.json["node"]["hash"], "2c1743a391305fbf367df8e4f069f9f9");

  std::string missing = "f" + std::string(28, '0');
  auto bulk = api().get(storage(a + "," + b + "," + missing + "/details/"));
  ASSERT_EQ(bulk.status, 200) << bulk.body;
  EXPECT_EQ(bulk.json["format"], "multi");
  EXPECT_EQ(bulk.json["node_count"], 2);
  EXPECT_EQ(bulk.json["error_count"], 1);
  EXPECT_EQ(bulk.json["requested_count"], 3);
  EXPECT_EQ(bulk.json["errors"][0]["node_id"], missing);

  auto none = api().get(storage(missing + "," + missing + "/details/"));
  EXPECT_EQ(none.status, 404);
  EXPECT_EQ(none.json["result"], "no");
  EXPECT_EQ(none.json["error_count"], 2);

  std::string many;
  for (int i = 0; i < 26; ++i) many += (i ? "," : "") + a;
  auto tooMany = api().get(storage(many + "/details/"));
  EXPECT_EQ(tooMany.status, 400);
  EXPECT_EQ(tooMany.json["error"]["code"], 115519);

  auto unknown = api().get(storage(missing + "/details/"));
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.json["error"]["code"], 133123);
  auto malformed = api().get(storage("not*an*id/details/"));
  EXPECT_EQ(malformed.status, 406);
  EXPECT_EQ(malformed.json["error"]["code"], 191878);
}

TEST_F(CoreTest, CreateFolderIsIdempotentUnlessForced) {
  std::string first = mkdir("root", "docs");
  EXPECT_EQ(mkdir("root", "docs"), first);
  auto forced =
      api().postForm(storage("root/createfolder/"), {{"name", "docs"}, {"force", "true"}});
  ASSERT_EQ(forced.status, 200);
  EXPECT_EQ(forced.json["node"]["name"], "docs (2)");
  EXPECT_NE(forced.json["node"]["id"], first);
  auto nested = mkdir(first, "inner");
  EXPECT_EQ(details(nested)["parent"], first);
  // A file of that name: no silent folder beside it.
  upload("root", "taken", "x");
  EXPECT_EQ(api().postForm(storage("root/createfolder/"), {{"name", "taken"}}).status, 406);
}

TEST_F(CoreTest, IllegalNamesAreRejected) {
  for (std::string bad : {std::string("a/b"), std::string("a\\b"), std::string(".."),
                          std::string("."), std::string("trailing."), std::string("tab\tname"),
                          std::string("zero\xE2\x80\x8Bwidth"), std::string(256, 'n'),
                          std::string("bad\xFF"
                                      "utf8"),
                          std::string("")}) {
    auto r = api().postForm(storage("root/createfolder/"), {{"name", bad}});
    EXPECT_EQ(r.status, 406) << "name: " << bad;
    if (r.status == 406) {
      EXPECT_EQ(r.json["error"]["params"][0]["name"], "name");
    }
  }
  EXPECT_EQ(api().postForm(storage("root/createfolder/"), {}).status, 406);
}

TEST_F(CoreTest, RenameCollisionAndCompareAndSwap) {
  std::string a = upload("root", "a.txt", "one");
  upload("root", "b.txt", "two");
  auto renamed = api().postForm(storage(a + "/update/"), {{"name", "c.txt"}});
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(renamed.json["node"]["name"], "c.txt");
  std::string version = renamed.json["node"]["version"].get<std::string>();

  auto clash = api().postForm(storage(a + "/update/"), {{"name", "b.txt"}});
  EXPECT_EQ(clash.status, 406);
  EXPECT_EQ(clash.json["error"]["code"], 1605);

  auto stale = api().postForm(storage(a + "/update/"),
                              {{"name", "d.txt"}, {"if_version_id", "v" + std::string(28, '1')}});
  ASSERT_EQ(stale.status, 409) << stale.body;
  EXPECT_EQ(stale.json["error"]["params"][0]["reason"], "conflict_version_mismatch");
  EXPECT_EQ(stale.json["error"]["params"][0]["current_version_id"], version);
  EXPECT_EQ(details(a)["name"], "c.txt");

  auto blank = api().postForm(storage(a + "/update/"), {{"name", "d.txt"}, {"if_version_id", ""}});
  EXPECT_EQ(blank.status, 406);
  EXPECT_EQ(blank.json["error"]["code"], 207092);

  auto ok =
      api().postForm(storage(a + "/update/"), {{"name", "d.txt"}, {"if_version_id", version}});
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(details(a)["name"], "d.txt");
  EXPECT_EQ(details(a)["version"], version) << "a rename keeps the version";
  EXPECT_EQ(api().postForm(storage(a + "/update/"), {}).status, 406);
}

TEST_F(CoreTest, MoveTrashesSameNameFileAndRenamesFolderConflicts) {
  std::string dest = mkdir("root", "dest");
  std::string oldFile = upload(dest, "same.txt", "old");
  std::string moving = upload("root", "same.txt", "new");
  auto moved = api().postForm(storage(moving + "/move/"), {{"parent", dest}});
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(moved.json["node"]["parent"], dest);
  EXPECT_EQ(details(oldFile)["deleted"], true);

  std::string folderA = mkdir("root", "shared");
  mkdir(dest, "shared");
  auto folderMove = api().postForm(storage(folderA + "/move/"), {{"parent", dest}});
  ASSERT_EQ(folderMove.status, 200);
  EXPECT_EQ(folderMove.json["node"]["name"], "shared (2)");

  std::string inner = mkdir(folderA, "inner");
  auto intoItself = api().postForm(storage(folderA + "/move/"), {{"parent", inner}});
  EXPECT_EQ(intoItself.status, 406);
  EXPECT_EQ(api().postForm(storage(folderA + "/move/"), {{"parent", folderA}}).status, 406);
  EXPECT_EQ(api().postForm(storage(folderA + "/move/"), {}).status, 406);
  auto toRoot = api().postForm(storage(inner + "/move/"), {{"parent", "root"}});
  EXPECT_EQ(toRoot.json["node"]["parent"], "root");
}

TEST_F(CoreTest, CopyMakesAnIndependentNodeWithTheSameContent) {
  std::string src = upload("root", "doc.txt", "content");
  std::string folder = mkdir("root", "copies");
  auto copied = api().postForm(storage(src + "/copy/"), {{"parent", folder}});
  ASSERT_EQ(copied.status, 200) << copied.body;
  std::string copy = copied.json["node"]["id"].get<std::string>();
  EXPECT_NE(copy, src);
  EXPECT_EQ(read(copy), "content");
  auto again = api().postForm(storage(src + "/copy/"), {{"parent", "root"}});
  EXPECT_EQ(again.json["node"]["name"], "doc (2).txt");
  auto tree = api().postForm(storage(folder + "/copy/"), {{"parent", "root"}});
  ASSERT_EQ(tree.status, 200);
  auto listing = api().get(storage(tree.json["node"]["id"].get<std::string>() + "/list/"));
  EXPECT_EQ(names(listing.json), std::vector<std::string>{"doc.txt"});
}

TEST_F(CoreTest, DeleteRestorePurgeAndEmptyTrash) {
  std::string folder = mkdir("root", "box");
  std::string inside = upload(folder, "in.txt", "x");
  auto del = api().del(storage(folder + "/delete/"));
  ASSERT_EQ(del.status, 200) << del.body;
  EXPECT_EQ(api().get(storage(folder + "/list/")).status, 404);
  auto trash = api().get(storage("trash/list/"));
  ASSERT_EQ(trash.status, 200);
  EXPECT_EQ(names(trash.json), std::vector<std::string>{"box"});
  EXPECT_TRUE(names(api().get(storage("root/list/")).json).empty());

  auto restored = api().postForm(storage(folder + "/restore/"), {});
  ASSERT_EQ(restored.status, 200) << restored.body;
  EXPECT_EQ(read(inside), "x");
  EXPECT_EQ(api().postForm(storage(folder + "/restore/"), {}).status, 406);

  std::string gone = upload("root", "gone.txt", "bye");
  EXPECT_EQ(api().del(storage(gone + "/purge/")).status, 406) << "only trashed nodes purge";
  api().del(storage(gone + "/delete/"));
  EXPECT_EQ(api().del(storage(gone + "/purge/")).status, 200);
  EXPECT_EQ(api().get(storage(gone + "/details/")).status, 404);

  api().del(storage(folder + "/delete/"));
  auto emptied = api().del(storage("trash/delete/"));
  ASSERT_EQ(emptied.status, 200);
  EXPECT_EQ(emptied.json["count"], 1);
  EXPECT_EQ(api().get(storage(inside + "/details/")).status, 404);
  EXPECT_TRUE(names(api().get(storage("trash/list/")).json).empty());
}

TEST_F(CoreTest, RestoreTrashesTheSameNameFileAtTheDestination) {
  std::string first = upload("root", "r.txt", "first");
  api().del(storage(first + "/delete/"));
  std::string second = upload("root", "r.txt", "second");
  ASSERT_NE(first, second);
  ASSERT_EQ(api().postForm(storage(first + "/restore/"), {}).status, 200);
  EXPECT_EQ(details(second)["deleted"], true);
  EXPECT_EQ(read(first), "first");
}

TEST_F(CoreTest, VersionsAreKeptAndRestorable) {
  std::string id = upload("root", "v.txt", "one");
  std::string v1 = details(id)["version"].get<std::string>();
  EXPECT_EQ(upload("root", "v.txt", "two!"), id) << "same name + parent = same node";
  std::string v2 = details(id)["version"].get<std::string>();
  EXPECT_NE(v1, v2);
  EXPECT_EQ(read(id), "two!");
  EXPECT_EQ(read(id, "?version_id=" + v1), "one");
  auto versions = api().get(storage(id + "/versions/"));
  ASSERT_EQ(versions.status, 200);
  ASSERT_EQ(versions.json["versions"].size(), 2u);
  EXPECT_EQ(versions.json["versions"][0]["version_id"], v2);
  EXPECT_EQ(versions.json["versions"][0]["current"], true);
  auto restored = api().postForm(storage(id + "/restore-version/"), {{"version_id", v1}});
  ASSERT_EQ(restored.status, 200) << restored.body;
  EXPECT_EQ(read(id), "one");
  EXPECT_EQ(details(id)["size"], 3);
  EXPECT_EQ(
      api()
          .postForm(storage(id + "/restore-version/"), {{"version_id", "v" + std::string(28, '2')}})
          .status,
      404);
  EXPECT_EQ(api().postForm(storage(id + "/restore-version/"), {}).status, 406);
}

TEST_F(CoreTest, LocksAcquireStatusHeartbeatRelease) {
  std::string id = upload("root", "lock.txt", "x");
  EXPECT_EQ(api().postForm(storage(id + "/lock/"), {{"duration", "30"}}).status, 406);
  EXPECT_EQ(api().postForm(storage(id + "/lock/"), {{"duration", "3601"}}).status, 406);
  auto lock = api().postForm(storage(id + "/lock/"),
                             {{"duration", "120"}, {"client_info", R"({"device_name":"t"})"}});
  ASSERT_EQ(lock.status, 200) << lock.body;
  std::string token = lock.json["lock_token"].get<std::string>();
  EXPECT_FALSE(token.empty());
  EXPECT_EQ(api().postForm(storage(id + "/lock/"), {{"duration", "60"}}).status, 409);
  auto status = api().get(storage(id + "/lock/"));
  EXPECT_EQ(status.json["locked"], true);
  EXPECT_FALSE(status.json["lock"].contains("lock_token"));
  EXPECT_EQ(details(id)["locked"], true);
  EXPECT_EQ(api().postForm(storage(id + "/lock/heartbeat/"), {{"lock_token", token}}).status, 200);
  EXPECT_EQ(api().postForm(storage(id + "/lock/heartbeat/"), {{"lock_token", "nope"}}).status, 409);
  EXPECT_EQ(api().del(storage(id + "/lock/?lock_token=nope")).status, 409);
  EXPECT_EQ(api().del(storage(id + "/lock/")).status, 406);
  EXPECT_EQ(api().del(storage(id + "/lock/?lock_token=" + token)).status, 200);
  EXPECT_EQ(api().get(storage(id + "/lock/")).json["locked"], false);
}

TEST_F(CoreTest, RecentListsNewestFirst) {
  upload("root", "old.txt", "o");
  std::string folder = mkdir("root", "sub");
  upload(folder, "new.txt", "n");
  auto recent = api().get(storage("recent/?type=file"));
  ASSERT_EQ(recent.status, 200) << recent.body;
  EXPECT_EQ(names(recent.json), (std::vector<std::string>{"new.txt", "old.txt"}));
  EXPECT_EQ(api().get(storage("recent/?type=bogus")).status, 406);
}

}  // namespace
}  // namespace fastio::emu::testing
