#include "manifest/changes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>


#include "manifest/tree_builder.h"
#include "util/sha256.h"

namespace treeprint {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

using Tree = testing::TreeBuilder;

TEST(ChangeLists, EveryKindLandsInItsList) {
  Tree a, b;
  a.file("same", "s").file("edit", "old").file("mode", "m").file("type", "t").file("gone", "g").file("src/m.c", "moved");
  b.file("same", "s").file("edit", "new").file("mode", "m", true).link("type", "t").file("fresh", "f");
  b.file("lib/m.c", "moved");
  const ChangeLists l = change_lists(diff_trees(a.manifest(), b.manifest()));
  EXPECT_TRUE(l.has_baseline);
  EXPECT_THAT(l.added, ElementsAre("fresh"));
  EXPECT_THAT(l.modified, ElementsAre("edit", "mode", "type"));  // content, mode, type
  EXPECT_THAT(l.removed, ElementsAre("gone"));
  ASSERT_EQ(l.renamed.size(), 1u);
  EXPECT_EQ(l.renamed[0].from, "src/m.c");
  EXPECT_EQ(l.renamed[0].to, "lib/m.c");
  EXPECT_THAT(l.all_changed, ElementsAre("edit", "fresh", "lib/m.c", "mode", "type"));
  EXPECT_TRUE(l.any_changed());
}

TEST(ChangeLists, IdenticalTreesChangeNothing) {
  Tree a, b;
  a.file("x", "1");
  b.file("x", "1");
  const ChangeLists l = change_lists(diff_trees(a.manifest(), b.manifest()));
  EXPECT_FALSE(l.any_changed());
  EXPECT_TRUE(l.all_changed.empty());
}

TEST(ChangeLists, OnlyARemovalOrAnUnreadablePathStillCountsAsChanged) {
  Tree a, b;
  a.file("x", "1").file("y", "2");
  b.file("x", "1");
  EXPECT_TRUE(change_lists(diff_trees(a.manifest(), b.manifest())).any_changed());
  Tree c, d;
  c.file("x", "1");
  d.error("x");
  const ChangeLists l = change_lists(diff_trees(c.manifest(), d.manifest()));
  EXPECT_THAT(l.unreadable, ElementsAre("x"));
  EXPECT_TRUE(l.all_changed.empty());
  EXPECT_TRUE(l.any_changed());
}

TEST(ChangeLists, WithoutABaselineEverythingIsAdded) {
  Tree t;
  t.file("b", "1").link("a", "b").error("c");
  const ChangeLists l = change_lists_without_baseline(t.manifest());
  EXPECT_FALSE(l.has_baseline);
  EXPECT_THAT(l.added, ElementsAre("a", "b"));
  EXPECT_EQ(l.all_changed, l.added);
  EXPECT_THAT(l.unreadable, ElementsAre("c"));
  Tree empty;
  EXPECT_TRUE(change_lists_without_baseline(empty.manifest()).any_changed());  // the safe direction
}

TEST(OutputNames, ValidNames) {
  EXPECT_TRUE(is_valid_output_name("backend"));
  EXPECT_TRUE(is_valid_output_name("_x-1"));
  EXPECT_FALSE(is_valid_output_name(""));
  EXPECT_FALSE(is_valid_output_name("1x"));
  EXPECT_FALSE(is_valid_output_name("-x"));
  EXPECT_FALSE(is_valid_output_name("a b"));
  EXPECT_FALSE(is_valid_output_name("a.b"));
}

TEST(OutputNames, FilterNamesAreChecked) {
  EXPECT_EQ(check_filter_names({"backend", "frontend", "docs_only"}), "");
  EXPECT_THAT(check_filter_names({"a b"}), HasSubstr("'a b' is not a valid output name"));
  EXPECT_THAT(check_filter_names({"any-changed"}), HasSubstr("reserved"));
  EXPECT_THAT(check_filter_names({"added"}), HasSubstr("reserved"));       // the action's `added` count
  EXPECT_THAT(check_filter_names({"all-changed"}), HasSubstr("'all-changed-files'"));
  EXPECT_THAT(check_filter_names({"Hash"}), HasSubstr("reserved"));        // names ignore case
  EXPECT_THAT(check_filter_names({"x", "X"}), HasSubstr("collide"));
  EXPECT_THAT(check_filter_names({"x", "x-files"}), HasSubstr("'x-files'"));  // x sets x-files
}

}  // namespace
}  // namespace treeprint
