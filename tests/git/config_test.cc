#include "git/config.h"

#include <gtest/gtest.h>

#include "git/git_repo.h"

namespace treeprint::git {
namespace {

struct Lookup {
  const char* text;
  const char* key;
  std::optional<std::string> value;  // nullopt: not set
};

TEST(Config, Table) {
  const std::vector<Lookup> cases = {
      {"[core]\n\tbare = false\n", "core.bare", "false"},
      {"[Core]\n\tBare = false\n", "CORE.BARE", "false"},  // section and name are case-insensitive
      {"[core]\nbare=true\nbare = false\n", "core.bare", "false"},  // the last one wins
      {"[core] bare = yes", "core.bare", "yes"},                    // a variable on the header's line, no newline
      {"[core]\n  worktree =  ../../sub  # comment\n", "core.worktree", "../../sub"},
      {"[core]\n  worktree = a ; comment\n", "core.worktree", "a"},
      {"[core]\n  worktree = \"a # b\" \n", "core.worktree", "a # b"},
      {"[core]\n  worktree = a\t  b\n", "core.worktree", "a   b"},  // each inner whitespace byte one space
      {"[core]\n  worktree = \"  a\"\n", "core.worktree", "  a"},
      {"[core]\n  worktree = a\\\\b\\\"c\\td\\ne\\bf\n", "core.worktree", "a\\b\"c\td\ne\bf"},
      {"[core]\n  worktree = one\\\n two\n", "core.worktree", "one two"},
      {"[core]\r\n  worktree = crlf\r\n", "core.worktree", "crlf"},
      {"\xef\xbb\xbf[core]\nbare = 1\n", "core.bare", "1"},
      {"# comment\n; comment\n[extensions]\n\tobjectFormat = sha256\n", "extensions.objectformat", "sha256"},
      {"[remote \"Origin\"]\n\turl = x\n", "remote.Origin.url", "x"},
      {"[remote \"Origin\"]\n\turl = x\n", "remote.origin.url", std::nullopt},  // subsections are case-sensitive
      {"[remote \"a\\\"b\\\\c\\d\"]\n\turl = x\n", "remote.a\"b\\cd.url", "x"},
      {"[Remote.Origin]\n\turl = x\n", "remote.origin.url", "x"},  // the legacy form is lower-cased whole
      {"[core]\n[other]\nbare = true\n", "core.bare", std::nullopt},
      {"[core]\n\tbare\n", "core.bare", std::nullopt},  // set with no value: see BareNameIsTrue
  };
  for (const auto& c : cases) {
    auto config = Config::parse(c.text, "test");
    ASSERT_TRUE(config.ok()) << c.text << ": " << config.error();
    const auto got = config->get(c.key);
    if (!c.value) {
      EXPECT_TRUE(!got || !got->has_value()) << c.text << " " << c.key;
      continue;
    }
    ASSERT_TRUE(got && got->has_value()) << c.text << " " << c.key;
    EXPECT_EQ(**got, *c.value) << c.text;
  }
}

TEST(Config, BooleansAndIntegers) {
  auto config = Config::parse(
      "[b]\n a = true\n b = YES\n c = on\n d = 1\n e = 12\n f = false\n g = No\n h = off\n i = 0\n j =\n k\n"
      " l = maybe\n[n]\n a = 1\n b = -2\n c = 3k\n d = 1x\n e = \n",
      "test");
  ASSERT_TRUE(config.ok()) << config.error();
  for (const char* key : {"b.a", "b.b", "b.c", "b.d", "b.e", "b.k"}) EXPECT_EQ(*config->get_bool(key), true) << key;
  for (const char* key : {"b.f", "b.g", "b.h", "b.i", "b.j"}) EXPECT_EQ(*config->get_bool(key), false) << key;
  EXPECT_EQ(*config->get_bool("b.unset"), std::nullopt);
  auto maybe = config->get_bool("b.l");
  ASSERT_FALSE(maybe.ok());
  EXPECT_EQ(maybe.error(), "bad boolean config value 'maybe' for 'b.l' in file 'test'");
  EXPECT_EQ(*config->get_int("n.a"), 1);
  EXPECT_EQ(*config->get_int("n.b"), -2);
  EXPECT_EQ(*config->get_int("n.c"), 3072);
  EXPECT_FALSE(config->get_int("n.d").ok());
  EXPECT_FALSE(config->get_int("n.e").ok());
}

TEST(Config, BareNameIsTrue) {
  auto config = Config::parse("[core]\n\tbare\n", "test");
  ASSERT_TRUE(config.ok());
  ASSERT_TRUE(config->get("core.bare").has_value());
  EXPECT_FALSE(config->get("core.bare")->has_value());
  EXPECT_EQ(*config->get_bool("core.bare"), true);
}

TEST(Config, MalformedLinesNameTheFileAndLine) {
  const std::vector<std::pair<const char*, unsigned>> cases = {
      {"[core\nbare = true\n", 1},
      {"[core]\n\tbare = \"unterminated\n", 2},
      {"[core]\n\tbare = a\\qb\n", 2},
      {"bare = true\n", 1},  // before any section
      {"[core]\n\t1bare = x\n", 2},
      {"[core]\n\tbare x\n", 2},
      {"[co re]\n", 1},
      {"[core \"sub]\n", 1},
      {"[]\n", 1},
      {"[core]\n\n\n\t= x\n", 4},
  };
  for (const auto& [text, line] : cases) {
    auto config = Config::parse(text, "/r/.git/config");
    ASSERT_FALSE(config.ok()) << text;
    EXPECT_EQ(config.error(), "bad config line " + std::to_string(line) + " in file '/r/.git/config'") << text;
  }
}

// What git itself reads from the same text.
TEST(Config, AgreesWithGitConfig) {
  treeprint::testing::TempDir dir;
  const std::string text =
      "[core]\n\trepositoryformatversion = 1\n\tworktree = \"../a b\" ; c\n[Extensions]\n\tObjectFormat = sha256\n"
      "[remote \"Up Stream\"]\n\turl = x\\\\y\n[x.Y]\n\tz = one\\\n two\n";
  dir.write("config", text);
  auto config = Config::read(dir / "config");
  ASSERT_TRUE(config.ok()) << config.error();
  for (const char* key : {"core.repositoryformatversion", "core.worktree", "extensions.objectformat",
                          "remote.Up Stream.url", "x.y.z"}) {
    auto git = testing::run_in(dir.path(), std::string("git config --file config --get '") + key + "'");
    ASSERT_EQ(git.status, 0) << key;
    git.out.pop_back();
    ASSERT_TRUE(config->get(key).has_value()) << key;
    EXPECT_EQ(config->get(key)->value_or("<none>"), git.out) << key;
  }
  EXPECT_EQ(config->variables().size(), 5u);
}

TEST(Config, MissingFileIsEmpty) {
  auto config = Config::read("/nonexistent/config");
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_TRUE(config->variables().empty());
}

}  // namespace
}  // namespace treeprint::git
