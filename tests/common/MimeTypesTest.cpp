#include <gtest/gtest.h>

#include "common/MimeTypes.h"

namespace fastio {
namespace {

TEST(MimeTypes, ComeFromTheExtensionInAnyCase) {
  EXPECT_EQ(mimeForName("report.pdf").type, "application/pdf");
  EXPECT_EQ(mimeForName("report.pdf").category, "document");
  EXPECT_EQ(mimeForName("Photo.JPG").type, "image/jpeg");
  EXPECT_EQ(mimeForName("main.cpp").category, "code");
}

TEST(MimeTypes, UnknownOrMissingExtensionsAreOctetStreams) {
  for (const char* name : {"README", "archive.unknownext", "trailing.", ""}) {
    EXPECT_EQ(mimeForName(name).type, "application/octet-stream") << name;
    EXPECT_EQ(mimeForName(name).category, "other") << name;
  }
}

}  // namespace
}  // namespace fastio
