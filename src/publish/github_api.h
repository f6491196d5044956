#pragma once
// The GitHub REST calls the action makes: a check run with annotations, a sticky pull-request comment, a commit
// status, and the baseline manifest from an earlier run's artifact.
//
// Every request goes to `api_url` (GITHUB_API_URL, so GitHub Enterprise Server works) with the headers GitHub asks
// for: Accept: application/vnd.github+json, X-GitHub-Api-Version: 2022-11-28, User-Agent: treeprint/<version> and
// Authorization: Bearer <token>. Retries, rate limits and redirects are the HttpClient's business.
//
// Nothing throws and nothing here is fatal: every failure, a read-only token on a fork's pull request
// (403 "Resource not accessible by integration") included, comes back as an error value with a message that says
// what was attempted and what GitHub answered, for the caller to turn into a warning. Messages never hold the token.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "publish/http_client.h"
#include "publish/zip_reader.h"
#include "util/result.h"

namespace treeprint {

/// GitHub's limits, from its REST documentation and OpenAPI description.
inline constexpr size_t k_check_output_max = 65535;  // output.summary and output.text, characters (utf16_length)
inline constexpr size_t k_check_annotations_per_request = 50;
/// Annotations one check run gets at most (one POST and three PATCHes): 20,000 unreadable files must not cost 400
/// requests of the token's 1,000 an hour. The rest are counted in the check run's text.
inline constexpr size_t k_check_annotations_max = 200;
inline constexpr size_t k_annotation_message_max = 65535;
inline constexpr size_t k_annotation_title_max = 255;
inline constexpr size_t k_comment_body_max = 65536;  // characters (utf16_length), the hidden marker included
inline constexpr size_t k_status_description_max = 140;

struct CheckAnnotation {
  std::string path;
  int64_t start_line = 1;
  int64_t end_line = 1;
  /// "notice", "warning" or "failure".
  std::string level = "warning";
  std::string message;
  std::string title;  // optional
};

struct CheckRun {
  std::string name;
  std::string head_sha;
  /// "completed" needs a conclusion: success, failure, neutral, cancelled, skipped, timed_out, action_required.
  std::string status = "completed";
  std::string conclusion = "success";
  std::string details_url;  // optional
  std::string title;
  std::string summary;  // Markdown; cut to 65535 characters with a note
  std::string text;     // optional, same limit
  std::vector<CheckAnnotation> annotations;
};

struct CheckRunCreated {
  int64_t id = 0;
  std::string html_url;
};

struct CommitStatus {
  std::string sha;
  /// "pending", "success", "failure" or "error".
  std::string state;
  std::string context;
  std::string description;  // cut to 140 characters
  std::string target_url;   // optional
};

struct StickyComment {
  int64_t id = 0;
  bool created = false;  // false: an existing comment was updated
  /// Comments that carry the marker but were written by someone else than the token's identity: left alone.
  size_t foreign_markers = 0;
};

/// The login an installation token acts as when it is a workflow's GITHUB_TOKEN.
inline constexpr const char* k_actions_bot_login = "github-actions[bot]";

struct BaselineArtifact {
  int64_t artifact_id = 0;
  int64_t run_id = 0;
  std::string created_at;
  std::string head_sha;
  std::string content;  // the named file's bytes (empty when BaselineQuery::content_sink took them)
  /// Which rule chose it, for the log: "the run of the merge base", "the newest successful run on 'main'", ...
  std::string chosen;
  /// What did not go as wanted on the way (the compare call failed, the wanted commit has no usable run, an
  /// artifact had expired): each a sentence for a notice.
  std::vector<std::string> notes;
};

/// Which earlier run's manifest to compare with (docs/action-inputs.md, "Which run is compared"):
/// - with `pull_base_sha` and `pull_head_sha` (a pull request): the run whose head commit is their merge base (GET
///   /repos/{o}/{r}/compare/{base}...{head}), else the newest successful run on `branch` whose commit is no newer
///   than the merge base; when the compare call fails, the newest successful run on `branch`, with a note;
/// - else with `commit` (a push's `before`): the run whose head commit it is, else the newest successful run on
///   `branch`;
/// - else the newest successful run on `branch`.
/// Only completed, successful runs of this repository (never a fork's, never `current_run_id`) with an unexpired
/// artifact named `artifact_name` count; an artifact that turns out to be gone when downloaded (410) is skipped.
/// The largest baseline manifest taken from an earlier run (a zip's inflated entry, a download): 1 GiB, about 3.5
/// million files at the ~290 bytes a manifest entry takes (300,000 files make about 88 MB). The whole manifest is
/// held in memory once downloaded (unless BaselineQuery::content_sink takes it), so the cap bounds that; the zip's
/// ratio check still stops a bomb long before it.
inline constexpr uint64_t k_baseline_manifest_max = 1ull << 30;

struct BaselineQuery {
  std::string artifact_name;
  std::string branch;
  /// The file to read out of the artifact's zip.
  std::string file_name;
  /// Largest zip accepted (a zip is smaller than the manifest it holds).
  uint64_t max_download = k_baseline_manifest_max;
  ZipLimits zip_limits{k_baseline_manifest_max};
  std::string commit;
  std::string pull_base_sha;
  std::string pull_head_sha;
  int64_t current_run_id = 0;
  /// When set, the file's bytes are handed to it a piece at a time as they are inflated (read_zip_entry_to), and
  /// BaselineArtifact::content stays empty: the manifest need not be held whole. It is fed for one artifact at most;
  /// a failure after some pieces fails the search.
  std::function<Status(std::string_view)> content_sink;
};

/// The merge base of a comparison, from GET /repos/{o}/{r}/compare/{base}...{head}.
struct MergeBase {
  std::string sha;
  std::string committed_at;  // the merge base's committer date, RFC 3339 ("" when GitHub gave none)
};

/// Seconds since the epoch of an RFC 3339 date-time ("2011-04-14T16:00:49Z", "2014-08-09T08:02:04+12:00",
/// fractions allowed); nullopt when it is not one.
std::optional<int64_t> parse_rfc3339(std::string_view text);

/// The URL of the rel="next" link in a Link header, or "".
std::string next_link(std::string_view link_header);

class GitHubApi {
 public:
  /// `repository` is "owner/repo" (GITHUB_REPOSITORY). `api_url` may end with a slash.
  GitHubApi(HttpClient& http, std::string api_url, std::string token, std::string repository);

  /// Creates the check run with the first 50 annotations, then appends more with PATCH, 50 at a time, up to
  /// k_check_annotations_max; how many were left out is said in the output's text.
  Result<CheckRunCreated> create_check_run(const CheckRun& run);

  /// Updates the pull request's comment that holds the hidden marker for `key` and was written by the token's own
  /// identity (token_login), or creates one. The marker is predictable, so a comment someone else wrote with it is
  /// never touched (counted in foreign_markers); when the identity cannot be learnt, a new comment is created.
  /// `body` is Markdown; the marker is appended. A body longer than comment_text_max(key) characters is cut with a
  /// note, possibly inside a Markdown block: build it to fit instead (build_job_summary with max_characters).
  Result<StickyComment> upsert_sticky_comment(int64_t issue_number, const std::string& key, const std::string& body);

  Status create_commit_status(const CommitStatus& status);

  /// The artifact the query's rules choose (see BaselineQuery), and the content of `file_name` in it.
  Result<BaselineArtifact> find_baseline(const BaselineQuery& query);

  /// The merge base of `base` and `head` (commit ids), as GitHub's compare endpoint gives it.
  Result<MergeBase> merge_base(const std::string& base, const std::string& head);

  /// Who the token acts as: for an installation token (`ghs_`, what GITHUB_TOKEN is) github-actions[bot];
  /// otherwise the login GET /user answers (a personal or OAuth token). set_login() overrides both.
  Result<std::string> token_login();
  void set_login(std::string login) { m_login = std::move(login); }

  /// Gitea and Forgejo serve this API at their /api/v1 (GITHUB_API_URL points there), with differences handled
  /// here: the comment list takes no `per_page` (it answers every comment; where Gitea pages, it says the next page
  /// in `Link`, which is followed as on GitHub), and there is no github-actions[bot]: whatever the token looks like,
  /// its identity is asked from GET /user. (They have no check runs: the caller never asks for one there.)
  void set_gitea(bool on) { m_gitea = on; }

  /// The longest body upsert_sticky_comment sends unchanged for `key`, in characters as GitHub counts them
  /// (utf16_length): k_comment_body_max less the line break and the hidden marker it appends.
  static size_t comment_text_max(const std::string& key);
  /// The hidden marker a sticky comment for `key` carries.
  static std::string comment_marker(const std::string& key);

 private:
  HttpRequest request(std::string method, const std::string& path_or_url, std::string body = {}) const;
  /// Sends and returns the response when it is 2xx; otherwise an error naming `what` and GitHub's message.
  /// `status`, when given, receives the HTTP status of a response that was not 2xx (0 when there was none).
  Result<HttpResponse> call(const std::string& what, const HttpRequest& request, bool allow_redirect = false,
                            int* status = nullptr);
  Result<std::string> download_artifact(int64_t artifact_id, const BaselineQuery& query, int* status);
  bool same_api_origin(const std::string& url) const;

  HttpClient& m_http;
  std::string m_api_url;
  std::string m_token;
  std::string m_repository;
  std::string m_login;
  /// Whose answers these are, for messages: "GitHub", or on Gitea/Forgejo "the forge".
  std::string api_name() const { return m_gitea ? "the forge" : "GitHub"; }
  bool m_gitea = false;
};

}  // namespace treeprint
