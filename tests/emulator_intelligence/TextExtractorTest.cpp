#include <gtest/gtest.h>

#include "TestPdf.h"
#include "emulator/intelligence/TextExtractor.h"
#include "tests/support/TempDir.h"

namespace fastio::emu::intelligence {
namespace {

using fastio::testing::TempDir;

TEST(TextExtractor, ClassifiesByExtensionAndMimetype) {
  EXPECT_EQ(TextExtractor::classify("notes.md", ""), ContentKind::kText);
  EXPECT_EQ(TextExtractor::classify("data.CSV", ""), ContentKind::kText);
  EXPECT_EQ(TextExtractor::classify("main.cpp", ""), ContentKind::kText);
  EXPECT_EQ(TextExtractor::classify("blob", "application/json"), ContentKind::kText);
  EXPECT_EQ(TextExtractor::classify("page.html", ""), ContentKind::kHtml);
  EXPECT_EQ(TextExtractor::classify("report", "application/pdf"), ContentKind::kPdf);
  EXPECT_EQ(TextExtractor::classify("photo.jpg", "image/jpeg"), ContentKind::kUnsupported);
  EXPECT_EQ(TextExtractor::classify("archive.tar.gz", ""), ContentKind::kUnsupported);
}

TEST(TextExtractor, FormFeedsAndLongTextMakePages) {
  ExtractorOptions options;
  options.pageChars = 100;
  TextExtractor extractor(options);
  std::string text = "first page\fsecond page\f";
  for (int i = 0; i < 30; ++i) text += "word" + std::to_string(i) + " ";
  const auto out = extractor.extractText(text, ContentKind::kText);
  ASSERT_GE(out.pages.size(), 4u);
  EXPECT_EQ(out.pages[0].number, 1);
  EXPECT_EQ(out.pages[0].text, "first page");
  EXPECT_EQ(out.pages[1].number, 2);
  EXPECT_EQ(out.pages[2].number, 3);
  EXPECT_EQ(out.pages[3].number, 4);
  for (const auto& page : out.pages) EXPECT_LE(page.text.size(), 100u);
  EXPECT_NE(out.pages[2].text.find("word0"), std::string::npos);
}

TEST(TextExtractor, BinaryDisguisedAsTextIsIgnored) {
  TextExtractor extractor;
  const auto out = extractor.extractText(std::string("abc\0\x01\x02", 6), ContentKind::kText);
  EXPECT_TRUE(out.pages.empty());
}

TEST(TextExtractor, TextIsCappedAndMarkedTruncated) {
  ExtractorOptions options;
  options.maxTextBytes = 1000;
  TextExtractor extractor(options);
  const auto out = extractor.extractText(std::string(5000, 'a'), ContentKind::kText);
  EXPECT_TRUE(out.truncated);
  size_t total = 0;
  for (const auto& page : out.pages) total += page.text.size();
  EXPECT_EQ(total, 1000u);
}

TEST(TextExtractor, HtmlLosesTagsScriptsAndEntities) {
  const std::string html =
      "<html><head><title>T</title><style>body{color:red}</style>"
      "<script>var secret = 1 < 2;</script></head>"
      "<body><p>Fish &amp; chips &#233;t&eacute; &#x41;</p><!-- hidden --><div>a < b</div></body>";
  const std::string text = htmlToText(html);
  EXPECT_EQ(text.find("secret"), std::string::npos);
  EXPECT_EQ(text.find("color"), std::string::npos);
  EXPECT_EQ(text.find("hidden"), std::string::npos);
  EXPECT_EQ(text.find('<', 0) != std::string::npos, true);  // the bare '<' of "a < b" stays
  EXPECT_NE(text.find("Fish & chips \xC3\xA9t&eacute; A"), std::string::npos);
}

TEST(TextExtractor, ReadsFilesAndIgnoresUnsupportedOnes) {
  TempDir dir;
  TextExtractor extractor;
  const auto md = extractor.extract(dir.write("a.md", "# Title\nBody text"), "a.md", "");
  ASSERT_TRUE(md.ok()) << md.error().describe();
  ASSERT_EQ(md->pages.size(), 1u);
  EXPECT_EQ(md->kind, ContentKind::kText);
  const auto bin = extractor.extract(dir.write("x.bin", "whatever"), "x.bin", "");
  ASSERT_TRUE(bin.ok());
  EXPECT_TRUE(bin->pages.empty());
  const auto missing = extractor.extract(dir.path() / "nope.txt", "nope.txt", "");
  EXPECT_FALSE(missing.ok());
}

TEST(TextExtractor, PdfPagesKeepTheirNumbers) {
  TempDir dir;
  const auto file = dir.write(
      "report.pdf", testing::makePdf({"Introduction to the annual report", "",
                                      "Quarterly revenue grew by twelve percent\nin the third "
                                      "quarter (Q3)"}));
  TextExtractor extractor;
  const auto out = extractor.extract(file, "report.pdf", "application/pdf");
  ASSERT_TRUE(out.ok()) << out.error().describe();
  EXPECT_EQ(out->kind, ContentKind::kPdf);
  ASSERT_EQ(out->pages.size(), 2u);  // the empty second page yields nothing
  EXPECT_EQ(out->pages[0].number, 1);
  EXPECT_NE(out->pages[0].text.find("annual report"), std::string::npos);
  EXPECT_EQ(out->pages[1].number, 3);
  EXPECT_NE(out->pages[1].text.find("Quarterly revenue"), std::string::npos);
}

TEST(TextExtractor, BrokenPdfIsAnErrorNotACrash) {
  TempDir dir;
  const auto file = dir.write("bad.pdf", "%PDF-1.4\nthis is not really a pdf");
  TextExtractor extractor;
  const auto out = extractor.extract(file, "bad.pdf", "application/pdf");
  EXPECT_FALSE(out.ok());
}

TEST(TextExtractor, MissingPdfToolIsAnError) {
  TempDir dir;
  ExtractorOptions options;
  options.pdftotextPath = "/nonexistent/pdftotext";
  TextExtractor extractor(options);
  const auto out =
      extractor.extract(dir.write("a.pdf", testing::makePdf({"x"})), "a.pdf", "application/pdf");
  EXPECT_FALSE(out.ok());
}

}  // namespace
}  // namespace fastio::emu::intelligence
