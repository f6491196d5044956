#include "git/tree.h"

#include <gtest/gtest.h>

#include "git/git_repo.h"
#include "git/repository.h"

namespace treeprint::git {
namespace {

using testing::GitRepo;

Index index_of(const GitRepo& repo) {
  auto r = discover_repository(repo.root());
  if (!r || !*r) throw std::runtime_error("no repository at " + repo.root());
  auto index = Index::read((*r)->index_path(), (*r)->format);
  if (!index) throw std::runtime_error(index.error());
  return std::move(*index);
}

TEST(TreeId, EmptyIndexIsTheEmptyTree) {
  for (const char* format : {"sha1", "sha256"}) {
    GitRepo repo;
    repo.init(format);
    auto id = index_tree_id(index_of(repo));
    ASSERT_TRUE(id.ok()) << id.error();
    EXPECT_EQ(id->hex() + "\n", repo.git("write-tree")) << format;
  }
}

// Names that sort differently as files and as directories: git's order puts a directory where its name + '/' goes.
TEST(TreeId, DirectoriesSortAsIfTheyEndedInASlash) {
  for (const char* format : {"sha1", "sha256"}) {
    GitRepo repo;
    repo.init(format);
    for (const char* path : {"foo", "foo-bar", "foo.c", "foo/inner", "foo0", "foo/inner-x", "foo/inner.d/x",
                             "foo/inner/y", "fo", "g/h/i/j/k", "g/h/i.j", "\xff", "\x01x"}) {
      if (std::string(path) == "foo" || std::string(path) == "foo/inner") continue;  // both files and dirs
      repo.write(path, std::string(path) + "\n");
    }
    repo.write("foo/inner/z", "z\n");
    repo.git("add -A");
    auto id = index_tree_id(index_of(repo), TreeSource::entries);
    ASSERT_TRUE(id.ok()) << id.error();
    EXPECT_EQ(id->hex() + "\n", repo.git("write-tree")) << format;
  }
}

TEST(TreeId, ModesAsGitWritesThem) {
  GitRepo repo;
  repo.init();
  repo.write("exe", "x\n", 0755);
  repo.write("plain", "p\n", 0600);  // recorded as 100644
  repo.sh("ln -s plain link");
  repo.git("add -A");
  const std::string commit = repo.rev_parse("--verify $(git commit-tree $(git write-tree) -m x)");
  repo.git("update-index --add --cacheinfo 160000," + commit + ",sub");
  auto id = index_tree_id(index_of(repo));
  ASSERT_TRUE(id.ok()) << id.error();
  EXPECT_EQ(id->hex() + "\n", repo.git("write-tree"));
  EXPECT_EQ(repo.git("ls-tree " + id->hex()).substr(0, 6), "100755");
}

TEST(TreeId, AFileThatIsAlsoADirectoryIsAnError) {
  // git would never write this index (its update-index replaces one by the other); a damaged or hostile one could.
  using testing::finish;
  using testing::header;
  using testing::v2_entry;
  auto index = Index::parse(finish(header(2, 3) + v2_entry("x") + v2_entry("x-y") + v2_entry("x/y")),
                            ObjectFormat::sha1);
  ASSERT_TRUE(index.ok()) << index.error();
  auto id = index_tree_id(*index);
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error(), "'x' is both a file and a directory in the index");
  // Without the file, the same entries make a tree.
  auto fine = Index::parse(finish(header(2, 2) + v2_entry("x-y") + v2_entry("x/y")), ObjectFormat::sha1);
  ASSERT_TRUE(fine.ok()) << fine.error();
  EXPECT_TRUE(index_tree_id(*fine).ok());
}

}  // namespace
}  // namespace treeprint::git
