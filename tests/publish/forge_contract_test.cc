// The forge calls through `prism proxy --errors` with each forge's own API description in front of a stateful fake
// (tests/servers/fake_forge.py): Prism answers 422 to a request that breaks the description (the fake never sees
// it), 401 to one without a credential the description accepts, and 500 to an answer of the fake that breaks it.
//   Gitea and Forgejo: the GitHub code paths (GitHubApi with set_gitea), each test run twice, once through Prism with
//           tests/servers/forges/gitea-subset.json and once with tests/servers/forges/forgejo-subset.json.
//   GitLab: GitLabApi, tests/servers/forges/gitlab-subset.json (cut from GitLab's OpenAPI 3.0 description).
// Run by tests/servers/run_forge_tests.py, which sets TREEPRINT_GITEA_PROXY_URL, TREEPRINT_FORGEJO_PROXY_URL,
// TREEPRINT_GITLAB_PROXY_URL and TREEPRINT_FORGE_FAKE_URL.

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cctype>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "publish/github_api.h"
#include "publish/gitlab_api.h"
#include "publish/fake_control.h"
#include "publish/rest_json.h"

namespace treeprint {
namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') {
    ADD_FAILURE() << name << " is not set: run this through tests/servers/run_forge_tests.py";
    return "http://127.0.0.1:9";
  }
  return v;
}

std::string fake(const std::string& path, const std::string& body = "{}") {
  return testing::fake_control(env("TREEPRINT_FORGE_FAKE_URL"), path == "/_fake/log" ? "GET" : "POST", path, body);
}

HttpClientOptions quiet() {
  HttpClientOptions o;
  o.sleep = [](std::chrono::milliseconds) {};
  o.getenv = [](const char*) -> std::optional<std::string> { return std::nullopt; };
  o.user_agent = "treeprint/contract-test";
  return o;
}

/// The requests the fake received, as "METHOD path?query".
std::vector<std::string> requests_in(const std::string& state) {
  simdjson::dom::parser p;
  std::vector<std::string> out;
  for (simdjson::dom::element e : p.parse(state)["api"].get_array()) {
    out.push_back(std::string(e["method"].get_string().value()) + " " + std::string(e["path"].get_string().value()));
  }
  return out;
}

// The parameter names the variable holding the URL of the Prism proxy with that forge's description.
class Gitea : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    fake("/_fake/reset");
    fake("/_fake/state", R"({"tokens": {"ghs_looks_like_github": {"id": 5, "login": "gitea-actions"},
                                         "read-only": {"id": 6, "login": "reader", "write": false}}})");
  }
  GitHubApi api(HttpClient& http, const std::string& token = "ghs_looks_like_github") {
    GitHubApi a(http, env(GetParam()) + "/api/v1", token, "octo/hello");
    a.set_gitea(true);
    return a;
  }
  std::string log() { return fake("/_fake/log"); }
};

TEST_P(Gitea, CommitStatusMatchesTheDescription) {
  HttpClient http(quiet());
  auto a = api(http);
  CommitStatus st{"0123456789abcdef0123456789abcdef01234567", "failure", "treeprint", "3 files, 1 errors",
                  "http://gitea.test/octo/hello/actions/runs/1"};
  auto done = a.create_commit_status(st);
  ASSERT_TRUE(done) << done.error();
  simdjson::dom::parser p;
  simdjson::dom::element s = p.parse(log())["statuses"].at(0);
  EXPECT_EQ(std::string_view(s["state"].get_string()), "failure");
  EXPECT_EQ(std::string_view(s["context"].get_string()), "treeprint");
}

TEST_P(Gitea, StickyCommentIsCreatedOnceThenUpdatedByTheTokensOwnUser) {
  const std::string marker = GitHubApi::comment_marker("treeprint:m");
  fake("/_fake/state", R"({"comments": {"3": [{"body": "planted\n)" + marker + R"(", "author": 9}]}})");
  HttpClient http(quiet());
  auto a = api(http);
  auto first = a.upsert_sticky_comment(3, "treeprint:m", "first");
  ASSERT_TRUE(first) << first.error();
  EXPECT_TRUE(first->created);
  EXPECT_EQ(first->foreign_markers, 1u);
  HttpClient http2(quiet());
  auto b = api(http2);
  auto second = b.upsert_sticky_comment(3, "treeprint:m", "second");
  ASSERT_TRUE(second) << second.error();
  EXPECT_FALSE(second->created);
  EXPECT_EQ(second->id, first->id);

  simdjson::dom::parser p;
  const std::string state = log();
  simdjson::dom::array comments = p.parse(state)["comments"]["3"].get_array();
  ASSERT_EQ(comments.size(), 2u);  // the planted one, untouched, and ours, updated in place
  EXPECT_EQ(std::string_view(comments.at(0)["body"].get_string()), "planted\n" + marker);
  EXPECT_EQ(std::string_view(comments.at(1)["body"].get_string()), "second\n" + marker);
  std::vector<std::string> requests;
  for (simdjson::dom::element e : p.parse(state)["api"].get_array()) {
    requests.push_back(std::string(e["method"].get_string().value()) + " " +
                       std::string(e["path"].get_string().value()));
  }
  EXPECT_EQ(requests, (std::vector<std::string>{
                          "GET /api/v1/user", "GET /api/v1/repos/octo/hello/issues/3/comments",
                          "POST /api/v1/repos/octo/hello/issues/3/comments", "GET /api/v1/user",
                          "GET /api/v1/repos/octo/hello/issues/3/comments",
                          "PATCH /api/v1/repos/octo/hello/issues/comments/" + std::to_string(first->id)}));
}

TEST_P(Gitea, ReadOnlyTokenIsAClearError) {
  HttpClient http(quiet());
  auto a = api(http, "read-only");
  auto done = a.create_commit_status({"abc", "success", "treeprint", "", ""});
  ASSERT_FALSE(done);
  EXPECT_NE(done.error().find("HTTP 403: token does not have at least one of required scope(s)"), std::string::npos)
      << done.error();
}

// Forgejo's description gives its error answers a body ({"message", "url"}); Gitea 1.22's declares them without one.
// Through Forgejo's, Prism checks the fake's 403 to a comment and 401 to GET /user against those schemas.
TEST_P(Gitea, ReadOnlyTokenCannotCommentAndSaysWhy) {
  HttpClient http(quiet());
  auto a = api(http, "read-only");
  auto done = a.upsert_sticky_comment(3, "treeprint:m", "text");
  ASSERT_FALSE(done);
  EXPECT_NE(done.error().find("creating it: HTTP 403: token does not have at least one of required scope(s)"),
            std::string::npos)
      << done.error();
  simdjson::dom::parser p;
  simdjson::dom::element comments;
  EXPECT_TRUE(p.parse(log())["comments"]["3"].get(comments));  // no comment was made
}

TEST_P(Gitea, UnknownTokenIsRefusedAtGetUser) {
  HttpClient http(quiet());
  auto a = api(http, "no-such-token");
  auto login = a.token_login();
  ASSERT_FALSE(login);
  EXPECT_NE(login.error().find("(GET /user): HTTP 401: token is required (the token was refused)"), std::string::npos)
      << login.error();
  EXPECT_EQ(login.error().find("no-such-token"), std::string::npos);  // the token is never in a message
  EXPECT_EQ(requests_in(log()), std::vector<std::string>{"GET /api/v1/user"});
}

INSTANTIATE_TEST_SUITE_P(Forges, Gitea, ::testing::Values("TREEPRINT_GITEA_PROXY_URL", "TREEPRINT_FORGEJO_PROXY_URL"),
                         [](const ::testing::TestParamInfo<const char*>& param) {
                           return std::string(param.param) == "TREEPRINT_GITEA_PROXY_URL" ? "Gitea" : "Forgejo";
                         });

class GitLab : public ::testing::Test {
 protected:
  static constexpr const char* k_token = "glpat-contract0123456789";
  static constexpr const char* k_job_token = "glcbt-contract0123456789";
  void SetUp() override {
    fake("/_fake/reset");
    fake("/_fake/state", std::string(R"({"tokens": {")") + k_token + R"(": {"id": 77, "login": "project_42_bot"},
                                         "read-only": {"id": 78, "login": "reader", "write": false}},
                              "job_tokens": [")" + k_job_token + R"("]})");
  }
  GitLabApi api(HttpClient& http, const std::string& project = "42", const std::string& token = k_token,
                GitLabTokenKind kind = GitLabTokenKind::access) {
    return GitLabApi(http, env("TREEPRINT_GITLAB_PROXY_URL") + "/api/v4", token, kind, project);
  }
  std::string log() { return fake("/_fake/log"); }
};

TEST_F(GitLab, TokenUserIsAskedOfGetUser) {
  HttpClient http(quiet());
  auto a = api(http);
  auto id = a.token_user_id();
  ASSERT_TRUE(id) << id.error();
  EXPECT_EQ(*id, 77);
  EXPECT_EQ(requests_in(log()), std::vector<std::string>{"GET /api/v4/user"});
}

TEST_F(GitLab, StickyNoteIsFoundByMarkerAcrossPagesThenUpdatedInPlace) {
  const std::string marker = sticky_marker("treeprint:m");
  // Two notes a page: someone else's note with the marker, a system note, then ours is made and found again.
  fake("/_fake/state", R"({"page_size": 2, "comments": {"7": [{"body": "hi", "author": 3},
                                                             {"body": "planted\n)" + marker + R"(", "author": 9},
                                                             {"body": "added 1 commit\n)" + marker + R"(", "author": 77, "system": true}]}})");
  HttpClient http(quiet());
  auto a = api(http);
  auto first = a.upsert_merge_request_note(7, "treeprint:m", "first");
  ASSERT_TRUE(first) << first.error();
  EXPECT_TRUE(first->created);
  EXPECT_EQ(first->foreign_markers, 1u);
  HttpClient http2(quiet());
  auto b = api(http2);
  auto second = b.upsert_merge_request_note(7, "treeprint:m", "second");
  ASSERT_TRUE(second) << second.error();
  EXPECT_FALSE(second->created);
  EXPECT_EQ(second->id, first->id);

  const std::string state = log();
  simdjson::dom::parser p;
  simdjson::dom::array notes = p.parse(state)["comments"]["7"].get_array();
  ASSERT_EQ(notes.size(), 4u);  // nothing duplicated, the planted note untouched
  EXPECT_EQ(std::string_view(notes.at(1)["body"].get_string()), "planted\n" + marker);
  EXPECT_EQ(std::string_view(notes.at(3)["body"].get_string()), "second\n" + marker);
  EXPECT_EQ(requests_in(state), (std::vector<std::string>{
                                    "GET /api/v4/user",
                                    "GET /api/v4/projects/42/merge_requests/7/notes?per_page=100&page=1",
                                    "GET /api/v4/projects/42/merge_requests/7/notes?per_page=100&page=2",
                                    "POST /api/v4/projects/42/merge_requests/7/notes",
                                    "GET /api/v4/user",
                                    "GET /api/v4/projects/42/merge_requests/7/notes?per_page=100&page=1",
                                    "GET /api/v4/projects/42/merge_requests/7/notes?per_page=100&page=2",
                                    "PUT /api/v4/projects/42/merge_requests/7/notes/" + std::to_string(first->id)}));
}

TEST_F(GitLab, CommitStatusWithEveryFieldMatchesTheDescription) {
  HttpClient http(quiet());
  auto a = api(http);
  GitLabStatus st{"0123456789abcdef0123456789abcdef01234567", "failed", "treeprint", "3 files, 1 errors",
                  "https://gitlab.example.com/g/p/-/jobs/5", "feature", 900};
  auto done = a.create_commit_status(st);
  ASSERT_TRUE(done) << done.error();
  simdjson::dom::parser p;
  simdjson::dom::element s = p.parse(log())["statuses"].at(0);
  EXPECT_EQ(std::string_view(s["state"].get_string()), "failed");
  EXPECT_EQ(std::string_view(s["name"].get_string()), "treeprint");
  EXPECT_EQ(std::string_view(s["ref"].get_string()), "feature");
  EXPECT_EQ(int64_t(s["pipeline_id"].get_int64()), 900);
  EXPECT_EQ(std::string_view(s["project"].get_string()), "42");
}

TEST_F(GitLab, ProjectGivenByItsPathIsOneEncodedSegment) {
  HttpClient http(quiet());
  auto a = api(http, "group/sub");
  ASSERT_TRUE(a.create_commit_status({"abc", "success", "treeprint", "", "", "", 0}));
  EXPECT_EQ(requests_in(log()), std::vector<std::string>{"POST /api/v4/projects/group%2Fsub/statuses/abc"});
}

TEST_F(GitLab, JobArtifactIsReadWithTheJobToken) {
  fake("/_fake/state", R"({"artifacts": [{"ref": "main", "job": "treeprint", "path": "treeprint-manifest.json",
                                         "content": "{\"version\": 1}"}]})");
  HttpClient http(quiet());
  auto a = api(http, "42", k_job_token, GitLabTokenKind::job);
  auto b = a.fetch_baseline({"main", "treeprint", "treeprint-manifest.json"});
  ASSERT_TRUE(b) << b.error();
  EXPECT_EQ(b->content, "{\"version\": 1}");
  simdjson::dom::parser p;
  simdjson::dom::element get = p.parse(log())["api"].at(0);
  EXPECT_EQ(std::string_view(get["path"].get_string()),
            "/api/v4/projects/42/jobs/artifacts/main/raw/treeprint-manifest.json?job=treeprint");
  std::map<std::string, std::string> headers;  // as the fake got them; Prism forwards the names in lower case
  for (auto field : get["headers"].get_object()) {
    std::string name(field.key);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    headers[name] = std::string(field.value.get_string().value());
  }
  EXPECT_EQ(headers["job-token"], k_job_token);
  EXPECT_EQ(headers.count("authorization"), 0u);
  EXPECT_EQ(headers.count("private-token"), 0u);
}

TEST_F(GitLab, MissingArtifactIsANotFoundError) {
  HttpClient http(quiet());
  auto a = api(http, "42", k_job_token, GitLabTokenKind::job);
  auto b = a.fetch_baseline({"main", "treeprint", "treeprint-manifest.json"});
  ASSERT_FALSE(b);
  EXPECT_NE(b.error().find("HTTP 404: 404 Not found (not found"), std::string::npos) << b.error();
}

TEST_F(GitLab, TokenWithoutTheApiScopeIsAClearError) {
  HttpClient http(quiet());
  auto a = api(http, "42", "read-only");
  auto done = a.create_commit_status({"abc", "success", "treeprint", "", "", "", 0});
  ASSERT_FALSE(done);
  EXPECT_NE(done.error().find("HTTP 403: insufficient_scope: The request requires higher privileges"),
            std::string::npos)
      << done.error();
  EXPECT_EQ(done.error().find("read-only"), std::string::npos);  // the token is never in a message
}

TEST_F(GitLab, AStateTheDescriptionDoesNotKnowNeverReachesGitLab) {
  HttpClient http(quiet());
  auto a = api(http);
  auto done = a.create_commit_status({"abc", "green", "treeprint", "", "", "", 0});
  ASSERT_FALSE(done);
  EXPECT_NE(done.error().find("HTTP 422"), std::string::npos) << done.error();  // Prism's answer
  EXPECT_EQ(requests_in(log()), std::vector<std::string>{});
}

}  // namespace
}  // namespace treeprint
