#include "scan/change_filter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace treeprint {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

ChangeFilter make(std::vector<FilterPatternSpec> patterns, std::string name = "f") {
  Result<ChangeFilter> f = ChangeFilter::compile({std::move(name), std::move(patterns)});
  EXPECT_TRUE(f.ok()) << f.error();
  return std::move(*f);
}

ChangeLists sample() {
  ChangeLists l;
  l.added = {"docs/new.md", "src/new.c"};
  l.modified = {"README.md", "src/lib/a.c"};
  l.removed = {"src/old.c"};
  l.renamed = {{"src/moved.c", "lib/moved.c"}};
  l.unreadable = {"src/secret.c"};
  l.all_changed = {"README.md", "docs/new.md", "lib/moved.c", "src/lib/a.c", "src/new.c"};
  return l;
}

TEST(ChangeFilter, GitignoreSyntaxAsInclude) {
  const ChangeFilter f = make({{"src/"}, {"!src/lib/"}});
  EXPECT_TRUE(f.matches("src/a.c", ChangeSelector::added));
  EXPECT_TRUE(f.matches("src/x/y/z.c", ChangeSelector::modified));  // a directory pattern covers what is below
  EXPECT_FALSE(f.matches("src/lib/a.c", ChangeSelector::modified));  // the later '!' wins
  EXPECT_FALSE(f.matches("lib/src", ChangeSelector::added));
  const ChangeFilter md = make({{"*.md"}});
  EXPECT_TRUE(md.matches("README.md", ChangeSelector::added));
  EXPECT_TRUE(md.matches("docs/deep/x.md", ChangeSelector::added));  // no slash: any depth, as in gitignore
  const ChangeFilter anchored = make({{"/README.md"}});
  EXPECT_FALSE(anchored.matches("docs/README.md", ChangeSelector::added));
}

TEST(ChangeFilter, EvaluatesEveryList) {
  const FilterResult r = make({{"src/**"}}).evaluate(sample());
  // removed by its old path, the rename by its old path (reported under the new one), unreadable as modified
  EXPECT_THAT(r.files, ElementsAre("lib/moved.c", "src/lib/a.c", "src/new.c", "src/old.c", "src/secret.c"));
  EXPECT_TRUE(r.matched());
  EXPECT_FALSE(make({{"nothing/**"}}).evaluate(sample()).matched());
}

TEST(ChangeFilter, LimitedToChangeKinds) {
  const uint8_t added = static_cast<uint8_t>(ChangeSelector::added);
  const uint8_t removed = static_cast<uint8_t>(ChangeSelector::removed);
  EXPECT_THAT(make({{"src/**", added}}).evaluate(sample()).files, ElementsAre("src/new.c"));
  EXPECT_THAT(make({{"src/**", removed}}).evaluate(sample()).files, ElementsAre("src/old.c"));
  EXPECT_THAT(make({{"**/*.md", static_cast<uint8_t>(ChangeSelector::modified)}, {"docs/**", added}})
                  .evaluate(sample())
                  .files,
              ElementsAre("README.md", "docs/new.md"));
}

TEST(ChangeFilter, BadInputIsAnErrorNamingTheFilter) {
  Result<ChangeFilter> empty = ChangeFilter::compile({"docs", {}});
  ASSERT_FALSE(empty.ok());
  EXPECT_THAT(empty.error(), HasSubstr("filter 'docs' has no pattern"));
  Result<ChangeFilter> bad = ChangeFilter::compile({"src", {{"src/[abc"}}});
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.error(), HasSubstr("filter 'src': pattern 'src/[abc'"));
}

}  // namespace
}  // namespace treeprint
