// The REST calls GitLabApi makes, seen whole (method, URL, every header in order, body) through an in-process
// transport under the real HttpClient. The contract against GitLab's OpenAPI description is in
// forge_contract_test.cc.

#include "publish/gitlab_api.h"

#include <gtest/gtest.h>

#include <memory>

#include "publish/fake_transport.h"
#include "test_support.h"

namespace treeprint {
namespace {

using testing::FakeAnswer;
using testing::FakeTransport;

const std::string k_api = "https://gitlab.example.com/api/v4";
const std::string k_token = "glpat-test0123456789";
const std::string k_marker = "<!-- treeprint-comment:treeprint_m -->";  // ":" is not kept

/// A request as GitLabApi sends it: JSON accepted, the token in the header of its kind, a JSON content type when
/// there is a body, and the client's User-Agent last.
std::string wire(const std::string& method, const std::string& path, const std::string& body = "",
                 const std::string& token_header = "Authorization: Bearer " + k_token) {
  std::string out = method + " " + k_api + path + "\nAccept: application/json\n";
  if (!token_header.empty()) out += token_header + "\n";
  if (method != "GET") out += "Content-Type: application/json\n";
  return out + "User-Agent: treeprint/test-1.2.3\n\n" + body;
}

FakeAnswer json(int status, std::string body, HttpHeaders headers = {}) {
  headers.emplace_back("Content-Type", "application/json");
  return FakeAnswer::respond(status, std::move(body), std::move(headers));
}

std::string note(int64_t id, const std::string& body, int64_t author, bool system = false) {
  return "{\"id\":" + std::to_string(id) + ",\"body\":\"" + body + "\",\"system\":" + (system ? "true" : "false") +
         ",\"author\":{\"id\":" + std::to_string(author) + ",\"username\":\"u" + std::to_string(author) + "\"}}";
}

struct Api {
  testing::TempDir dir;
  std::shared_ptr<FakeTransport> transport;
  HttpClientOptions options;
  std::unique_ptr<HttpClient> http;
  std::unique_ptr<GitLabApi> api;

  explicit Api(std::vector<FakeAnswer> script, GitLabTokenKind kind = GitLabTokenKind::access,
               const std::string& token = k_token, const std::string& project = "42")
      : transport(std::make_shared<FakeTransport>(std::move(script))) {
    dir.write("ca.pem", "PEM\n");
    options.ca_file = dir / "ca.pem";
    options.sleep = [](std::chrono::milliseconds) {};
    options.getenv = [](const char*) -> std::optional<std::string> { return std::nullopt; };
    options.user_agent = "treeprint/test-1.2.3";
    options.transport = transport;
    http = std::make_unique<HttpClient>(options);
    api = std::make_unique<GitLabApi>(*http, k_api + "/", token, kind, project);
  }
  GitLabApi* operator->() { return api.get(); }
  std::vector<std::string> sent() const { return transport->described(); }
};

TEST(GitLabApi, StickyNoteIsFoundOnALaterPageByItsAuthorAndUpdatedInPlace) {
  Api api({json(200, R"({"id": 7, "username": "project_42_bot"})"),
           json(200, "[" + note(1, "hello", 3) + "," + note(2, "planted " + k_marker, 9) + "]", {{"X-Next-Page", "2"}}),
           json(200, "[" + note(3, "old " + k_marker, 7) + "]", {{"X-Next-Page", ""}}), json(200, R"({"id": 3})")});
  auto done = api->upsert_merge_request_note(5, "treeprint:m", "new");
  ASSERT_TRUE(done) << done.error();
  EXPECT_EQ(done->id, 3);
  EXPECT_FALSE(done->created);
  EXPECT_EQ(done->foreign_markers, 1u);  // the one user 9 wrote is left alone
  const auto sent = api.sent();
  ASSERT_EQ(sent.size(), 4u);
  EXPECT_EQ(sent[0], wire("GET", "/user"));
  EXPECT_EQ(sent[1], wire("GET", "/projects/42/merge_requests/5/notes?per_page=100&page=1"));
  EXPECT_EQ(sent[2], wire("GET", "/projects/42/merge_requests/5/notes?per_page=100&page=2"));
  EXPECT_EQ(sent[3], wire("PUT", "/projects/42/merge_requests/5/notes/3", "{\"body\":\"new\\n" + k_marker + "\"}"));
}

TEST(GitLabApi, StickyNoteIsCreatedWhenNoneIsOurs) {
  Api api({json(200, R"({"id": 7})"), json(200, "[" + note(1, "system " + k_marker, 7, true) + "]"),
           json(201, R"({"id": 11})")});
  auto done = api->upsert_merge_request_note(5, "treeprint:m", "body");
  ASSERT_TRUE(done) << done.error();
  EXPECT_TRUE(done->created);
  EXPECT_EQ(done->id, 11);
  const auto sent = api.sent();
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(sent[2], wire("POST", "/projects/42/merge_requests/5/notes", "{\"body\":\"body\\n" + k_marker + "\"}"));
}

TEST(GitLabApi, ProjectPathIsEncoded) {
  Api api({json(201, R"({"id": 1})")}, GitLabTokenKind::access, k_token, "group/sub project");
  ASSERT_TRUE(api->create_commit_status({"abc", "success", "treeprint", "", "", "", 0}));
  EXPECT_EQ(api.transport->lines()[0], "POST " + k_api + "/projects/group%2Fsub%20project/statuses/abc");
}

TEST(GitLabApi, CommitStatusCarriesNameRefPipelineAndACutDescription) {
  Api api({json(201, R"({"id": 1})")});
  GitLabStatus st{"0123abc", "failed", "treeprint", std::string(300, 'd'), "https://gl/job/1", "main", 99};
  ASSERT_TRUE(api->create_commit_status(st));
  const std::string body = "{\"state\":\"failed\",\"name\":\"treeprint\",\"ref\":\"main\",\"description\":\"" +
                           std::string(252, 'd') +
                           "...\",\"target_url\":\"https://gl/job/1\",\"pipeline_id\":99}";
  EXPECT_EQ(api.sent(), std::vector<std::string>{wire("POST", "/projects/42/statuses/0123abc", body)});
}

TEST(GitLabApi, JobTokenReadsArtifactsWithItsOwnHeader) {
  Api api({FakeAnswer::respond(200, "{\"version\":1}")}, GitLabTokenKind::job, "job-secret");
  auto b = api->fetch_baseline({"feature/x", "scan files", "out/tree print.json"});
  ASSERT_TRUE(b) << b.error();
  EXPECT_EQ(b->content, "{\"version\":1}");
  EXPECT_EQ(api.sent(), std::vector<std::string>{wire(
                            "GET", "/projects/42/jobs/artifacts/feature%2Fx/raw/out/tree%20print.json?job=scan%20files",
                            "", "JOB-TOKEN: job-secret")});
}

TEST(GitLabApi, JobTokenDoesNotTryToWrite) {
  Api api({}, GitLabTokenKind::job, "job-secret");
  auto n = api->upsert_merge_request_note(5, "k", "b");
  ASSERT_FALSE(n);
  EXPECT_NE(n.error().find("CI_JOB_TOKEN cannot do this"), std::string::npos) << n.error();
  auto s = api->create_commit_status({"abc", "success", "treeprint", "", "", "", 0});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().find("project access token with the `api` scope"), std::string::npos) << s.error();
  EXPECT_EQ(api.transport->count(), 0u);
}

TEST(GitLabApi, TokenWithoutTheScopeIsAClearErrorWithoutTheToken) {
  Api api({json(403, R"({"error":"insufficient_scope","error_description":"The request requires higher privileges."})")});
  auto s = api->create_commit_status({"abc", "success", "treeprint", "", "", "", 0});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().find("HTTP 403: insufficient_scope: The request requires higher privileges."), std::string::npos)
      << s.error();
  EXPECT_NE(s.error().find("needs the `api` scope"), std::string::npos) << s.error();
  EXPECT_EQ(s.error().find(k_token), std::string::npos);
  EXPECT_EQ(api.transport->count(), 1u);  // a 403 is not retried
}

TEST(GitLabApi, ValidationErrorsAreSpelledOut) {
  Api api({json(400, R"({"message":{"state":["is invalid"],"name":["is too long","is bad"]}})")});
  auto s = api->create_commit_status({"abc", "green", "treeprint", "", "", "", 0});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().find("HTTP 400: state is invalid; name is too long, is bad"), std::string::npos) << s.error();
}

TEST(GitLabApi, NoBaselineIsANotFoundError) {
  Api api({json(404, R"({"message":"404 Not found"})")});
  auto b = api->fetch_baseline({"main", "treeprint", "treeprint-manifest.json"});
  ASSERT_FALSE(b);
  EXPECT_NE(b.error().find("last successful pipeline on 'main'"), std::string::npos) << b.error();
  EXPECT_NE(b.error().find("HTTP 404: 404 Not found (not found"), std::string::npos) << b.error();
}

TEST(GitLabApi, UnknownUserPostsNothing) {
  Api api({json(401, R"({"message":"401 Unauthorized"})")});
  auto n = api->upsert_merge_request_note(5, "k", "b");
  ASSERT_FALSE(n);
  EXPECT_NE(n.error().find("GET /user"), std::string::npos) << n.error();
  EXPECT_EQ(api.transport->count(), 1u);
}

}  // namespace
}  // namespace treeprint
