#include "app/ci_environment.h"

#include <gtest/gtest.h>

namespace treeprint {
namespace {

TEST(CiRunnerEnvironment, OutputsAndSummaryFilesWhereNoRunnerReadsGitHubOutput) {
  const RunnerEnvironment gitlab = ci_runner_environment(environment_from({{"GITLAB_CI", "true"}, {"CI_PROJECT_DIR", "/builds/g/p"}}));
  EXPECT_TRUE(gitlab.log_sections);
  EXPECT_EQ(gitlab.env_file, "/builds/g/p/treeprint.env");
  EXPECT_TRUE(gitlab.env_dotenv);
  EXPECT_EQ(gitlab.markdown_file, "/builds/g/p/treeprint-summary.md");
  const RunnerEnvironment wp = ci_runner_environment(environment_from({{"CI", "woodpecker"}, {"CI_WORKSPACE", "/woodpecker/src/"}}));
  EXPECT_EQ(wp.env_file, "/woodpecker/src/treeprint.env");
  EXPECT_FALSE(wp.env_dotenv);
  EXPECT_FALSE(wp.log_sections);
  const RunnerEnvironment drone = ci_runner_environment(environment_from({{"DRONE", "true"}, {"GITHUB_STEP_SUMMARY", "s.md"}}));
  EXPECT_EQ(drone.env_file, "treeprint.env");  // no DRONE_WORKSPACE: the working directory
  EXPECT_EQ(drone.markdown_file, "");          // the summary goes where GITHUB_STEP_SUMMARY says
  // GitHub-style runners (Gitea and Forgejo included) read GITHUB_OUTPUT: no other file.
  for (const char* extra : {"GITHUB_ACTIONS", "GITEA_ACTIONS", "FORGEJO_ACTIONS"}) {
    const RunnerEnvironment e = ci_runner_environment(environment_from({{"GITHUB_ACTIONS", "true"}, {extra, "true"}}));
    EXPECT_EQ(e.env_file, "") << extra;
    EXPECT_EQ(e.markdown_file, "") << extra;
    EXPECT_FALSE(e.log_sections) << extra;
  }
  EXPECT_EQ(ci_runner_environment(environment_from({})).env_file, "");
}

}  // namespace
}  // namespace treeprint
