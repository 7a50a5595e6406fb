#include <gtest/gtest.h>

#include <fstream>

#include "common/ContentDigest.h"
#include "tests/support/TempDir.h"

namespace fastio {
namespace {

TEST(ContentDigest, KnowsTheServiceAlgorithmsByNameInAnyCase) {
  EXPECT_EQ(parseHashAlgorithm("md5"), HashAlgorithm::kMd5);
  EXPECT_EQ(parseHashAlgorithm(" SHA256 "), HashAlgorithm::kSha256);
  EXPECT_EQ(parseHashAlgorithm("Sha384"), HashAlgorithm::kSha384);
  EXPECT_FALSE(parseHashAlgorithm("sha512"));
  EXPECT_FALSE(parseHashAlgorithm(""));
  for (HashAlgorithm algorithm : supportedHashAlgorithms()) {
    EXPECT_EQ(parseHashAlgorithm(hashAlgorithmName(algorithm)), algorithm);
  }
  EXPECT_FALSE(ContentDigest::create("crc32"));
}

TEST(ContentDigest, OneShotAndStreamingAgreeWithKnownDigests) {
  EXPECT_EQ(digestHex(HashAlgorithm::kMd5, "abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(digestHex(HashAlgorithm::kSha1, "abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(digestHex(HashAlgorithm::kSha256, "abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(digestRaw(HashAlgorithm::kSha256, "abc").size(), 32u);
  auto streaming = ContentDigest::create("sha384");
  ASSERT_TRUE(streaming);
  streaming->update("a");
  streaming->update("");
  streaming->update("bc");
  EXPECT_EQ(streaming->hex(), digestHex(HashAlgorithm::kSha384, "abc"));
}

TEST(ContentDigest, HashesAFileAndReportsAMissingOne) {
  testing::TempDir dir("fastio-digest");
  const std::string bytes(3 << 20, 'x');  // more than one read
  std::ofstream(dir.path() / "f") << bytes;
  auto digest = fileDigestHex(dir.path() / "f", HashAlgorithm::kMd5);
  ASSERT_TRUE(digest.ok()) << digest.error().describe();
  EXPECT_EQ(*digest, digestHex(HashAlgorithm::kMd5, bytes));
  auto missing = fileDigestHex(dir.path() / "none", HashAlgorithm::kMd5);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kIo);
}

TEST(ContentDigest, ClaimedDigestsMatchIgnoringCaseAndBlanks) {
  EXPECT_TRUE(
      hexDigestsMatch(" 900150983CD24FB0D6963F7D28E17F72\n", "900150983cd24fb0d6963f7d28e17f72"));
  EXPECT_FALSE(hexDigestsMatch("900150983cd24fb0", "900150983cd24fb0d6963f7d28e17f72"));
}

}  // namespace
}  // namespace fastio
