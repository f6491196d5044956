#include "scan/ignore.h"

#include <gtest/gtest.h>

#include <memory>

namespace treeprint {
namespace {

struct Case {
  const char* gitignore;
  const char* path;
  bool is_dir;
  bool ignored;
};

std::ostream& operator<<(std::ostream& os, const Case& c) {
  return os << "'" << c.path << (c.is_dir ? "/" : "") << "'";
}

class GitignoreTable : public ::testing::TestWithParam<Case> {};

std::string_view name_of(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

TEST_P(GitignoreTable, DecidesLikeGit) {
  const Case& c = GetParam();
  std::vector<std::string> warnings;
  IgnoreChain chain(RuleSet::parse_gitignore(c.gitignore, "", ".gitignore", &warnings), nullptr);
  EXPECT_EQ(IgnoreChain::is_ignored(&chain, c.path, name_of(c.path), c.is_dir), c.ignored)
      << "gitignore:\n"
      << c.gitignore << "\npath: " << c.path << (c.is_dir ? " (dir)" : "");
}

INSTANTIATE_TEST_SUITE_P(
    Rules, GitignoreTable,
    ::testing::Values(
        Case{"*.log\n", "a.log", false, true}, Case{"*.log\n", "deep/down/a.log", false, true},  // no slash: any depth
        Case{"*.log\n!keep.log\n", "keep.log", false, false},  // '!' negates; last match wins
        Case{"!keep.log\n*.log\n", "keep.log", false, true}, Case{"/top\n", "top", false, true},
        Case{"/top\n", "sub/top", false, false},                                         // leading '/' anchors
        Case{"build/\n", "build", true, true}, Case{"build/\n", "build", false, false},  // trailing '/': dirs only
        Case{"build/\n", "x/build", true, true}, Case{"doc/frotz\n", "doc/frotz", false, true},
        Case{"doc/frotz\n", "a/doc/frotz", false, false},  // middle '/'
        Case{"# comment\n", "# comment", false, false}, Case{"\\#hash\n", "#hash", false, true},
        Case{"\\!bang\n", "!bang", false, true}, Case{"trail   \n", "trail", false, true},  // trailing spaces trimmed
        Case{"esc\\ \n", "esc ", false, true}, Case{"crlf\r\n", "crlf", false, true},
        Case{"\xEF\xBB\xBF"
             "bom\n",
             "bom", false, true},
        Case{"a[b\nok\n", "ok", false, true},  // a bad line is dropped
        Case{"**/logs\n", "logs", true, true}, Case{"**/logs\n", "x/y/logs", true, true},
        Case{"logs/**\n", "logs/a/b", false, true}, Case{"logs/**\n", "logs", true, false},
        Case{"a/**/b\n", "a/x/y/b", false, true}, Case{"*\n!*.c\n", "x.c", false, false},
        Case{"noeol", "noeol", false, true}, Case{"", "anything", false, false}));

TEST(Gitignore, NearestFileDecides) {
  std::vector<std::string> w;
  auto root = std::make_shared<IgnoreChain>(RuleSet::parse_gitignore("*.tmp\n", "", ".gitignore", &w), nullptr);
  IgnoreChain sub(RuleSet::parse_gitignore("!keep.tmp\n/local\n", "sub", "sub/.gitignore", &w), root);
  EXPECT_TRUE(IgnoreChain::is_ignored(&sub, "sub/x.tmp", "x.tmp", false));
  EXPECT_FALSE(IgnoreChain::is_ignored(&sub, "sub/keep.tmp", "keep.tmp", false));
  EXPECT_TRUE(IgnoreChain::is_ignored(&sub, "sub/local", "local", false));  // anchored to sub/
  EXPECT_FALSE(IgnoreChain::is_ignored(&sub, "sub/deeper/local", "local", false));
}

TEST(Gitignore, MalformedLineIsReported) {
  std::vector<std::string> warnings;
  RuleSet::parse_gitignore("ok\nbad[\n", "sub", "sub/.gitignore", &warnings);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], "sub/.gitignore:2: unterminated '[' in pattern (the line is ignored, as git ignores it)");
}

TEST(Filters, IncludeMatchesFiles) {
  Filters f;
  ASSERT_TRUE(f.add_include("*.rs"));
  EXPECT_TRUE(f.has_includes());
  EXPECT_EQ(f.match("src/main.rs", "main.rs", false), RuleMatch::keep);
  EXPECT_EQ(f.match("README.md", "README.md", false), RuleMatch::none);  // the walker leaves it out
  EXPECT_EQ(f.match("src", "src", true), RuleMatch::none);
}

TEST(Filters, LastMatchWinsAcrossIncludeAndExclude) {
  Filters f;
  ASSERT_TRUE(f.add_include("*.rs"));
  ASSERT_TRUE(f.add_exclude("gen/"));
  ASSERT_TRUE(f.add_include("gen/keep.rs"));
  EXPECT_EQ(f.match("gen", "gen", true), RuleMatch::ignore);
  EXPECT_EQ(f.match("gen/keep.rs", "keep.rs", false), RuleMatch::keep);
  ASSERT_TRUE(f.add_exclude("!*.md"));  // '!' in an exclude means include
  EXPECT_EQ(f.match("a.md", "a.md", false), RuleMatch::keep);
}

TEST(Filters, MalformedPatternIsAnError) {
  Filters f;
  EXPECT_EQ(f.add_exclude("[oops").error(), "unterminated '[' in pattern");
}

}  // namespace
}  // namespace treeprint
