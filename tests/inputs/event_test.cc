#include "inputs/event.h"

#include <gtest/gtest.h>

#include <map>

#include "test_support.h"

namespace treeprint {
namespace {

TEST(Event, PullRequestNumberAndShas) {
  const WorkflowEvent e = parse_event(R"({"action": "synchronize", "number": 7,
      "pull_request": {"head": {"sha": "abc123", "ref": "x"}, "number": 7, "base": {"sha": "def456", "ref": "main"}},
      "repository": {"default_branch": "trunk"}})");
  ASSERT_TRUE(e.pull_request);
  EXPECT_EQ(e.pull_request->number, 7);
  EXPECT_EQ(e.pull_request->head_sha, "abc123");
  EXPECT_EQ(e.pull_request->base_sha, "def456");
  EXPECT_EQ(e.pull_request->base_ref, "main");
  EXPECT_EQ(e.before, "");
  EXPECT_EQ(e.default_branch, "trunk");
}

TEST(Event, PushHasABeforeCommitAndNoPullRequest) {
  const WorkflowEvent e = parse_event(R"({"ref": "refs/heads/main", "before": "0123abcd", "after": "4567ef"})");
  EXPECT_FALSE(e.pull_request);
  EXPECT_EQ(e.before, "0123abcd");
  EXPECT_EQ(e.default_branch, "");
  EXPECT_FALSE(is_null_commit(e.before));
}

TEST(Event, ANewBranchIsPushedFromTheNullCommit) {
  const WorkflowEvent e = parse_event(R"({"ref": "refs/heads/topic", "created": true,
      "before": "0000000000000000000000000000000000000000", "repository": {"default_branch": "main"}})");
  EXPECT_TRUE(is_null_commit(e.before));
  EXPECT_EQ(e.default_branch, "main");
  EXPECT_FALSE(is_null_commit(""));
  EXPECT_FALSE(is_null_commit("0000000000000000000000000000000000000001"));
}

TEST(Event, MalformedOrOddPayloadsSayNothing) {
  for (const char* json : {"", "not json", "[1, 2]", R"({"pull_request": {"number": "7"}})",
                           R"({"pull_request": {"number": 0}})", R"({"pull_request": null})"}) {
    const WorkflowEvent e = parse_event(json);
    EXPECT_FALSE(e.pull_request) << json;
  }
  // A pull request without head/base objects still has its number.
  const WorkflowEvent e = parse_event(R"({"pull_request": {"number": 3}})");
  ASSERT_TRUE(e.pull_request);
  EXPECT_EQ(e.pull_request->head_sha, "");
}

TEST(Event, ReadsTheFileGithubEventPathNames) {
  testing::TempDir dir;
  dir.write("event.json", R"({"pull_request": {"number": 12, "head": {"sha": "feed"}}})");
  const std::map<std::string, std::string> vars{{"GITHUB_EVENT_PATH", dir / "event.json"}};
  const WorkflowEvent e = read_event(environment_from(vars));
  ASSERT_TRUE(e.pull_request);
  EXPECT_EQ(e.pull_request->number, 12);
  EXPECT_FALSE(read_event(environment_from({{"GITHUB_EVENT_PATH", dir / "missing.json"}})).pull_request);
  EXPECT_FALSE(read_event(environment_from({})).pull_request);
}

}  // namespace
}  // namespace treeprint
