#pragma once
// The action's GitLab side, from a GitLab CI job (app/action_command.cc calls it when GITLAB_CI=true): the summary
// as a sticky merge-request note or a commit status, and `baseline: previous-run` from the last successful
// pipeline's job artifacts. GitLab's variables say where: CI_API_V4_URL, CI_PROJECT_ID, CI_MERGE_REQUEST_IID,
// CI_MERGE_REQUEST_TARGET_BRANCH_NAME, CI_COMMIT_SHA, CI_COMMIT_REF_NAME, CI_PIPELINE_ID, CI_JOB_NAME, CI_JOB_URL.
//
// The token is the `token` input. When it is the job's own CI_JOB_TOKEN it is sent as a job token (it can read the
// baseline artifact; GitLab does not let it post notes or statuses, which is then a warning saying what to give
// instead); any other value is sent as an access token. Every failure is a warning: the manifest, the outputs and
// the Markdown summary are already written.

#include <optional>
#include <string>

#include "inputs/action_settings.h"
#include "publish/http_client.h"
#include "publish/runner.h"
#include "util/env.h"

namespace treeprint {

/// The pipeline runs for a merge request (CI_MERGE_REQUEST_IID is set).
bool gitlab_merge_request_pipeline(const EnvLookup& env);

struct GitLabSummaryRequest {
  SummaryMode mode = SummaryMode::none;  // comment (a note) or status
  std::string markdown;
  std::string headline;  // the status description
  bool failed = false;
  std::string key;  // what the sticky note's marker is made of
};

/// Posts the summary; returns the URL of what was posted, or "" (with a warning or notice saying why).
std::string post_gitlab_summary(HttpClient& http, const EnvLookup& env, const ActionSettings& settings,
                                const GitLabSummaryRequest& request, Runner& runner);

struct GitLabPreviousRun {
  std::string content;  // the manifest's bytes
  std::string label;    // "the last successful pipeline on main"
};

/// The manifest this job kept in the last successful pipeline on the merge request's target branch (else this
/// branch); nullopt with a notice when there is none or it cannot be read.
std::optional<GitLabPreviousRun> gitlab_previous_run(HttpClient& http, const EnvLookup& env,
                                                     const ActionSettings& settings, Runner& runner);

}  // namespace treeprint
