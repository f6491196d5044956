#include "app/action_gitlab.h"

#include <cstdlib>

#include "publish/gitlab_api.h"
#include "util/format.h"

namespace treeprint {
namespace {

std::string env_or(const EnvLookup& env, const char* name, std::string fallback = {}) {
  auto v = env(name);
  return v && !v->empty() ? *v : fallback;
}

int64_t env_int(const EnvLookup& env, const char* name) {
  const std::string v = env_or(env, name);
  if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos || v.size() > 18) return 0;
  return std::strtoll(v.c_str(), nullptr, 10);
}

/// The API client, or nullopt with the reason (no token, or not in a GitLab job).
std::optional<GitLabApi> make_api(HttpClient& http, const EnvLookup& env, const ActionSettings& s, std::string* why) {
  const std::string api_url = env_or(env, "CI_API_V4_URL");
  const std::string project = env_or(env, "CI_PROJECT_ID");
  if (api_url.empty() || project.empty()) {
    *why = "CI_API_V4_URL and CI_PROJECT_ID (not set here)";
    return std::nullopt;
  }
  if (s.token.empty()) {
    *why = "a token (the `token` input: a project access token with the `api` scope in a masked variable, or "
           "$CI_JOB_TOKEN for `baseline: previous-run` alone)";
    return std::nullopt;
  }
  const auto job_token = env("CI_JOB_TOKEN");
  const GitLabTokenKind kind =
      job_token && *job_token == s.token ? GitLabTokenKind::job : GitLabTokenKind::access;
  return std::optional<GitLabApi>(std::in_place, http, api_url, s.token, kind, project);
}

std::string strip_dot_slash(std::string path) {
  while (path.compare(0, 2, "./") == 0) path.erase(0, 2);
  return path;
}

}  // namespace

bool gitlab_merge_request_pipeline(const EnvLookup& env) { return env_int(env, "CI_MERGE_REQUEST_IID") > 0; }

std::string post_gitlab_summary(HttpClient& http, const EnvLookup& env, const ActionSettings& settings,
                                const GitLabSummaryRequest& request, Runner& runner) {
  const char* mode = to_string(request.mode);
  std::string why;
  auto api = make_api(http, env, settings, &why);
  if (!api) {
    runner.warning(std::string("summary: ") + mode + " needs " + why + "; only the Markdown summary was written");
    return "";
  }
  if (request.mode == SummaryMode::comment) {
    const int64_t iid = env_int(env, "CI_MERGE_REQUEST_IID");
    if (iid <= 0) {
      runner.notice("summary: comment needs a merge-request pipeline (CI_MERGE_REQUEST_IID); only the Markdown "
                    "summary was written");
      return "";
    }
    auto posted = api->upsert_merge_request_note(iid, request.key, request.markdown);
    if (!posted) {
      runner.warning("summary: could not post the merge-request note: " + posted.error());
      return "";
    }
    if (posted->foreign_markers != 0) {
      runner.notice("summary: " + std::to_string(posted->foreign_markers) +
                    " note(s) on the merge request carry treeprint's marker but were not written by this token's "
                    "user; they were left alone");
    }
    const std::string project_url = env_or(env, "CI_MERGE_REQUEST_PROJECT_URL", env_or(env, "CI_PROJECT_URL"));
    return project_url.empty() ? "" : project_url + "/-/merge_requests/" + std::to_string(iid) + "#note_" +
                                          std::to_string(posted->id);
  }
  GitLabStatus st;
  st.sha = env_or(env, "CI_COMMIT_SHA");
  if (st.sha.empty()) {
    runner.warning("summary: status needs CI_COMMIT_SHA; only the Markdown summary was written");
    return "";
  }
  st.state = request.failed ? "failed" : "success";
  st.name = "treeprint";
  st.description = request.headline;
  st.target_url = env_or(env, "CI_JOB_URL");
  st.ref = env_or(env, "CI_COMMIT_REF_NAME");
  st.pipeline_id = env_int(env, "CI_PIPELINE_ID");
  auto done = api->create_commit_status(st);
  if (!done) {
    runner.warning("summary: could not set the commit status: " + done.error());
    return "";
  }
  return st.target_url;
}

std::optional<GitLabPreviousRun> gitlab_previous_run(HttpClient& http, const EnvLookup& env,
                                                     const ActionSettings& settings, Runner& runner) {
  std::string why;
  auto api = make_api(http, env, settings, &why);
  if (!api) {
    runner.notice("baseline: previous-run needs " + why + "; no comparison made");
    return std::nullopt;
  }
  GitLabBaselineQuery q;
  q.ref = env_or(env, "CI_MERGE_REQUEST_TARGET_BRANCH_NAME", env_or(env, "CI_COMMIT_BRANCH"));
  q.job = env_or(env, "CI_JOB_NAME");
  // Job artifacts are kept by their path relative to the project directory: a manifest written elsewhere (the
  // default under RUNNER_TEMP or /tmp) was never kept, so there is nothing to fetch.
  std::string path = settings.manifest_path;
  if (!path.empty() && path[0] == '/') {
    std::string project_dir = env_or(env, "CI_PROJECT_DIR");
    while (project_dir.size() > 1 && project_dir.back() == '/') project_dir.pop_back();
    if (project_dir.empty() || path.compare(0, project_dir.size() + 1, project_dir + "/") != 0) {
      runner.notice("baseline: previous-run reads the manifest from the job's artifacts, which GitLab keeps only "
                    "under CI_PROJECT_DIR; set manifest-path to a path there (and list it under artifacts:paths); no "
                    "comparison made");
      return std::nullopt;
    }
    path.erase(0, project_dir.size() + 1);
  }
  q.artifact_path = strip_dot_slash(path);
  if (q.ref.empty()) {
    runner.notice("baseline: previous-run needs a branch (a tag pipeline has none); no comparison made");
    return std::nullopt;
  }
  auto found = api->fetch_baseline(q);
  if (!found) {
    runner.notice("baseline: no earlier manifest found (" + found.error() + "); no comparison made");
    return std::nullopt;
  }
  return GitLabPreviousRun{std::move(found->content), "the last successful pipeline on " + printable(q.ref)};
}

}  // namespace treeprint
