#include "publish/markdown.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "manifest/path_encoding.h"
#include "util/format.h"
#include "util/text.h"

namespace treeprint {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;

TEST(Markdown, CodeSpans) {
  EXPECT_EQ(md_code("src/a.cc", false), "`src/a.cc`");
  EXPECT_EQ(md_code("a|b", true), "`a\\|b`");  // GFM: a pipe inside a table cell is escaped, even in code
  EXPECT_EQ(md_code("a|b", false), "`a|b`");
  EXPECT_EQ(md_code("a`b", false), "``a`b``");
  EXPECT_EQ(md_code("``x", false), "``` ``x ```");
  EXPECT_EQ(md_code(" a ", false), "`  a  `");  // one space is stripped from each side when rendered
  EXPECT_EQ(md_code(" a", false), "` a`");
  EXPECT_EQ(md_code("line\nbreak\r", false), "`line\\x0abreak\\x0d`");
  EXPECT_EQ(md_code("bad\xff\xc3", false), "`bad\\xff\\xc3`");
  EXPECT_EQ(md_code("<script>alert(1)</script>", true), "`<script>alert(1)</script>`");  // literal in a span
  EXPECT_EQ(md_code("back\\slash", false), "`back\\\\slash`");
  EXPECT_EQ(md_code("caf\xc3\xa9", false), "`caf\xc3\xa9`");
}

TEST(Markdown, Text) {
  EXPECT_EQ(md_text("plain words 42"), "plain words 42");
  EXPECT_EQ(md_text("a|b <b>x</b> *y* [l](u) & `c` @team"),
            "a\\|b \\<b\\>x\\</b\\> \\*y\\* \\[l\\]\\(u\\) \\& \\`c\\` \\@team");
  EXPECT_EQ(md_text("read failed:\nEIO"), "read failed\\:\\\\x0aEIO");
  EXPECT_EQ(md_text("\xff"), "\\\\xff");
}

TEST(Markdown, ShortenUtf8) {
  EXPECT_EQ(truncate_utf8("short", 10), "short");
  EXPECT_EQ(truncate_utf8("abcdefghij", 6), "abc\xe2\x80\xa6");
  // Never cuts inside a character: "é" is two bytes.
  EXPECT_EQ(truncate_utf8("\xc3\xa9\xc3\xa9\xc3\xa9", 5), "\xc3\xa9\xe2\x80\xa6");
  EXPECT_EQ(truncate_utf8("a\xc3\xa9\xc3\xa9\xc3\xa9", 5), "a\xe2\x80\xa6");
  EXPECT_TRUE(is_valid_utf8(truncate_utf8("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 6)));
}

TEST(Markdown, FitLeavesSmallTextAlone) { EXPECT_EQ(fit_markdown("# a\n\nb\n", 8, "x"), "# a\n\nb\n"); }

TEST(Markdown, FitCutsAtALineAndSaysSo) {
  std::string md;
  for (int i = 0; i < 1000; ++i) md += "line " + std::to_string(i) + "\n";
  const std::string fitted = fit_markdown(md, 2000, "The manifest has every entry.");
  EXPECT_LE(fitted.size(), 2000u);
  EXPECT_GT(fitted.size(), 1500u);
  EXPECT_THAT(fitted, HasSubstr("line 0\n"));
  const size_t note = fitted.find("\n> [!NOTE]\n> This summary was cut here: ");
  ASSERT_NE(note, std::string::npos);
  // Whole lines before the note, then how much is left out.
  const std::string kept = fitted.substr(0, note);
  EXPECT_TRUE(md.starts_with(kept));
  EXPECT_EQ(kept.back(), '\n');
  EXPECT_THAT(fitted, HasSubstr(with_commas(md.size() - kept.size()) + " bytes are left out"));
  EXPECT_THAT(fitted, EndsWith("The manifest has every entry.\n"));
}

TEST(Markdown, FitClosesAnOpenFence) {
  std::string md = "intro\n```\n";
  for (int i = 0; i < 500; ++i) md += "code " + std::to_string(i) + "\n";
  md += "```\n";
  const std::string fitted = fit_markdown(md, 1000, "");
  EXPECT_LE(fitted.size(), 1000u);
  EXPECT_THAT(fitted, HasSubstr("\n```\n\n> [!NOTE]"));
}

TEST(Markdown, FitClosesAnOpenDetailsBlock) {
  std::string md = "intro\n\n";
  for (int b = 0; b < 20; ++b) {
    md += "<details><summary>block " + std::to_string(b) + "</summary>\n\n";
    for (int i = 0; i < 20; ++i) md += "- item " + std::to_string(i) + "\n";
    md += "\n</details>\n\n";
  }
  for (const size_t limit : {700u, 1000u, 1500u, 3000u}) {
    SCOPED_TRACE(limit);
    const std::string fitted = fit_markdown(md, limit, "", "a limit");
    EXPECT_LE(fitted.size(), limit);
    const size_t note = fitted.find("\n> [!NOTE]\n> This summary was cut here: ");
    ASSERT_NE(note, std::string::npos);
    size_t opened = 0, closed = 0;
    for (size_t p = 0; (p = fitted.find("<details>", p)) != std::string::npos; ++p) ++opened;
    for (size_t p = 0; (p = fitted.find("</details>", p)) != std::string::npos; ++p) ++closed;
    EXPECT_EQ(opened, closed);
    EXPECT_GT(opened, 0u);
    EXPECT_LT(fitted.rfind("</details>"), note);  // the note is outside every block
    EXPECT_THAT(fitted, HasSubstr("to stay within a limit."));
  }
}

TEST(Markdown, FitGivesUpWhenEvenTheNoteDoesNotFit) {
  EXPECT_EQ(fit_markdown(std::string(500, 'x'), 40, "the manifest"), "");
}

}  // namespace
}  // namespace treeprint
