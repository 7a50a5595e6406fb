// Downloads: bearer reads, Range, read tokens, ignore_range.

#include "tests/emulator/CoreFixture.h"

namespace fastio::emu::testing {
namespace {

TEST_F(CoreTest, ReadsWholeFileWithBearer) {
  std::string id = upload("root", "r.txt", "0123456789");
  auto r = api().get(storage(id + "/read/"));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "0123456789");
  EXPECT_EQ(r.header("Accept-Ranges"), "bytes");
  EXPECT_EQ(r.header("Content-Type"), "text/plain");
  EXPECT_EQ(anonymous().get(storage(id + "/read/")).status, 401);
}

TEST_F(CoreTest, SingleRangeIs206WithContentRange) {
  std::string id = upload("root", "r.bin", "0123456789");
  auto r = api().get(storage(id + "/read/"), {{"Range", "bytes=2-5"}});
  ASSERT_EQ(r.status, 206);
  EXPECT_EQ(r.body, "2345");
  EXPECT_EQ(r.header("Content-Range"), "bytes 2-5/10");
  auto open = api().get(storage(id + "/read/"), {{"Range", "bytes=7-"}});
  EXPECT_EQ(open.status, 206);
  EXPECT_EQ(open.body, "789");
  auto suffix = api().get(storage(id + "/read/"), {{"Range", "bytes=-3"}});
  EXPECT_EQ(suffix.body, "789");
  auto pastEnd = api().get(storage(id + "/read/"), {{"Range", "bytes=8-100"}});
  EXPECT_EQ(pastEnd.status, 206);
  EXPECT_EQ(pastEnd.header("Content-Range"), "bytes 8-9/10");
  auto beyond = api().get(storage(id + "/read/"), {{"Range", "bytes=10-"}});
  EXPECT_EQ(beyond.status, 416);
  EXPECT_EQ(beyond.header("Content-Range"), "bytes */10");
  auto multi = api().get(storage(id + "/read/"), {{"Range", "bytes=0-1,4-5"}});
  EXPECT_EQ(multi.status, 200) << "several ranges are served whole";
  EXPECT_EQ(multi.body, "0123456789");
}

TEST_F(CoreTest, IgnoreRangeFaultServesTheWholeBody) {
  std::string id = upload("root", "r.bin", "0123456789");
  ASSERT_EQ(setFaults(R"({"ignore_range":true})").status, 200);
  auto r = api().get(storage(id + "/read/"), {{"Range", "bytes=2-5"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "0123456789");
  EXPECT_TRUE(r.header("Content-Range").empty());
}

TEST_F(CoreTest, RequestReadTokenWorksWithoutAuthorization) {
  std::string id = upload("root", "t.txt", "secret bytes");
  auto tok = api().get(storage(id + "/requestread/"));
  ASSERT_EQ(tok.status, 200) << tok.body;
  std::string token = tok.json["token"].get<std::string>();
  auto r = anonymous().get(storage(id + "/read/?token=" + token));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, "secret bytes");
  EXPECT_EQ(anonymous().get(storage(id + "/read/?token=wrong")).status, 401);
  std::string other = upload("root", "other.txt", "other");
  EXPECT_EQ(anonymous().get(storage(other + "/read/?token=" + token)).status, 401)
      << "a token is bound to its node";
  EXPECT_EQ(anonymous().get(storage(id + "/details/?token=" + token)).status, 401)
      << "a read token grants nothing else";
}

TEST_F(CoreTest, ReadErrors) {
  std::string folder = mkdir("root", "f");
  EXPECT_EQ(api().get(storage(folder + "/read/")).status, 406);
  EXPECT_EQ(api().get(storage("f" + std::string(28, '9') + "/read/")).status, 404);
  std::string id = upload("root", "x.txt", "x");
  EXPECT_EQ(api().get(storage(id + "/read/?version_id=v" + std::string(28, '3'))).status, 404);
}

TEST_F(CoreTest, LargeFileStreamsIntact) {
  std::string bytes(3 * 1024 * 1024 + 17, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>((i * 131) % 251);
  std::string id = upload("root", "big.bin", bytes);
  ASSERT_FALSE(id.empty());
  EXPECT_TRUE(read(id) == bytes);
  auto tail = api().get(storage(id + "/read/"), {{"Range", "bytes=3000000-"}});
  ASSERT_EQ(tail.status, 206);
  EXPECT_TRUE(tail.body == bytes.substr(3000000));
}

}  // namespace
}  // namespace fastio::emu::testing
