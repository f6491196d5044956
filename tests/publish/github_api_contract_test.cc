// GitHubApi against Prism, which checks every request against GitHub's OpenAPI description and answers 422 to one
// that breaks it. Run by tests/servers/run_contract_tests.py, which starts the servers and sets:
//   TREEPRINT_PRISM_MOCK_URL   `prism mock`: answers from the description's examples
//   TREEPRINT_PRISM_PROXY_URL  `prism proxy --errors` in front of our fake GitHub (tests/servers/fake_github.py)
//   TREEPRINT_FAKE_URL         the fake itself, for scripting failures and reading what it received

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdlib>

#include "publish/github_api.h"
#include "publish/fake_control.h"

namespace treeprint {
namespace {

using std::chrono::milliseconds;

const char* k_token = "ghs_contract0123456789";

std::string env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') {
    ADD_FAILURE() << name << " is not set: run this through tests/servers/run_contract_tests.py";
    return "http://127.0.0.1:9";
  }
  return v;
}

/// A client that does not really sleep, sees no proxy settings, and records its waits and log.
struct Client {
  std::vector<milliseconds> sleeps;
  std::vector<std::string> log;
  HttpClient http;
  GitHubApi api;

  explicit Client(const std::string& base, milliseconds read_timeout = milliseconds(30'000))
      : http(options(read_timeout)), api(http, base, k_token, "octo/hello") {}

  HttpClientOptions options(milliseconds read_timeout) {
    HttpClientOptions o;
    o.read_timeout = read_timeout;
    o.sleep = [this](milliseconds d) { sleeps.push_back(d); };
    o.now = [] { return int64_t{1'700'000'000}; };
    o.getenv = [](const char*) -> std::optional<std::string> { return std::nullopt; };
    o.log = [this](const std::string& l) { log.push_back(l); };
    o.user_agent = "treeprint/contract-test";
    return o;
  }
};

/// Sends a control request to the fake; returns its JSON answer.
std::string fake(const std::string& method, const std::string& path, const std::string& body = "{}") {
  return testing::fake_control(env("TREEPRINT_FAKE_URL"), method, path, body);
}

/// "METHOD path" of every API request the fake received.
std::vector<std::string> fake_requests(simdjson::dom::parser& parser,
                                       std::vector<simdjson::dom::element>* raw = nullptr) {
  static std::string keep;
  keep = fake("GET", "/_fake/log");
  std::vector<std::string> out;
  simdjson::dom::array api;
  if (parser.parse(keep)["api"].get_array().get(api)) return out;
  for (simdjson::dom::element e : api) {
    out.push_back(std::string(e["method"].get_string().value()) + " " + std::string(e["path"].get_string().value()));
    if (raw) raw->push_back(e);
  }
  return out;
}

class Mock : public ::testing::Test {
 protected:
  Client c{env("TREEPRINT_PRISM_MOCK_URL")};
};

class Proxy : public ::testing::Test {
 protected:
  void SetUp() override { fake("POST", "/_fake/reset"); }
  Client c{env("TREEPRINT_PRISM_PROXY_URL")};
};

CheckRun big_check_run() {
  CheckRun run;
  run.name = "treeprint";
  run.head_sha = "0123456789abcdef0123456789abcdef01234567";
  run.conclusion = "neutral";
  run.title = "Manifest changed";
  run.summary = std::string(70'000, 's');  // over GitHub's 65535: must be cut
  run.text = std::string(70'000, 't');
  for (int i = 0; i < 120; ++i) {
    run.annotations.push_back({"src/f" + std::to_string(i) + ".cc", i + 1, i + 1, i % 2 ? "notice" : "warning",
                               "changed", std::string(300, 'T')});
  }
  return run;
}

TEST_F(Mock, CheckRunWithManyAnnotationsIsValid) {
  auto r = c.api.create_check_run(big_check_run());
  ASSERT_TRUE(r) << r.error();
  EXPECT_GT(r->id, 0);
}

TEST_F(Mock, CommitStatusIsValid) {
  auto r = c.api.create_commit_status(
      {"0123456789abcdef0123456789abcdef01234567", "failure", "treeprint", std::string(300, 'd'), "https://x.test/r"});
  EXPECT_TRUE(r) << r.error();
}

TEST_F(Mock, CommentListIsValidAndALinkToAnotherHostIsNotFollowed) {
  // The description's example Link header points at api.github.com: not the API we were given.
  auto r = c.api.upsert_sticky_comment(12, "treeprint", "report");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(),
            "updating the comment on pull request #12: the next page of comments is on another host "
            "(https://api.github.com/resource); not sending the token there");
}

TEST_F(Mock, ArtifactListIsValidAndALinkToAnotherHostIsNotFollowed) {
  // The example answer lists "Rails" and "Test output", with a Link header to api.github.com: not the API we were
  // given, so the lookup stops there rather than send the token elsewhere. (The run and zip requests are checked
  // through the proxy below.)
  auto r = c.api.find_baseline({"Rails", "main", "manifest.json"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(),
            "looking for the baseline artifact 'Rails' on branch 'main': the next page of artifacts is on another "
            "host; not following it");
}

TEST_F(Mock, CompareIsValidAndGivesTheMergeBase) {
  // The description's example comparison: its merge_base_commit and that commit's committer date.
  auto r = c.api.merge_base("0123456789abcdef0123456789abcdef01234567", "fedcba9876543210fedcba9876543210fedcba98");
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->sha, "6dcb09b5b57875f334f61aebed695e2e4193db5e");
  EXPECT_EQ(r->committed_at, "2011-04-14T16:00:49Z");
}

TEST_F(Mock, InvalidRequestsAreRefusedWith422) {
  // Proof that the schema check is on: requests GitHub would refuse fail here too.
  CheckRun run = big_check_run();
  run.conclusion = "great";
  auto bad_conclusion = c.api.create_check_run(run);
  ASSERT_FALSE(bad_conclusion);
  EXPECT_NE(bad_conclusion.error().find("HTTP 422"), std::string::npos) << bad_conclusion.error();
  run = big_check_run();
  run.annotations[3].level = "error";
  auto bad_level = c.api.create_check_run(run);
  ASSERT_FALSE(bad_level);
  EXPECT_NE(bad_level.error().find("HTTP 422"), std::string::npos) << bad_level.error();
  auto bad_state = c.api.create_commit_status({"abc", "green", "treeprint", "", ""});
  ASSERT_FALSE(bad_state);
  EXPECT_NE(bad_state.error().find("HTTP 422"), std::string::npos) << bad_state.error();
  // A raw request with 51 annotations, as a client without batching would send.
  std::string annotations;
  for (int i = 0; i < 51; ++i) {
    annotations += std::string(i ? "," : "") +
                   R"({"path":"a","start_line":1,"end_line":1,"annotation_level":"notice","message":"m"})";
  }
  HttpRequest raw;
  raw.method = "POST";
  raw.url = env("TREEPRINT_PRISM_MOCK_URL") + "/repos/octo/hello/check-runs";
  raw.headers = {{"Content-Type", "application/json"}, {"Accept", "application/vnd.github+json"}};
  raw.body = R"({"name":"n","head_sha":"s","output":{"title":"t","summary":"s","annotations":[)" + annotations + "]}}";
  auto too_many = c.http.send(raw);
  ASSERT_TRUE(too_many) << too_many.error();
  EXPECT_EQ(too_many->status, 422);
}

TEST_F(Proxy, ServerErrorsAreRetriedAndEveryRequestCarriesGitHubsHeaders) {
  fake("POST", "/_fake/script",
       R"({"method":"POST","path":"/repos/octo/hello/check-runs","responses":[{"status":500},{"status":502}]})");
  auto r = c.api.create_check_run(big_check_run());
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(c.sleeps.size(), 2u);
  simdjson::dom::parser parser;
  std::vector<simdjson::dom::element> raw;
  const auto seen = fake_requests(parser, &raw);
  const std::string patch = "PATCH /repos/octo/hello/check-runs/" + std::to_string(r->id);
  EXPECT_EQ(seen, (std::vector<std::string>{"POST /repos/octo/hello/check-runs", "POST /repos/octo/hello/check-runs",
                                            "POST /repos/octo/hello/check-runs", patch, patch}));
  for (simdjson::dom::element e : raw) {
    simdjson::dom::object headers = e["headers"].get_object().value();
    std::map<std::string, std::string> h;
    for (auto field : headers) {
      std::string k(field.key);
      for (char& ch : k) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      h[k] = std::string(field.value.get_string().value());
    }
    EXPECT_EQ(h["authorization"], std::string("Bearer ") + k_token);
    EXPECT_EQ(h["accept"], "application/vnd.github+json");
    EXPECT_EQ(h["x-github-api-version"], "2022-11-28");
    EXPECT_EQ(h["user-agent"], "treeprint/contract-test");
  }
}

TEST_F(Proxy, PullRequestBaselineIsTheMergeBasesRun) {
  // The fake's comparison and run answers pass Prism's check of GitHub's schema; the merge base's run is chosen
  // over a newer run on the base branch.
  const std::string base(40, '3'), head(40, '7'), mb(40, '4');
  fake("POST", "/_fake/state",
       R"({"merge_bases":{")" + base + "..." + head + R"(":[")" + mb +
           R"(","2024-04-01T00:00:00Z"]},"artifacts":[)"
           R"({"id":31,"name":"treeprint-manifest","expired":false,"created_at":"2024-05-01T00:00:00Z",)"
           R"("workflow_run":{"id":61,"head_branch":"main","head_sha":")" +
           base +
           R"("}},)"
           R"({"id":32,"name":"treeprint-manifest","expired":false,"created_at":"2024-04-01T00:00:00Z",)"
           R"("workflow_run":{"id":62,"head_branch":"main","head_sha":")" +
           mb + R"("}}]})");
  BaselineQuery q;
  q.artifact_name = "treeprint-manifest";
  q.branch = "main";
  q.file_name = "manifest.json";
  q.pull_base_sha = base;
  q.pull_head_sha = head;
  auto r = c.api.find_baseline(q);
  // The fake's blob is not a zip: the choice is what is checked, through the requests made.
  ASSERT_FALSE(r);
  simdjson::dom::parser parser;
  const auto seen = fake_requests(parser);
  ASSERT_GE(seen.size(), 3u);
  EXPECT_EQ(seen[0], "GET /repos/octo/hello/compare/" + base + "..." + head + "?per_page=1");
  EXPECT_EQ(seen[1], "GET /repos/octo/hello/actions/artifacts?name=treeprint-manifest&per_page=100");
  EXPECT_EQ(seen[2], "GET /repos/octo/hello/actions/runs/62");
  EXPECT_NE(r.error().find("artifact 32"), std::string::npos) << r.error();
  EXPECT_EQ(r.error().find("merge base is unknown"), std::string::npos) << r.error();
}

TEST_F(Proxy, TooManyRequestsWaitsAsToldByRetryAfter) {
  fake(
      "POST", "/_fake/script",
      R"({"method":"POST","path":"/repos/octo/hello/statuses/abc","responses":[{"status":429,"headers":{"Retry-After":"3"}}]})");
  auto r = c.api.create_commit_status({"abc", "success", "treeprint", "ok", ""});
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(c.sleeps, std::vector<milliseconds>{milliseconds(3000)});
}

TEST_F(Proxy, RateLimitsWaitForTheReset) {
  fake("POST", "/_fake/script",
       R"({"method":"POST","path":"/repos/octo/hello/statuses/abc","responses":[
           {"status":403,"headers":{"x-ratelimit-remaining":"0","x-ratelimit-reset":"1700000010"},
            "body":{"message":"API rate limit exceeded"}},
           {"status":403,"body":{"message":"You have exceeded a secondary rate limit. Please wait."}}]})");
  auto r = c.api.create_commit_status({"abc", "success", "treeprint", "ok", ""});
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(c.sleeps, (std::vector<milliseconds>{milliseconds(11'000), milliseconds(60'000)}));
}

TEST_F(Proxy, SlowAnswerPastTheReadTimeoutIsRetried) {
  Client slow(env("TREEPRINT_PRISM_PROXY_URL"), milliseconds(1000));
  fake("POST", "/_fake/script",
       R"({"method":"GET","path":"/repos/octo/hello/actions/artifacts","responses":[{"delay":4}]})");
  fake("POST", "/_fake/state", R"({"artifacts":[]})");
  auto r = slow.api.find_baseline({"treeprint-manifest", "main", "manifest.json"});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("none found from a successful run (0 artifacts listed"), std::string::npos) << r.error();
  ASSERT_EQ(slow.sleeps.size(), 1u);
  EXPECT_NE(slow.log[0].find("(read timeout); retry 1 of 3"), std::string::npos) << slow.log[0];
}

TEST_F(Proxy, DroppedConnectionIsRetried) {
  fake("POST", "/_fake/state",
       R"({"artifacts":[{"id":21,"name":"treeprint-manifest","expired":false,"created_at":"2024-03-01T00:00:00Z",
                         "workflow_run":{"id":31,"head_branch":"main"}}]})");
  fake("POST", "/_fake/script",
       R"({"method":"GET","path":"/repos/octo/hello/actions/runs/31","responses":[{"drop":true}]})");
  fake(
      "POST", "/_fake/script",
      R"({"method":"GET","path":"/repos/octo/hello/actions/artifacts/21/zip","responses":[{"status":410,"body":{"message":"Artifact has expired"}}]})");
  auto r = c.api.find_baseline({"treeprint-manifest", "main", "manifest.json"});
  ASSERT_FALSE(r);
  // The run was read on the second try, and the zip was asked for, in the form GitHub documents; an artifact gone
  // since it was listed (410) is skipped for the next, and here there is none.
  EXPECT_EQ(r.error(),
            "looking for the baseline artifact 'treeprint-manifest' on branch 'main': none found from a successful run "
            "(1 artifacts listed, 1 unexpired on that branch); artifact 21 of run 31 has expired: taking the next");
  simdjson::dom::parser parser;
  EXPECT_EQ(fake_requests(parser),
            (std::vector<std::string>{"GET /repos/octo/hello/actions/artifacts?name=treeprint-manifest&per_page=100",
                                      "GET /repos/octo/hello/actions/runs/31", "GET /repos/octo/hello/actions/runs/31",
                                      "GET /repos/octo/hello/actions/artifacts/21/zip"}));
}

TEST_F(Proxy, StickyCommentIsUpdatedInPlaceAndNeverDuplicated) {
  std::string bodies;
  for (int i = 0; i < 150; ++i) {
    bodies += std::string(i ? "," : "") + "\"" +
              (i == 120 ? "old\\n" + GitHubApi::comment_marker("treeprint") : "LGTM " + std::to_string(i)) + "\"";
  }
  fake("POST", "/_fake/state", "{\"comments\":{\"7\":[" + bodies + "]}}");
  auto found = c.api.upsert_sticky_comment(7, "treeprint", "new report");
  ASSERT_TRUE(found) << found.error();
  EXPECT_FALSE(found->created);

  auto first = c.api.upsert_sticky_comment(8, "treeprint", "report 1");
  ASSERT_TRUE(first) << first.error();
  EXPECT_TRUE(first->created);
  auto second = c.api.upsert_sticky_comment(8, "treeprint", "report 2");
  ASSERT_TRUE(second) << second.error();
  EXPECT_FALSE(second->created);
  EXPECT_EQ(second->id, first->id);

  simdjson::dom::parser parser;
  EXPECT_EQ(fake_requests(parser),
            (std::vector<std::string>{"GET /repos/octo/hello/issues/7/comments?per_page=100",
                                      "GET /repos/octo/hello/issues/7/comments?per_page=100&page=2",
                                      "PATCH /repos/octo/hello/issues/comments/" + std::to_string(found->id),
                                      "GET /repos/octo/hello/issues/8/comments?per_page=100",
                                      "POST /repos/octo/hello/issues/8/comments",
                                      "GET /repos/octo/hello/issues/8/comments?per_page=100",
                                      "PATCH /repos/octo/hello/issues/comments/" + std::to_string(first->id)}));
}

// A comment someone else wrote with the marker is left alone; a personal token learns who it is from GET /user (the
// request and the answer checked by Prism against GitHub's description).
TEST_F(Proxy, StickyCommentPlantedBySomeoneElseIsNotPatched) {
  const std::string marker = GitHubApi::comment_marker("treeprint");
  fake("POST", "/_fake/state",
       "{\"comments\":{\"9\":[{\"body\":\"gotcha\\n" + marker + "\",\"login\":\"mallory\"}," +
           "{\"body\":\"mine\\n" + marker + "\",\"login\":\"octo-user\"}]}}");
  auto planted = c.api.upsert_sticky_comment(9, "treeprint", "report");  // ghs_: github-actions[bot], not these
  ASSERT_TRUE(planted) << planted.error();
  EXPECT_TRUE(planted->created);
  EXPECT_EQ(planted->foreign_markers, 2u);

  HttpClient http(c.options(milliseconds(30'000)));
  GitHubApi personal(http, env("TREEPRINT_PRISM_PROXY_URL"), "ghp_personal0123456789", "octo/hello");
  auto mine = personal.upsert_sticky_comment(9, "treeprint", "report");
  ASSERT_TRUE(mine) << mine.error();
  EXPECT_FALSE(mine->created);
  simdjson::dom::parser parser;
  const auto seen = fake_requests(parser);
  ASSERT_EQ(seen.size(), 5u);
  EXPECT_EQ(seen[0], "GET /repos/octo/hello/issues/9/comments?per_page=100");
  EXPECT_EQ(seen[1], "POST /repos/octo/hello/issues/9/comments");
  EXPECT_EQ(seen[2], "GET /user");
  EXPECT_EQ(seen[3], "GET /repos/octo/hello/issues/9/comments?per_page=100");
  EXPECT_EQ(seen[4], "PATCH /repos/octo/hello/issues/comments/" + std::to_string(mine->id));
}

TEST_F(Proxy, ReadOnlyTokenIsAClearErrorAndNotRetried) {
  fake(
      "POST", "/_fake/script",
      R"({"method":"POST","path":"/repos/octo/hello/statuses/abc","responses":[{"status":403,"body":{"message":"Resource not accessible by integration"}}]})");
  auto r = c.api.create_commit_status({"abc", "success", "treeprint", "ok", ""});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(),
            "setting commit status 'treeprint': HTTP 403: Resource not accessible by integration (the token may not do "
            "this: check the workflow's `permissions:`; on a pull request from a fork the token is read-only)");
  EXPECT_TRUE(c.sleeps.empty());
}

}  // namespace
}  // namespace treeprint
