#include "git/repository.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cctype>
#include <climits>
#include <stdexcept>

#include "git/file.h"
#include "git/git_repo.h"

namespace treeprint::git {
namespace {

using testing::GitRepo;

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

std::string real(const std::string& path) {
  char buffer[PATH_MAX];
  return ::realpath(path.c_str(), buffer) != nullptr ? buffer : path;
}

// Discovery from `dir` gives what git says about it.
Repository expect_as_git(const std::string& dir) {
  auto found = discover_repository(dir);
  if (!found) throw std::runtime_error("discovery from " + dir + ": " + found.error());
  if (!*found) throw std::runtime_error("no repository found from " + dir);
  const Repository& repo = **found;
  auto ask = [&](const std::string& args) {
    auto c = testing::run_in(dir, "git rev-parse " + args);
    EXPECT_EQ(c.status, 0) << args;
    return trimmed(c.out);
  };
  EXPECT_EQ(repo.work_tree, real(ask("--show-toplevel")));
  EXPECT_EQ(repo.git_dir, real(ask("--absolute-git-dir")));
  EXPECT_EQ(repo.common_dir, real(ask("--path-format=absolute --git-common-dir")));
  std::string prefix = ask("--show-prefix");
  if (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  EXPECT_EQ(repo.prefix, prefix);
  EXPECT_EQ(format_name(repo.format), ask("--show-object-format"));
  EXPECT_EQ(repo.index_path(), real(ask("--path-format=absolute --git-path index")));
  EXPECT_EQ(repo.info_exclude_path(), ask("--path-format=absolute --git-path info/exclude"));
  auto head = testing::run_in(dir, "git rev-parse -q --verify HEAD");
  if (head.status == 0) {
    EXPECT_TRUE(repo.head_commit.has_value());
    if (repo.head_commit) {
      EXPECT_EQ(repo.head_commit->hex(), trimmed(head.out));
    }
  } else {
    EXPECT_FALSE(repo.head_commit.has_value());
  }
  auto symbolic = testing::run_in(dir, "git symbolic-ref -q --no-recurse HEAD");
  EXPECT_EQ(repo.head_ref, symbolic.status == 0 ? trimmed(symbolic.out) : "");
  return repo;
}

void committed(GitRepo& repo) {
  repo.write("src/lib/a.c", "a\n");
  repo.write("top.txt", "t\n");
  repo.git("add -A && git commit -q -m one");
}

TEST(Discover, RootAndSubdirectory) {
  GitRepo repo;
  repo.init();
  committed(repo);
  EXPECT_EQ(expect_as_git(repo.root()).prefix, "");
  const Repository sub = expect_as_git(repo.root() + "/src/lib");
  EXPECT_EQ(sub.prefix, "src/lib");
  EXPECT_FALSE(sub.linked);
  EXPECT_EQ(sub.format_version, 0);
  EXPECT_EQ(sub.head_ref, "refs/heads/main");
}

TEST(Discover, Sha256) {
  GitRepo repo;
  repo.init("sha256");
  committed(repo);
  const Repository r = expect_as_git(repo.root() + "/src");
  EXPECT_EQ(r.format, ObjectFormat::sha256);
  EXPECT_EQ(r.format_version, 1);
  EXPECT_EQ(r.head_commit->hex().size(), 64u);
}

TEST(Discover, UnbornBranchHasNoCommit) {
  GitRepo repo;
  repo.init();
  const Repository r = expect_as_git(repo.root());
  EXPECT_EQ(r.head_ref, "refs/heads/main");
  EXPECT_FALSE(r.head_commit.has_value());
}

TEST(Discover, DetachedHeadAndPackedRefs) {
  GitRepo repo;
  repo.init();
  committed(repo);
  repo.git("pack-refs --all --prune");
  ASSERT_FALSE(is_regular_file(repo.root() + "/.git/refs/heads/main"));
  EXPECT_TRUE(expect_as_git(repo.root()).head_commit.has_value());  // found in packed-refs
  repo.write("more.txt", "m\n");
  repo.git("add -A && git commit -q -m two && git checkout -q --detach HEAD~1");
  const Repository detached = expect_as_git(repo.root());
  EXPECT_EQ(detached.head_ref, "");
}

TEST(Discover, SymbolicRefChain) {
  GitRepo repo;
  repo.init();
  committed(repo);
  repo.git("symbolic-ref refs/heads/alias refs/heads/main && git symbolic-ref HEAD refs/heads/alias");
  const Repository r = expect_as_git(repo.root());
  EXPECT_EQ(r.head_ref, "refs/heads/alias");
}

TEST(Discover, LinkedWorktree) {
  GitRepo repo;
  repo.init();
  committed(repo);
  repo.git("worktree add -q -b other ../linked");
  const Repository r = expect_as_git(repo.dir() / "linked/src");
  EXPECT_TRUE(r.linked);
  EXPECT_NE(r.git_dir, r.common_dir);
  EXPECT_EQ(r.head_ref, "refs/heads/other");
  EXPECT_EQ(r.prefix, "src");
}

TEST(Discover, SubmoduleThroughItsGitFile) {
  GitRepo sub;
  sub.init("sha1", "sub");
  sub.write("deep/inside.txt", "s\n");
  sub.git("add -A && git commit -q -m sub");
  GitRepo super;
  super.init();
  committed(super);
  super.git("-c protocol.file.allow=always submodule --quiet add " + testing::shell_quote(sub.root()) + " mod");
  ASSERT_TRUE(is_regular_file(super.root() + "/mod/.git"));
  const Repository r = expect_as_git(super.root() + "/mod/deep");
  EXPECT_TRUE(r.linked);
  EXPECT_EQ(r.work_tree, real(super.root() + "/mod"));
  EXPECT_EQ(r.prefix, "deep");
  // Its git directory is in the superproject's .git/modules and sets core.worktree.
  EXPECT_EQ(r.git_dir, real(super.root() + "/.git/modules/mod"));
  EXPECT_NE(super.git("config --file .git/modules/mod/config core.worktree"), "");
}

TEST(Discover, RelativeAndAbsoluteGitFile) {
  GitRepo repo;
  repo.init();
  committed(repo);
  repo.sh("mv .git ../store && echo 'gitdir: ../store' > .git");
  EXPECT_EQ(expect_as_git(repo.root() + "/src").git_dir, real(repo.dir() / "store"));
  repo.sh("printf 'gitdir: %s\\r\\n' \"$(cd ../store && pwd)\" > .git");
  EXPECT_EQ(expect_as_git(repo.root()).git_dir, real(repo.dir() / "store"));
}

TEST(Discover, NoRepository) {
  treeprint::testing::TempDir dir;
  dir.mkdir("a/b");
  auto found = discover_repository(dir / "a/b");
  ASSERT_TRUE(found.ok()) << found.error();
  // Only a repository above the scratch directory could be found, and $TMPDIR is not in one here.
  if (*found) {
    EXPECT_NE((*found)->work_tree.rfind(real(dir.path()), 0), 0u) << (*found)->work_tree;
  }
}

struct Broken {
  const char* name;
  const char* setup;    // shell, in the work tree of a committed repository
  const char* message;  // part of the error
};

class DiscoverBroken : public ::testing::TestWithParam<Broken> {};

TEST_P(DiscoverBroken, IsAnErrorNamingWhatIsWrong) {
  const Broken& b = GetParam();
  GitRepo repo;
  repo.init();
  committed(repo);
  repo.sh(b.setup);
  auto found = discover_repository(repo.root() + "/src");
  ASSERT_FALSE(found.ok()) << b.name;
  EXPECT_NE(found.error().find(b.message), std::string::npos) << b.name << ": " << found.error();
  // git refuses these too (where it has an opinion), so a caller's fallback to a plain scan is what git would do.
}

INSTANTIATE_TEST_SUITE_P(
    Cases, DiscoverBroken,
    ::testing::Values(
        Broken{"garbage HEAD", "echo garbage > .git/HEAD", "holds neither 'ref: refs/...' nor a sha1 object id"},
        Broken{"HEAD outside refs", "echo 'ref: HEAD2' > .git/HEAD", "not a ref under refs/"},
        Broken{"HEAD escaping", "echo 'ref: refs/../../x' > .git/HEAD", "not a ref under refs/"},
        Broken{"broken branch", "echo nonsense > .git/refs/heads/main", "ref 'refs/heads/main'"},
        Broken{"symref loop", "echo 'ref: refs/heads/b' > .git/refs/heads/main && "
                              "echo 'ref: refs/heads/main' > .git/refs/heads/b", "more than 5 symbolic refs"},
        Broken{"no HEAD", "rm .git/HEAD", "it has no HEAD file"},
        Broken{"just files", "rm -rf .git && mkdir .git && echo x > .git/config && echo y > .git/description",
               "is not a git directory"},
        Broken{"format version 2", "git config core.repositoryformatversion 2", "unknown repository format version 2"},
        Broken{"unknown extension", "git config core.repositoryformatversion 1 && git config extensions.frobnicate 1",
               "unknown repository extension 'frobnicate'"},
        Broken{"object format", "git config core.repositoryformatversion 1 && git config extensions.objectformat md5",
               "extensions.objectformat is 'md5'"},
        Broken{"object format in version 0", "git config extensions.objectformat sha1",
               "repository format version 0, but extensions.objectformat"},
        Broken{"bad config", "printf '[core\\n' >> .git/config", "bad config line"},
        Broken{"gitfile syntax", "mv .git ../store && echo 'gitdir:../store' > .git", "does not start with 'gitdir: '"},
        Broken{"gitfile target", "mv .git ../store && echo 'gitdir: ../nowhere' > .git", "names"},
        Broken{"bare", "git config core.bare true", "bare repository"},
        Broken{"worktree elsewhere", "mkdir ../elsewhere && git config core.worktree ../../elsewhere",
               "is outside the work tree"}),
    [](const ::testing::TestParamInfo<Broken>& param_info) {
      std::string name = param_info.param.name;
      for (char& c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      return name;
    });

TEST(Discover, InsideTheGitDirectoryIsAnError) {
  GitRepo repo;
  repo.init();
  committed(repo);
  auto found = discover_repository(repo.root() + "/.git/refs");
  ASSERT_FALSE(found.ok());
  EXPECT_NE(found.error().find("inside the git directory"), std::string::npos) << found.error();
}

TEST(Discover, FormatVersionZeroIgnoresExtensions) {
  GitRepo repo;
  repo.init();
  committed(repo);
  repo.git("config extensions.frobnicate 1");
  const Repository r = expect_as_git(repo.root());  // git accepts it too
  EXPECT_EQ(r.format, ObjectFormat::sha1);
}

TEST(RefName, Rules) {
  for (const char* good : {"refs/heads/main", "refs/heads/feature/x-1", "refs/tags/v1.0", "refs/heads/@x"}) {
    EXPECT_TRUE(is_valid_ref_name(good)) << good;
  }
  for (const char* bad : {"", "@", "refs/heads/", "refs//x", "refs/../x", "refs/.hidden", "refs/x.lock", "refs/a b",
                          "refs/a~1", "refs/a^", "refs/a:b", "refs/a?", "refs/a*", "refs/a[", "refs/a\\b",
                          "refs/a@{1}", "refs/x.", "refs/a\x01"}) {
    EXPECT_FALSE(is_valid_ref_name(bad)) << bad;
  }
}

}  // namespace
}  // namespace treeprint::git
