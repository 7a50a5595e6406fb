// -o options of fastiofs mount (docs/SEMANTICS.md "Mount options").
#include <gtest/gtest.h>

#include "fs/cli/MountOptions.h"

namespace fastio::cli {
namespace {

TEST(MountOptions, ParsesEveryDocumentedOption) {
  MountSettings s;
  ASSERT_TRUE(
      applyMountOptions(
          s,
          "allow_other,ro,uid=1001,gid=1002,umask=027,attr_timeout=2.5,"
          "entry_timeout=3,negative_timeout=0,relist_gap=0.5,search_ttl=30,ask_ttl=600,"
          "read_ahead=8M,read_ahead_run=2M,folder_read_ahead=0,kernel_read_ahead=0,max_threads=4,"
          "debug,no_watch,"
          "api_url=http://127.0.0.1:9/current,token_file=/t,"
          "cache_dir=/c,cache_size=2G,log_file=/l,log_level=debug")
          .ok());
  EXPECT_TRUE(s.allowOther);
  EXPECT_TRUE(s.fs.readOnly);
  EXPECT_EQ(s.fs.uid, 1001u);
  EXPECT_EQ(s.fs.gid, 1002u);
  EXPECT_EQ(s.fs.umask, 027u);
  EXPECT_EQ(s.fs.attrTtl, std::chrono::milliseconds(2500));
  EXPECT_EQ(s.fs.entryTtl, std::chrono::seconds(3));
  EXPECT_EQ(s.fs.negativeTtl, Duration::zero());
  EXPECT_EQ(s.fs.relistGap, std::chrono::milliseconds(500));
  EXPECT_EQ(s.fs.searchTtl, std::chrono::seconds(30));
  EXPECT_EQ(s.fs.askTtl, std::chrono::seconds(600));
  EXPECT_EQ(s.fs.readAheadMaxBytes, 8u << 20);
  EXPECT_EQ(s.fs.readAheadRunBytes, 2u << 20);
  EXPECT_EQ(s.fs.folderReadAheadFiles, 0u);
  EXPECT_EQ(s.kernelReadAheadBytes, 0u);
  EXPECT_EQ(s.maxThreads, 4u);
  EXPECT_TRUE(s.debug);
  EXPECT_FALSE(s.fs.watchChanges);
  EXPECT_EQ(s.apiUrl, "http://127.0.0.1:9/current");
  EXPECT_EQ(s.tokenFile, "/t");
  EXPECT_EQ(s.cacheDir, "/c");
  EXPECT_EQ(s.cacheSizeBytes, 2ull << 30);
  EXPECT_EQ(s.logFile, "/l");
  EXPECT_EQ(s.logLevel, "debug");
}

// SEMANTICS "Mount options": the write-back options.
TEST(MountOptions, ParsesTheWriteBackOptions) {
  MountSettings s;
  ASSERT_TRUE(applyMountOptions(s,
                                "sync_upload,upload_delay=0.5,upload_threads=3,dirty_limit=256M,"
                                "dirty_wait=7,drain_timeout=120")
                  .ok());
  EXPECT_TRUE(s.fs.syncUpload);
  EXPECT_EQ(s.fs.uploadDelay, std::chrono::milliseconds(500));
  EXPECT_EQ(s.fs.uploadThreads, 3u);
  EXPECT_EQ(s.dirtyLimitBytes, 256ull << 20);
  EXPECT_EQ(s.fs.dirtyWait, std::chrono::seconds(7));
  EXPECT_EQ(s.drainTimeout, std::chrono::seconds(120));
  EXPECT_FALSE(applyMountOption(s, "upload_threads=0").ok());
  EXPECT_FALSE(applyMountOption(s, "dirty_limit=1K").ok());
  EXPECT_FALSE(applyMountOption(s, "upload_delay=soon").ok());
}

TEST(MountOptions, GenericMountOptionsAreAcceptedAndIgnored) {
  MountSettings s;
  EXPECT_TRUE(applyMountOptions(s, "rw,nosuid,nodev,_netdev,defaults,,noatime").ok());
  EXPECT_FALSE(s.fs.readOnly);
}

TEST(MountOptions, BadOptionsFailWithAMessageNamingThem) {
  MountSettings s;
  auto unknown = applyMountOptions(s, "uid=1,frobnicate");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("frobnicate"), std::string::npos);
  EXPECT_FALSE(applyMountOption(s, "uid=abc").ok());
  EXPECT_FALSE(applyMountOption(s, "uid=").ok());
  EXPECT_FALSE(applyMountOption(s, "umask=999").ok()) << "not octal";
  EXPECT_FALSE(applyMountOption(s, "umask=1777").ok());
  EXPECT_FALSE(applyMountOption(s, "attr_timeout=-1").ok());
  EXPECT_FALSE(applyMountOption(s, "cache_size=lots").ok());
  EXPECT_FALSE(applyMountOption(s, "max_threads=0").ok());
  EXPECT_FALSE(applyMountOption(s, "api_url").ok()) << "needs a value";
}

TEST(MountOptions, ByteSizesUseBinaryUnits) {
  EXPECT_EQ(*parseByteSize("4096"), 4096u);
  EXPECT_EQ(*parseByteSize("64K"), 65536u);
  EXPECT_EQ(*parseByteSize("10G"), 10ull << 30);
  EXPECT_EQ(*parseByteSize("1.5M"), 1572864u);
  EXPECT_EQ(*parseByteSize("2GiB"), 2ull << 30);
  EXPECT_EQ(*parseByteSize("512B"), 512u);
  EXPECT_FALSE(parseByteSize("").ok());
  EXPECT_FALSE(parseByteSize("G").ok());
  EXPECT_FALSE(parseByteSize("1e30").ok());
}

}  // namespace
}  // namespace fastio::cli
