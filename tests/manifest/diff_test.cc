#include "manifest/diff.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>


#include "manifest/tree_builder.h"
#include "util/sha256.h"

namespace treeprint {
namespace {

using Tree = testing::TreeBuilder;

std::vector<std::string> describe(const TreeDiff& d) {
  std::vector<std::string> out;
  for (const Change& c : d.changes) {
    out.push_back(std::string(change_name(c.kind)) + " " + (c.old_path.empty() ? "" : c.old_path + "->") + c.path);
  }
  return out;
}

TEST(Diff, IdenticalTreesHaveNoChanges) {
  Tree a, b;
  a.file("x", "1").link("l", "x");
  b.file("x", "1").link("l", "x");
  const TreeDiff d = diff_trees(a.manifest(), b.manifest());
  EXPECT_TRUE(d.identical());
}

TEST(Diff, EveryKindOfChange) {
  Tree a, b;
  a.file("same", "s")
      .file("edit", "old")
      .file("mode", "m")
      .file("was-file", "w")
      .link("was-link", "t")
      .link("retarget", "a")
      .file("gone", "g")
      .file("src/moved.c", "moved content");
  b.file("same", "s")
      .file("edit", "new!")
      .file("mode", "m", true)
      .link("was-file", "w")
      .file("was-link", "t")
      .link("retarget", "b")
      .file("fresh", "f")
      .file("lib/moved.c", "moved content");
  const TreeDiff d = diff_trees(a.manifest(), b.manifest());
  EXPECT_THAT(describe(d),
              ::testing::ElementsAre("modified edit", "added fresh", "removed gone", "renamed src/moved.c->lib/moved.c",
                                     "mode-changed mode", "modified retarget", "type-changed was-file",
                                     "type-changed was-link"));
  EXPECT_EQ(d.counts[static_cast<size_t>(ChangeKind::renamed)], 1u);
  EXPECT_EQ(d.counts[static_cast<size_t>(ChangeKind::type_changed)], 2u);
  const Change& edit = d.changes[0];
  EXPECT_EQ(edit.before.size, 3u);
  EXPECT_EQ(edit.after.size, 4u);
}

TEST(Diff, RenamesPreferTheSameBaseNameAndIgnoreEmptyFiles) {
  Tree a, b;
  a.file("a/x.txt", "dup").file("b/y.txt", "dup").file("empty1", "");
  b.file("c/y.txt", "dup").file("empty2", "");
  const TreeDiff d = diff_trees(a.manifest(), b.manifest());
  EXPECT_THAT(describe(d),
              ::testing::ElementsAre("removed a/x.txt", "renamed b/y.txt->c/y.txt", "removed empty1", "added empty2"));
  EXPECT_THAT(
      describe(diff_trees(a.manifest(), b.manifest(), /*detect_renames=*/false)),
      ::testing::ElementsAre("removed a/x.txt", "removed b/y.txt", "added c/y.txt", "removed empty1", "added empty2"));
}

TEST(Diff, UnreadableEntriesAreNeitherAddedNorRemoved) {
  Tree a, b;
  a.file("locked", "secret").file("x", "1");
  b.file("x", "1").error("locked");
  const TreeDiff d = diff_trees(a.manifest(), b.manifest());
  EXPECT_TRUE(d.identical());
  ASSERT_EQ(d.unreadable.size(), 1u);
  EXPECT_EQ(d.unreadable[0].path, "locked");
}

}  // namespace
}  // namespace treeprint
