#pragma once
// The GitLab REST calls the action makes from a GitLab CI job: a sticky merge-request note, a commit status, and the
// baseline manifest from the last successful pipeline's job artifacts on a branch. The HTTP policy (retries, rate
// limits, redirects, TLS, proxies, secrets kept out of logs) is the one HttpClient's (publish/http_client.h); this
// is only GitLab's paths, headers and answers.
//
// Requests go to `api_url` (CI_API_V4_URL, e.g. https://gitlab.example.com/api/v4) for project `project`
// (CI_PROJECT_ID, or a "group/project" path, sent URL-encoded). The token goes as GitLab wants it for its kind:
// a CI/CD job token (CI_JOB_TOKEN) as `JOB-TOKEN`, any other (a project, group or personal access token) as
// `Authorization: Bearer` (GitLab takes both that and PRIVATE-TOKEN). The HttpClient keeps either header off plain
// http to a remote host and off a redirect to another origin (object storage, for an artifact). A job token can
// read job artifacts but GitLab lets it neither write notes nor set statuses, nor ask GET /user; those calls fail at
// once, without a request, saying which token to give instead.
//
// Nothing throws and nothing here is fatal: every failure, a token without the `api` scope included, is an error
// value that says what was attempted and what GitLab answered, for the caller to turn into a warning. Messages never
// hold the token.

#include <cstdint>
#include <string>

#include "publish/github_api.h"
#include "publish/http_client.h"
#include "util/result.h"

namespace treeprint {

/// GitLab's limits: a note's body (characters; kept here in bytes, which is stricter) and a status description.
inline constexpr size_t k_gitlab_note_max = 1'000'000;
inline constexpr size_t k_gitlab_status_description_max = 255;

enum class GitLabTokenKind { job, access };

struct GitLabStatus {
  std::string sha;
  /// "pending", "running", "success", "failed", "canceled" or "skipped".
  std::string state;
  std::string name;
  std::string description;  // cut to 255 characters
  std::string target_url;   // optional
  std::string ref;          // optional: the branch or tag
  int64_t pipeline_id = 0;  // optional: the pipeline to attach to
};

struct GitLabBaselineQuery {
  /// The branch whose last successful pipeline is the baseline.
  std::string ref;
  /// The job that kept the artifact (CI_JOB_NAME: the same job in that pipeline).
  std::string job;
  /// The manifest's path inside the job's artifacts (the path relative to CI_PROJECT_DIR it was written to).
  std::string artifact_path;
  uint64_t max_download = k_baseline_manifest_max;
};

struct GitLabBaseline {
  std::string content;
  std::string url;  // where it came from, without a query
};

class GitLabApi {
 public:
  GitLabApi(HttpClient& http, std::string api_url, std::string token, GitLabTokenKind kind, std::string project);

  /// Updates the merge request's note that holds the hidden marker for `key` and was written by the token's own user
  /// (GET /user), or creates one. A note someone else wrote with the marker is left alone (counted in
  /// foreign_markers). `body` is Markdown; the marker is appended, and a body too long for GitLab is cut with a note.
  Result<StickyComment> upsert_merge_request_note(int64_t iid, const std::string& key, const std::string& body);

  Status create_commit_status(const GitLabStatus& status);

  /// The file at `artifact_path` in the artifacts of job `job` of the last successful pipeline on `ref`.
  Result<GitLabBaseline> fetch_baseline(const GitLabBaselineQuery& query);

  /// The id of the user the token acts as (GET /user). Not for a job token.
  Result<int64_t> token_user_id();

  /// The URL of `path` (from "/projects/...") on this API, the project filled in.
  std::string url(const std::string& path) const;

 private:
  HttpRequest request(std::string method, const std::string& path, std::string body = {}) const;
  Result<HttpResponse> call(const std::string& what, const HttpRequest& request);
  /// An error when the token cannot do `what` at all (a job token writing).
  std::optional<std::string> refuse_job_token(const std::string& what) const;

  HttpClient& m_http;
  std::string m_api_url;
  std::string m_token;
  GitLabTokenKind m_kind;
  std::string m_project;
  int64_t m_user_id = 0;
};

}  // namespace treeprint
