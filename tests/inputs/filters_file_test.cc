#include "inputs/filters_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace treeprint {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<ChangeFilter> parse_ok(const std::string& yaml) {
  auto r = parse_filters(yaml, "--filters f.yml");
  EXPECT_TRUE(r.ok()) << r.error();
  return r.ok() ? std::move(*r) : std::vector<ChangeFilter>{};
}

std::string parse_error(const std::string& yaml) {
  auto r = parse_filters(yaml, "--filters f.yml");
  EXPECT_FALSE(r.ok());
  return r.error();
}

TEST(FiltersFile, EveryForm) {
  const auto filters = parse_ok(
      "shared: &shared\n  - 'lib/**'\n"
      "backend:\n  - 'src/**'\n  - *shared\n"
      "docs: |\n  docs/**\n  # a comment\n\n  *.md\n"
      "new-code:\n  - added|modified: ['src/**', 'tests/**']\n  - removed: lib/\n");
  ASSERT_EQ(filters.size(), 4u);
  EXPECT_EQ(filters[1].name(), "backend");
  EXPECT_TRUE(filters[1].matches("lib/x", ChangeSelector::added));  // through the anchor
  EXPECT_TRUE(filters[2].matches("README.md", ChangeSelector::added));
  EXPECT_FALSE(filters[2].matches("# a comment", ChangeSelector::added));
  EXPECT_TRUE(filters[3].matches("src/a.c", ChangeSelector::modified));
  EXPECT_FALSE(filters[3].matches("src/a.c", ChangeSelector::removed));
  EXPECT_TRUE(filters[3].matches("lib/a.c", ChangeSelector::removed));
  EXPECT_FALSE(filters[3].matches("lib/a.c", ChangeSelector::added));
  EXPECT_TRUE(parse_ok("").empty());
}

TEST(FiltersFile, BadInputNamesTheSourceAndTheFilter) {
  EXPECT_THAT(parse_error("- src/**\n"), HasSubstr("--filters f.yml: must be a map"));
  EXPECT_THAT(parse_error("just text"), HasSubstr("must be a map"));
  EXPECT_THAT(parse_error("a: [\n"), HasSubstr("--filters f.yml: not valid YAML"));
  EXPECT_THAT(parse_error("docs: []\n"), HasSubstr("filter 'docs' has no pattern"));
  EXPECT_THAT(parse_error("docs:\n"), HasSubstr("filter 'docs' has no pattern"));
  EXPECT_THAT(parse_error("src: ['src/[ab']\n"), HasSubstr("filter 'src': pattern 'src/[ab'"));
  EXPECT_THAT(parse_error("src:\n  - changed: src/**\n"), HasSubstr("'changed' is not a change kind"));
  EXPECT_THAT(parse_error("my filter: [x]\n"), HasSubstr("'my filter' is not a valid output name"));
  EXPECT_THAT(parse_error("any-changed: [x]\n"), HasSubstr("reserved"));
  EXPECT_THAT(parse_error("modified-files: [x]\n"), HasSubstr("reserved"));
  EXPECT_THAT(parse_error("src: {a: b}\n"), HasSubstr("filter 'src'"));
}

}  // namespace
}  // namespace treeprint
