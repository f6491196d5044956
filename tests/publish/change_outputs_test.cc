#include "publish/change_outputs.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <regex>

#include "publish/runner.h"
#include "simdjson.h"
#include "test_support.h"

namespace treeprint {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::map<std::string, std::string> by_name(const ChangeOutputs& o) {
  std::map<std::string, std::string> m;
  for (const OutputValue& v : o.outputs) {
    EXPECT_TRUE(m.emplace(v.name, v.value).second) << "output set twice: " << v.name;
  }
  return m;
}

ChangeLists sample() {
  ChangeLists l;
  l.added = {"a.txt", "line\nbreak.txt", std::string("bad\xff.txt")};
  l.modified = {"m.c"};
  l.renamed = {{"old name", "new\tname"}, {"o", "n"}};
  l.all_changed = {"a.txt", "bad\xff.txt", "line\nbreak.txt", "m.c", "n", "new\tname"};
  return l;
}

TEST(Utf16Length, CountsCodeUnits) {
  EXPECT_EQ(utf16_length("abc"), 3u);
  EXPECT_EQ(utf16_length("caf\xc3\xa9"), 4u);      // é: one unit, two bytes
  EXPECT_EQ(utf16_length("\xe2\x82\xac"), 1u);      // €: one unit, three bytes
  EXPECT_EQ(utf16_length("\xf0\x9f\x98\x80"), 2u);  // an emoji: a surrogate pair
}

TEST(ChangeOutputs, TextAndJsonListsWithTheLineBreakRule) {
  const ChangeOutputs o = encode_change_outputs(sample(), {}, {});
  const auto m = by_name(o);
  EXPECT_EQ(m.at("any-changed"), "true");
  EXPECT_EQ(m.at("added-files"), "a.txt");                             // the name with a line break is left out
  EXPECT_EQ(m.at("added-files-json"), "[\"a.txt\",\"line\\nbreak.txt\"]");  // ... and kept here; not UTF-8 in neither
  EXPECT_EQ(m.at("added-files-count"), "3");                           // counts are complete
  EXPECT_EQ(m.at("added-files-truncated"), "false");
  EXPECT_EQ(m.at("renamed-files"), "o\tn");                            // a tab cannot be in a "OLD<TAB>NEW" line
  EXPECT_EQ(m.at("renamed-files-json"), "[{\"from\":\"old name\",\"to\":\"new\\tname\"},{\"from\":\"o\",\"to\":\"n\"}]");
  EXPECT_EQ(m.at("removed-files"), "");
  EXPECT_EQ(m.at("removed-files-json"), "[]");
  EXPECT_EQ(m.at("changes"), "[]");
  EXPECT_EQ(m.count("changes-path"), 0u);
  const ListOutcome& added = o.lists[1];
  EXPECT_EQ(added.name, "added-files");
  EXPECT_EQ(added.text_omitted, 1u);
  EXPECT_EQ(added.not_utf8, 1u);
  const auto warnings = change_output_warnings(o, "changes.json");
  EXPECT_THAT(warnings, ::testing::Contains(HasSubstr("added-files: 1 names with a line break")));
  EXPECT_THAT(warnings, ::testing::Contains(HasSubstr("not UTF-8")));
}

TEST(ChangeOutputs, FiltersAndTheChangesArray) {
  const std::vector<FilterResult> filters = {{"backend", {"src/a.c", "src/b.c"}}, {"docs", {}}};
  const auto m = by_name(encode_change_outputs(sample(), filters, {"out/changes.json", "abc", true}));
  EXPECT_EQ(m.at("changes"), "[\"backend\"]");
  EXPECT_EQ(m.at("backend"), "true");
  EXPECT_EQ(m.at("backend-files"), "src/a.c\nsrc/b.c");
  EXPECT_EQ(m.at("backend-files-json"), "[\"src/a.c\",\"src/b.c\"]");
  EXPECT_EQ(m.at("backend-count"), "2");
  EXPECT_EQ(m.at("backend-files-truncated"), "false");
  EXPECT_EQ(m.at("docs"), "false");
  EXPECT_EQ(m.at("docs-count"), "0");
  EXPECT_EQ(m.at("changes-path"), "out/changes.json");
  EXPECT_EQ(m.at("hash"), "abc");
}

TEST(ChangeOutputs, ABudgetCutsListsAtANameAndSaysSo) {
  ChangeLists l;
  for (int i = 0; i < 20000; ++i) l.added.push_back("dir/file-" + std::to_string(100000 + i) + ".txt");
  l.all_changed = l.added;
  ChangeOutputOptions options;
  options.budget = 100000;
  const ChangeOutputs o = encode_change_outputs(l, {}, options);
  EXPECT_LE(o.utf16_used, options.budget);
  const auto m = by_name(o);
  EXPECT_EQ(m.at("all-changed-files-truncated"), "true");
  EXPECT_EQ(m.at("added-files-truncated"), "true");
  EXPECT_EQ(m.at("all-changed-files-count"), "20000");
  const ListOutcome& all = o.lists[0];
  EXPECT_GT(all.published, 1000u);
  EXPECT_EQ(all.published + all.left_out, 20000u);
  // What is published is the first names in path order, the same in both forms.
  const std::string& text = m.at("all-changed-files");
  EXPECT_EQ(text.substr(0, text.find('\n')), "dir/file-100000.txt");
  EXPECT_EQ(static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + 1, all.published);
  EXPECT_THAT(change_output_warnings(o, "c.json"), ::testing::Contains(HasSubstr("all are in the changes file c.json")));
  // The default budget holds a 1% change of a large tree.
  ChangeLists small;
  for (int i = 0; i < 3000; ++i) small.added.push_back("src/module/file-" + std::to_string(i) + ".cc");
  small.all_changed = small.added;
  const auto d = by_name(encode_change_outputs(small, {}, {}));
  EXPECT_EQ(d.at("added-files-truncated"), "false");
}

TEST(ChangeOutputs, GithubRecordsReadBackAsTheRunnerReadsThem) {
  testing::TempDir dir;
  RunnerEnvironment env;
  env.output_file = dir / "out";
  Runner runner(env, stderr, [] { return std::string("ghadelimiter_00000000-0000-4000-8000-000000000000"); });
  const ChangeOutputs o = encode_change_outputs(sample(), {{"src", {"m.c"}}}, {});
  ASSERT_TRUE(write_github_outputs(runner, o).ok());
  const std::string text = testing::read_file(dir / "out");
  EXPECT_THAT(text, HasSubstr("added-files<<ghadelimiter_00000000-0000-4000-8000-000000000000\na.txt\n"
                              "ghadelimiter_00000000-0000-4000-8000-000000000000\n"));
  EXPECT_THAT(text, HasSubstr("src<<ghadelimiter_00000000-0000-4000-8000-000000000000\ntrue\n"));
}

TEST(ChangesFile, HoldsEverythingAndIsJson) {
  const std::string json = changes_json(sample(), {{"src", {"m.c"}}}, "base.json", "", false);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
  EXPECT_EQ(std::string_view(doc["baseline"]), "base.json");
  EXPECT_EQ(doc["added"].get_array().size(), 2u);             // UTF-8 names, the line break included
  EXPECT_EQ(std::string_view(doc["added_base64"].at(0)), "YmFk/y50eHQ=");  // "bad\xff.txt"
  EXPECT_EQ(std::string_view(doc["renamed"].at(0)["to"]), "new\tname");
  EXPECT_EQ(int64_t(doc["filters"]["src"]["count"]), 1);
  EXPECT_EQ(doc["changes"].get_array().size(), 1u);
  ChangeLists none;
  none.has_baseline = false;
  EXPECT_THAT(changes_json(none, {}, "", "", false), HasSubstr("\"baseline\": null"));
}

TEST(Dotenv, GitLabsRules) {
  const std::vector<FilterResult> filters = {{"back-end", {"m.c"}}, {"docs", {}}};
  Result<std::string> env = render_dotenv(sample(), filters, {"changes.json", "", false});
  ASSERT_TRUE(env.ok()) << env.error();
  EXPECT_LT(env->size(), 5u * 1024);
  const std::regex line("^[A-Za-z0-9_]+=[^\r\n]*$");
  size_t count = 0;
  for (size_t pos = 0; pos < env->size();) {
    const size_t nl = env->find('\n', pos);
    const std::string l = env->substr(pos, nl - pos);
    EXPECT_TRUE(std::regex_match(l, line)) << l;
    pos = nl + 1;
    ++count;
  }
  EXPECT_LE(count, 50u);
  EXPECT_THAT(*env, HasSubstr("TREEPRINT_ANY_CHANGED=true\n"));
  EXPECT_THAT(*env, HasSubstr("TREEPRINT_FILTER_BACK_END=true\nTREEPRINT_FILTER_BACK_END_COUNT=1\n"));
  EXPECT_THAT(*env, HasSubstr("TREEPRINT_CHANGES=[\"back-end\"]\n"));
  EXPECT_THAT(*env, HasSubstr("TREEPRINT_ALL_CHANGED_FILES_TRUNCATED=true\n"));  // the name that is not UTF-8

  std::vector<FilterResult> many;
  for (int i = 0; i < 30; ++i) many.push_back({"f" + std::to_string(i), {}});
  Result<std::string> too_many = render_dotenv(sample(), many, {});
  ASSERT_FALSE(too_many.ok());
  EXPECT_THAT(too_many.error(), HasSubstr("do not fit GitLab's dotenv limits"));
  Result<std::string> clash = render_dotenv(sample(), {{"a-b", {}}, {"a_b", {}}}, {});
  ASSERT_FALSE(clash.ok());
  EXPECT_THAT(clash.error(), HasSubstr("TREEPRINT_FILTER_A_B"));

  ChangeLists big;
  for (int i = 0; i < 2000; ++i) big.all_changed.push_back("some/long/path/number-" + std::to_string(i));
  Result<std::string> cut = render_dotenv(big, {}, {});
  ASSERT_TRUE(cut.ok());
  EXPECT_LT(cut->size(), 5u * 1024);
  EXPECT_THAT(*cut, HasSubstr("TREEPRINT_ALL_CHANGED_FILES_TRUNCATED=true"));
  EXPECT_THAT(*cut, HasSubstr("TREEPRINT_ALL_CHANGED_COUNT=2000"));
}

TEST(ChangesText, OneLinePerChange) {
  const std::string text = render_changes_text(sample(), {{"src", {"m.c"}}});
  EXPECT_THAT(text, HasSubstr("A a.txt\n"));
  EXPECT_THAT(text, HasSubstr("A line\\x0abreak.txt\n"));
  EXPECT_THAT(text, HasSubstr("M m.c\nR o -> n\n"));
  EXPECT_THAT(text, HasSubstr("filter src: matched, 1 file\n"));
}

}  // namespace
}  // namespace treeprint
