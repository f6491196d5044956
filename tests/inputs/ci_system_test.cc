#include "inputs/ci_system.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

namespace treeprint {
namespace {

using ::testing::HasSubstr;

TEST(CiSystem, EachSystemByTheVariablesItSets) {
  const std::pair<std::map<std::string, std::string>, CiSystem> cases[] = {
      {{{"GITHUB_ACTIONS", "true"}}, CiSystem::github},
      {{{"GITHUB_ACTIONS", "true"}, {"GITEA_ACTIONS", "true"}}, CiSystem::gitea},
      {{{"GITHUB_ACTIONS", "true"}, {"GITEA_ACTIONS", "true"}, {"FORGEJO_ACTIONS", "true"}}, CiSystem::forgejo},
      {{{"GITHUB_ACTIONS", "true"}, {"FORGEJO_ACTIONS", "true"}}, CiSystem::forgejo},
      {{{"GITLAB_CI", "true"}, {"CI", "true"}}, CiSystem::gitlab},
      {{{"CI", "woodpecker"}}, CiSystem::woodpecker},
      {{{"CI", "woodpecker"}, {"DRONE", "true"}}, CiSystem::woodpecker},  // Woodpecker's Drone-compatible variables
      {{{"DRONE", "true"}, {"CI", "true"}}, CiSystem::drone},
      {{{"CI", "true"}}, CiSystem::unknown},
      {{{"GITHUB_ACTIONS", "false"}, {"GITLAB_CI", "1"}}, CiSystem::unknown},
      {{}, CiSystem::unknown},
  };
  for (const auto& [vars, expected] : cases) {
    EXPECT_EQ(detect_ci_system(environment_from(vars)), expected) << display_name(expected);
  }
}

TEST(CiSystem, WorkflowCommandsOnlyOnGitHubStyleRunners) {
  EXPECT_TRUE(reads_workflow_commands(CiSystem::github));
  EXPECT_TRUE(reads_workflow_commands(CiSystem::gitea));
  EXPECT_TRUE(reads_workflow_commands(CiSystem::forgejo));
  for (CiSystem s : {CiSystem::gitlab, CiSystem::woodpecker, CiSystem::drone, CiSystem::unknown}) {
    EXPECT_FALSE(reads_workflow_commands(s)) << display_name(s);
  }
}

TEST(CiSystem, AutoIsWhatTheSystemOffers) {
  const std::pair<CiSystem, SummaryMode> cases[] = {
      {CiSystem::github, SummaryMode::check_run}, {CiSystem::gitea, SummaryMode::status},
      {CiSystem::forgejo, SummaryMode::status},   {CiSystem::gitlab, SummaryMode::status},
      {CiSystem::woodpecker, SummaryMode::none},  {CiSystem::drone, SummaryMode::none},
      {CiSystem::unknown, SummaryMode::none},
  };
  for (const auto& [system, mode] : cases) {
    const SummaryChoice c = choose_summary(system, SummaryMode::automatic);
    EXPECT_EQ(c.mode, mode) << display_name(system);
    EXPECT_EQ(c.warning, "") << display_name(system);
  }
}

TEST(CiSystem, GitLabAutoIsANoteInAMergeRequestPipelineElseAStatus) {
  EXPECT_EQ(choose_summary(CiSystem::gitlab, SummaryMode::automatic, true).mode, SummaryMode::comment);
  EXPECT_EQ(choose_summary(CiSystem::gitlab, SummaryMode::automatic, false).mode, SummaryMode::status);
  EXPECT_EQ(choose_summary(CiSystem::github, SummaryMode::automatic, true).mode, SummaryMode::check_run);
  const SummaryChoice c = choose_summary(CiSystem::gitlab, SummaryMode::check_run, true);
  EXPECT_EQ(c.mode, SummaryMode::comment);
  EXPECT_THAT(c.warning, HasSubstr("check-run is not available here (GitLab CI has no check runs); posting a comment"));
}

TEST(CiSystem, AnExplicitModeTheSystemHasIsKept) {
  for (SummaryMode m : {SummaryMode::check_run, SummaryMode::comment, SummaryMode::status, SummaryMode::none}) {
    EXPECT_EQ(choose_summary(CiSystem::github, m).mode, m);
    EXPECT_EQ(choose_summary(CiSystem::github, m).warning, "");
    EXPECT_EQ(choose_summary(CiSystem::unknown, m).mode, m);  // taken at its word: the GitHub API if configured
  }
  EXPECT_EQ(choose_summary(CiSystem::gitea, SummaryMode::comment).mode, SummaryMode::comment);
  EXPECT_EQ(choose_summary(CiSystem::forgejo, SummaryMode::status).mode, SummaryMode::status);
  EXPECT_EQ(choose_summary(CiSystem::gitlab, SummaryMode::none).warning, "");
  EXPECT_EQ(choose_summary(CiSystem::gitlab, SummaryMode::comment).mode, SummaryMode::comment);
  EXPECT_EQ(choose_summary(CiSystem::gitlab, SummaryMode::status, true).mode, SummaryMode::status);
}

TEST(CiSystem, AnExplicitModeTheSystemLacksIsAWarning) {
  const SummaryChoice gitea = choose_summary(CiSystem::gitea, SummaryMode::check_run);
  EXPECT_EQ(gitea.mode, SummaryMode::status);
  EXPECT_THAT(gitea.warning, HasSubstr("summary: check-run is not available here (Gitea Actions has no check runs)"));
  EXPECT_THAT(gitea.warning, HasSubstr("posting a status instead"));
  EXPECT_EQ(choose_summary(CiSystem::forgejo, SummaryMode::check_run).mode, SummaryMode::status);
  for (CiSystem s : {CiSystem::woodpecker, CiSystem::drone}) {
    for (SummaryMode m : {SummaryMode::check_run, SummaryMode::comment, SummaryMode::status}) {
      const SummaryChoice c = choose_summary(s, m);
      EXPECT_EQ(c.mode, SummaryMode::none) << display_name(s);
      EXPECT_THAT(c.warning, HasSubstr(std::string("cannot post to ") + display_name(s)));
      EXPECT_THAT(c.warning, HasSubstr("only the Markdown summary file was written"));
    }
  }
}

}  // namespace
}  // namespace treeprint
