#include "scan/glob.h"

#include <gtest/gtest.h>

namespace treeprint {
namespace {

struct Case {
  const char* pattern;
  const char* path;
  bool match;
};

std::ostream& operator<<(std::ostream& os, const Case& c) { return os << "'" << c.pattern << "' ~ '" << c.path << "'"; }

class GlobTable : public ::testing::TestWithParam<Case> {};

TEST_P(GlobTable, Matches) {
  const Case& c = GetParam();
  auto g = Glob::compile(c.pattern);
  ASSERT_TRUE(g.ok()) << c.pattern << ": " << g.error();
  EXPECT_EQ(g->matches(c.path), c.match) << "pattern '" << c.pattern << "' path '" << c.path << "'";
}

INSTANTIATE_TEST_SUITE_P(
    Wildmatch, GlobTable,
    ::testing::Values(Case{"abc", "abc", true}, Case{"abc", "abd", false}, Case{"abc", "abcd", false},
                      Case{"*.o", "a.o", true}, Case{"*.o", ".o", true},
                      Case{"*.o", "dir/a.o", false},  // '*' never crosses '/'
                      Case{"a*", "a", true}, Case{"a*c", "abbbc", true}, Case{"a*c", "ab/c", false},
                      Case{"?", "a", true}, Case{"?", "/", false}, Case{"a?c", "abc", true}, Case{"a?c", "ac", false},
                      Case{"[abc]", "b", true}, Case{"[abc]", "d", false}, Case{"[a-c]x", "bx", true},
                      Case{"[!a-c]", "d", true}, Case{"[!a-c]", "a", false}, Case{"[^a]", "b", true},
                      Case{"[]]", "]", true}, Case{"[!]]", "a", true}, Case{"[a-]", "-", true},
                      Case{"[[:digit:]]x", "7x", true}, Case{"[[:digit:]]x", "ax", false},
                      Case{"[[:upper:][:digit:]]", "Q", true}, Case{"a[/]b", "a/b", false},  // a set never matches '/'
                      Case{"\\*", "*", true}, Case{"\\*", "a", false}, Case{"\\[a]", "[a]", true},
                      Case{"a\\?", "a?", true}, Case{"**/foo", "foo", true}, Case{"**/foo", "a/b/foo", true},
                      Case{"**/foo", "a/foox", false}, Case{"a/**/b", "a/b", true}, Case{"a/**/b", "a/x/b", true},
                      Case{"a/**/b", "a/x/y/b", true}, Case{"a/**/b", "ab", false}, Case{"a/**/c", "a/x/doc", false},
                      Case{"a/**/c", "a/xc", false}, Case{"**/c", "doc", false}, Case{"**/c", "x/doc", false},
                      Case{"a/**/b/**/c", "a/b/x/c", true}, Case{"a/**", "a/x", true}, Case{"a/**", "a/x/y", true},
                      Case{"a/**", "a", false}, Case{"**", "any/thing/at/all", true}, Case{"a**b", "axxb", true},
                      Case{"a**b", "a/b", false},  // not a "**" segment
                      Case{"**a", "xa", true}, Case{"**a", "x/a", false}, Case{"*/b", "a/b", true},
                      Case{"*/b", "a/c/b", false}, Case{"a/*", "a/b", true}, Case{"a/*", "a/b/c", false},
                      Case{"\xc3\xa9*", "\xc3\xa9t\xc3\xa9", true},  // byte-wise, so UTF-8 passes through
                      Case{"*a*a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                           false}));  // no blow-up

TEST(Glob, MalformedPatternsAreErrors) {
  EXPECT_EQ(Glob::compile("a[bc").error(), "unterminated '[' in pattern");
  EXPECT_EQ(Glob::compile("abc\\").error(), "pattern ends with an unescaped '\\'");
  EXPECT_EQ(Glob::compile("[[:nope:]]").error(), "unknown character class '[:nope:]'");
}

}  // namespace
}  // namespace treeprint
