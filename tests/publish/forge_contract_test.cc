// The GitHub code paths on Gitea (GitHubApi with set_gitea), through `prism proxy --errors` with Gitea's own API
// description (tests/servers/forges/gitea-subset.json) in front of a stateful fake (tests/servers/fake_forge.py):
// Prism answers 422 to a request that breaks the description, and checks the fake's answers too. Run by
// tests/servers/run_forge_tests.py, which sets TREEPRINT_GITEA_PROXY_URL and TREEPRINT_FORGE_FAKE_URL.

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdlib>

#include "publish/github_api.h"
#include "publish/fake_control.h"

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

class Gitea : public ::testing::Test {
 protected:
  void SetUp() override {
    fake("/_fake/reset");
    fake("/_fake/state", R"({"tokens": {"ghs_looks_like_github": {"id": 5, "login": "gitea-actions"},
                                         "read-only": {"id": 6, "login": "reader", "write": false}}})");
  }
  GitHubApi api(HttpClient& http, const std::string& token = "ghs_looks_like_github") {
    GitHubApi a(http, env("TREEPRINT_GITEA_PROXY_URL") + "/api/v1", token, "octo/hello");
    a.set_gitea(true);
    return a;
  }
  std::string log() { return fake("/_fake/log"); }
};

TEST_F(Gitea, CommitStatusMatchesTheDescription) {
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

TEST_F(Gitea, StickyCommentIsCreatedOnceThenUpdatedByTheTokensOwnUser) {
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

TEST_F(Gitea, ReadOnlyTokenIsAClearError) {
  HttpClient http(quiet());
  auto a = api(http, "read-only");
  auto done = a.create_commit_status({"abc", "success", "treeprint", "", ""});
  ASSERT_FALSE(done);
  EXPECT_NE(done.error().find("HTTP 403: token does not have at least one of required scope(s)"), std::string::npos)
      << done.error();
}

}  // namespace
}  // namespace treeprint
