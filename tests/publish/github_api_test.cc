// The REST calls GitHubApi makes, seen whole (method, URL, every header in order, body) through an in-process
// transport under the real HttpClient. The contract against GitHub's OpenAPI description is in
// github_api_contract_test.cc.

#include "publish/github_api.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <memory>

#include "publish/fake_transport.h"
#include "publish/zip_fixture.h"
#include "test_support.h"
#include "util/format.h"
#include "util/sha256.h"
#include "util/text.h"

namespace treeprint {
namespace {

using testing::FakeAnswer;
using testing::FakeTransport;

const std::string k_api = "https://api.github.com";
const std::string k_token = "ghs_test0123456789";
const std::string k_note = "\\n\\n*(cut: longer than GitHub allows)*";  // as it stands in a JSON string

/// A request as GitHubApi sends it: `path` on k_api (or a whole URL), GitHub's headers, the token unless empty,
/// a JSON content type when there is a body to send, and the client's User-Agent last.
std::string wire(const std::string& method, const std::string& path, const std::string& body = "",
                 const std::string& token = k_token) {
  std::string out = method + " " + (path.starts_with("http") ? path : k_api + path) +
                    "\nAccept: application/vnd.github+json\nX-GitHub-Api-Version: 2022-11-28\n";
  if (!token.empty()) out += "Authorization: Bearer " + token + "\n";
  if (method != "GET") out += "Content-Type: application/json\n";
  return out + "User-Agent: treeprint/test-1.2.3\n\n" + body;
}

FakeAnswer json(int status, std::string body, HttpHeaders headers = {}) {
  headers.emplace_back("Content-Type", "application/json");
  return FakeAnswer::respond(status, std::move(body), std::move(headers));
}

// A GitHubApi for o/r on an HTTP client over a FakeTransport, that neither sleeps between retries nor reads the
// environment.
struct Api {
  testing::TempDir dir;
  std::shared_ptr<FakeTransport> transport;
  std::vector<std::string> log;
  HttpClientOptions options;
  std::unique_ptr<HttpClient> http;
  std::unique_ptr<GitHubApi> api;

  explicit Api(std::vector<FakeAnswer> script, const std::string& token = k_token,
               const std::string& repository = "o/r")
      : transport(std::make_shared<FakeTransport>(std::move(script))) {
    dir.write("ca.pem", "PEM\n");  // https needs a readable bundle; the fake never opens it
    options.ca_file = dir / "ca.pem";
    options.sleep = [](std::chrono::milliseconds) {};
    options.getenv = [](const char*) -> std::optional<std::string> { return std::nullopt; };
    options.log = [this](const std::string& l) { log.push_back(l); };
    options.user_agent = "treeprint/test-1.2.3";
    options.transport = transport;
    http = std::make_unique<HttpClient>(options);
    api = std::make_unique<GitHubApi>(*http, k_api, token, repository);
  }
  GitHubApi* operator->() { return api.get(); }
  std::vector<std::string> sent() const { return transport->described(); }
};

std::string annotation(const std::string& path, int64_t line, const std::string& level, const std::string& message) {
  return "{\"path\":\"" + path + "\",\"start_line\":" + std::to_string(line) + ",\"end_line\":" + std::to_string(line) +
         ",\"annotation_level\":\"" + level + "\",\"message\":\"" + message + "\"}";
}

TEST(GitHubApi, CheckRunSendsTheFirst50AnnotationsThenPatchesTheRest) {
  Api api({json(201, R"({"id": 77, "html_url": "https://github.com/o/r/runs/77"})"), json(200, R"({"id": 77})"),
           json(200, R"({"id": 77})")});
  CheckRun run;
  run.name = "treeprint";
  run.head_sha = "abc123";
  run.conclusion = "failure";
  run.title = "3 files changed";
  run.summary = std::string(70'000, 's');
  for (int i = 0; i < 120; ++i) {
    run.annotations.push_back({"f" + std::to_string(i), i + 1, i + 1, "warning", "changed"});
  }
  auto r = api->create_check_run(run);
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->id, 77);
  EXPECT_EQ(r->html_url, "https://github.com/o/r/runs/77");

  // The summary is cut to GitHub's 65535 characters, the note included.
  const std::string summary = std::string(65535 - (k_note.size() - 2), 's') + k_note;
  const auto output = [&](int from, int to) {
    std::string out = "{\"title\":\"3 files changed\",\"summary\":\"" + summary + "\",\"annotations\":[";
    for (int i = from; i < to; ++i) {
      out += (i > from ? "," : "") + annotation("f" + std::to_string(i), i + 1, "warning", "changed");
    }
    return out + "]}";
  };
  EXPECT_EQ(
      api.sent(),
      (std::vector<std::string>{
          wire("POST", "/repos/o/r/check-runs",
               R"({"name":"treeprint","head_sha":"abc123","status":"completed","conclusion":"failure","output":)" +
                   output(0, 50) + "}"),
          wire("PATCH", "/repos/o/r/check-runs/77", "{\"output\":" + output(50, 100) + "}"),
          wire("PATCH", "/repos/o/r/check-runs/77", "{\"output\":" + output(100, 120) + "}")}));
}

// 20,000 unreadable files must not cost 400 requests: a bounded number is annotated, the rest counted in the text.
TEST(GitHubApi, CheckRunAnnotationsAreBounded) {
  Api api({json(201, R"({"id": 77})"), json(200, "{}"), json(200, "{}"), json(200, "{}")});
  CheckRun run;
  run.name = "treeprint";
  run.head_sha = "abc123";
  run.summary = "s";
  for (int i = 0; i < 20'000; ++i) run.annotations.push_back({"f" + std::to_string(i), 1, 1, "failure", "unreadable"});
  ASSERT_TRUE(api->create_check_run(run));
  const auto output = [&](size_t from) {
    std::string out =
        "{\"title\":\"treeprint\",\"summary\":\"s\",\"text\":\"*19,800 more entries are not annotated (a check run "
        "gets at most 200); all of them are in the manifest's `errors`.*\",\"annotations\":[";
    for (size_t i = from; i < from + k_check_annotations_per_request; ++i) {
      out += (i > from ? "," : "") + annotation("f" + std::to_string(i), 1, "failure", "unreadable");
    }
    return out + "]}";
  };
  static_assert(k_check_annotations_max == 4 * k_check_annotations_per_request);
  EXPECT_EQ(
      api.sent(),
      (std::vector<std::string>{
          wire("POST", "/repos/o/r/check-runs",
               R"({"name":"treeprint","head_sha":"abc123","status":"completed","conclusion":"success","output":)" +
                   output(0) + "}"),
          wire("PATCH", "/repos/o/r/check-runs/77", "{\"output\":" + output(50) + "}"),
          wire("PATCH", "/repos/o/r/check-runs/77", "{\"output\":" + output(100) + "}"),
          wire("PATCH", "/repos/o/r/check-runs/77", "{\"output\":" + output(150) + "}")}));
}

TEST(GitHubApi, ReadOnlyTokenIsAClearErrorAndNotRetried) {
  Api api({json(403, R"({"message":"Resource not accessible by integration","documentation_url":"https://docs"})")});
  auto r = api->create_check_run({"treeprint", "abc"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(),
            "creating check run 'treeprint': HTTP 403: Resource not accessible by integration (the token may not do "
            "this: check the workflow's `permissions:`; on a pull request from a fork the token is read-only)");
  EXPECT_EQ(api.sent(), std::vector<std::string>{wire("POST", "/repos/o/r/check-runs",
                                                      R"({"name":"treeprint","head_sha":"abc","status":"completed",)"
                                                      R"("conclusion":"success","output":{"title":"treeprint",)"
                                                      R"("summary":""}})")});
}

TEST(GitHubApi, CommitStatusDescriptionIsCut) {
  Api api({json(201, "{}")});
  auto r = api->create_commit_status({"abc", "success", "treeprint", std::string(300, 'd'), "https://x/y"});
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(api.sent(),
            std::vector<std::string>{wire("POST", "/repos/o/r/statuses/abc",
                                          R"({"state":"success","context":"treeprint","description":")" +
                                              std::string(137, 'd') + R"(...","target_url":"https://x/y"})")});
}

// Setting the same status twice changes nothing, so a POST whose answer was lost is sent again; a new comment is not.
TEST(GitHubApi, CommitStatusIsSentAgainWhenItsAnswerWasLostACommentIsNot) {
  const auto lost = [] { return FakeAnswer::failure("no complete response from api.github.com:443", true, true); };
  Api status({lost(), json(201, "{}")});
  ASSERT_TRUE(status->create_commit_status({"abc", "success", "", "", ""}));
  const std::string once = wire("POST", "/repos/o/r/statuses/abc", R"({"state":"success"})");
  EXPECT_EQ(status.sent(), (std::vector<std::string>{once, once}));

  Api comment({json(200, "[]"), lost()});
  auto r = comment->upsert_sticky_comment(5, "treeprint", "report");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(),
            "updating the comment on pull request #5: creating it: POST "
            "https://api.github.com/repos/o/r/issues/5/comments: no complete response from api.github.com:443");
  EXPECT_EQ(comment.transport->count(), 2u);
}

/// A page of comments with ids [from, to]; `marked` (if not 0) carries our marker.
std::string comments(int64_t from, int64_t to, int64_t marked) {
  std::string body = "[";
  for (int64_t id = from; id <= to; ++id) {
    if (body.size() > 1) body += ",";
    const std::string text = id == marked ? "old report\\n" + GitHubApi::comment_marker("treeprint") : "LGTM";
    body +=
        "{\"id\":" + std::to_string(id) + ",\"body\":\"" + text + "\",\"user\":{\"login\":\"github-actions[bot]\"}}";
  }
  return body + "]";
}

/// The two pages of comments on pull request 5, the first linking to the second on `next_base`.
std::vector<FakeAnswer> comment_pages(int64_t marked, const std::string& next_base = k_api) {
  const std::string next = next_base + "/repos/o/r/issues/5/comments?per_page=100&page=2";
  return {json(200, comments(1, 100, marked),
               {{"Link", "<" + next + ">; rel=\"next\", <" + k_api +
                             "/repos/o/r/issues/5/comments?per_page=100&page=2>; rel=\"last\""}}),
          json(200, comments(101, 150, marked))};
}

TEST(GitHubApi, StickyCommentIsFoundOnALaterPageAndUpdated) {
  auto script = comment_pages(142);
  script.push_back(json(200, "{}"));
  Api api(std::move(script));
  auto r = api->upsert_sticky_comment(5, "treeprint", "new report");
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->id, 142);
  EXPECT_FALSE(r->created);
  EXPECT_EQ(r->foreign_markers, 0u);
  EXPECT_EQ(api.sent(), (std::vector<std::string>{
                            wire("GET", "/repos/o/r/issues/5/comments?per_page=100"),
                            wire("GET", "/repos/o/r/issues/5/comments?per_page=100&page=2"),
                            wire("PATCH", "/repos/o/r/issues/comments/142",
                                 "{\"body\":\"new report\\n" + GitHubApi::comment_marker("treeprint") + "\"}")}));
}

TEST(GitHubApi, StickyCommentIsCreatedOnceWhenAbsent) {
  auto script = comment_pages(0);
  script.push_back(json(201, R"({"id": 999})"));
  Api api(std::move(script));
  auto r = api->upsert_sticky_comment(5, "treeprint", std::string(70'000, 'x'));
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->id, 999);
  EXPECT_TRUE(r->created);
  // Cut so that the text, a line break and the marker are GitHub's 65536 characters at most.
  const std::string marker = GitHubApi::comment_marker("treeprint");
  const std::string text = std::string(k_comment_body_max - marker.size() - 1 - (k_note.size() - 2), 'x') + k_note;
  EXPECT_EQ(api.sent(), (std::vector<std::string>{wire("GET", "/repos/o/r/issues/5/comments?per_page=100"),
                                                  wire("GET", "/repos/o/r/issues/5/comments?per_page=100&page=2"),
                                                  wire("POST", "/repos/o/r/issues/5/comments",
                                                       "{\"body\":\"" + text + "\\n" + marker + "\"}")}));
}

// GitHub counts a comment's characters, not its bytes: a body of exactly the allowed number of characters, each
// three bytes in UTF-8, is sent whole; one character more is cut to the limit.
TEST(GitHubApi, StickyCommentLimitIsInCharacters) {
  const std::string cjk = "\xe6\x97\xa5";  // U+65E5, three bytes
  const std::string marker = GitHubApi::comment_marker("treeprint:m");
  ASSERT_EQ(GitHubApi::comment_text_max("treeprint:m"), k_comment_body_max - marker.size() - 1);
  std::string text;
  for (size_t i = 0; i < GitHubApi::comment_text_max("treeprint:m"); ++i) text += cjk;
  for (const bool longer : {false, true}) {
    SCOPED_TRACE(longer ? "one character more" : "exactly the limit");
    auto script = comment_pages(0);
    script.push_back(json(201, R"({"id": 999})"));
    Api api(std::move(script));
    ASSERT_TRUE(api->upsert_sticky_comment(5, "treeprint:m", longer ? text + "x" : text));
    const std::string posted = api.sent().back();
    const std::string body_json = posted.substr(posted.find("\n\n{") + 2);
    simdjson::dom::parser parser;
    const std::string_view body = parser.parse(body_json)["body"].get_string().value();
    EXPECT_EQ(utf16_length(body), k_comment_body_max);
    EXPECT_EQ(body.ends_with("\n" + marker), true);
    if (longer) {
      EXPECT_NE(body.find("*(cut: longer than GitHub allows)*"), std::string_view::npos);
    } else {
      EXPECT_EQ(body, text + "\n" + marker);
    }
  }
}

TEST(GitHubApi, CheckRunLimitIsInCharacters) {
  std::string summary;
  for (size_t i = 0; i < k_check_output_max / 2; ++i) summary += "\xf0\x9f\x8c\x88";  // U+1F308: 2 UTF-16 units
  summary += "s";                                                                     // 65,535 units, 131,069 bytes
  for (const bool longer : {false, true}) {
    SCOPED_TRACE(longer ? "one character more" : "exactly the limit");
    Api api({json(201, R"({"id": 77})")});
    CheckRun run;
    run.name = "treeprint";
    run.head_sha = "abc123";
    run.summary = longer ? summary + "t" : summary;
    ASSERT_TRUE(api->create_check_run(run));
    const std::string posted = api.sent().back();
    simdjson::dom::parser parser;
    const std::string_view sent =
        parser.parse(posted.substr(posted.find("\n\n{") + 2))["output"]["summary"].get_string().value();
    EXPECT_LE(utf16_length(sent), k_check_output_max);
    if (longer) {
      EXPECT_TRUE(sent.ends_with("*(cut: longer than GitHub allows)*"));
      EXPECT_GT(utf16_length(sent), k_check_output_max - 3);
    } else {
      EXPECT_EQ(sent, summary);
    }
  }
}

TEST(GitHubApi, Utf16Length) {
  EXPECT_EQ(utf16_length(""), 0u);
  EXPECT_EQ(utf16_length("abc"), 3u);
  EXPECT_EQ(utf16_length("\xc3\xa9\xe6\x97\xa5\xf0\x9f\x8c\x88"), 4u);  // é, 日, a rainbow (a surrogate pair)
  EXPECT_EQ(truncate_utf16("\xf0\x9f\x8c\x88\xf0\x9f\x8c\x88", 3, ""), "\xf0\x9f\x8c\x88");  // never half a pair
  EXPECT_EQ(truncate_utf16("abcdef", 4, "\xe2\x80\xa6"), "abc\xe2\x80\xa6");
  EXPECT_EQ(truncate_utf16("abcdef", 6, "\xe2\x80\xa6"), "abcdef");
}

// The marker is predictable: anyone who can comment can plant it. Only the token's own comment is updated.
TEST(GitHubApi, StickyCommentPlantedBySomeoneElseIsNotTouched) {
  for (const bool ours_too : {false, true}) {
    const std::string marker = GitHubApi::comment_marker("treeprint");
    std::string page = R"([{"id": 41, "body": "hi", "user": {"login": "github-actions[bot]"}},)"
                       R"({"id": 42, "body": "gotcha\n)" +
                       marker +
                       R"(", "user": {"login": "mallory"}},)"
                       R"({"id": 43, "body": "no user\n)" +
                       marker + R"("})";
    if (ours_too) page += R"(,{"id": 44, "body": "old\n)" + marker + R"(", "user": {"login": "github-actions[bot]"}})";
    Api api({json(200, page + "]"), json(ours_too ? 200 : 201, ours_too ? "{}" : R"({"id": 999})")});
    auto r = api->upsert_sticky_comment(5, "treeprint", "report");
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(r->foreign_markers, 2u);
    const std::string body = "{\"body\":\"report\\n" + marker + "\"}";
    const std::string write = ours_too ? wire("PATCH", "/repos/o/r/issues/comments/44", body)
                                       : wire("POST", "/repos/o/r/issues/5/comments", body);
    EXPECT_EQ(api.sent(), (std::vector<std::string>{wire("GET", "/repos/o/r/issues/5/comments?per_page=100"), write}));
    EXPECT_EQ(r->id, ours_too ? 44 : 999);
    EXPECT_EQ(r->created, !ours_too);
  }
}

// A token that is not an installation token (a personal one) is asked who it is.
TEST(GitHubApi, StickyCommentOfAPersonalTokenIsFoundByItsLogin) {
  const std::string marker = GitHubApi::comment_marker("treeprint");
  const std::string token = "ghp_personal0123456789";
  Api api({json(200, R"({"login": "octo-user", "id": 1})"),
           json(200, R"([{"id": 7, "body": "x\n)" + marker +
                         R"(", "user": {"login": "github-actions[bot]"}},)"
                         R"({"id": 8, "body": "y\n)" +
                         marker + R"(", "user": {"login": "octo-user"}}])"),
           json(200, "{}")},
          token);
  auto r = api->upsert_sticky_comment(5, "treeprint", "report");
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->id, 8);
  EXPECT_EQ(r->foreign_markers, 1u);
  EXPECT_EQ(api.sent(),
            (std::vector<std::string>{
                wire("GET", "/user", "", token), wire("GET", "/repos/o/r/issues/5/comments?per_page=100", "", token),
                wire("PATCH", "/repos/o/r/issues/comments/8", "{\"body\":\"report\\n" + marker + "\"}", token)}));
}

TEST(GitHubApi, OnGiteaTheIdentityIsAskedAndTheCommentListHasNoPerPage) {
  // Gitea has no github-actions[bot]: even a token that looks like GitHub's installation tokens is asked GET /user;
  // its comment list takes no per_page, and a Link header's next page is followed on the same API.
  const std::string marker = GitHubApi::comment_marker("treeprint");
  Api api({json(200, R"({"login": "gitea-actions", "id": -2})"),
           json(200, R"([{"id": 7, "body": "x\n)" + marker + R"(", "user": {"login": "github-actions[bot]"}}])",
                {{"Link", "<" + k_api + "/repos/o/r/issues/5/comments?page=2&limit=1>; rel=\"next\""},
                 {"X-Total-Count", "2"}}),
           json(200, R"([{"id": 8, "body": "y\n)" + marker + R"(", "user": {"login": "gitea-actions"}}])",
                {{"X-Total-Count", "2"}}),
           json(200, "{}")});
  api->set_gitea(true);
  auto r = api->upsert_sticky_comment(5, "treeprint", "report");
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->id, 8);
  EXPECT_EQ(r->foreign_markers, 1u);
  EXPECT_EQ(api.sent(), (std::vector<std::string>{
                            wire("GET", "/user"), wire("GET", "/repos/o/r/issues/5/comments"),
                            wire("GET", "/repos/o/r/issues/5/comments?page=2&limit=1"),
                            wire("PATCH", "/repos/o/r/issues/comments/8", "{\"body\":\"report\\n" + marker + "\"}")}));
}

TEST(GitHubApi, StickyCommentDoesNotFollowPagesToAnotherHost) {
  Api api(comment_pages(0, "https://elsewhere.example"));
  auto r = api->upsert_sticky_comment(5, "treeprint", "report");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(),
            "updating the comment on pull request #5: the next page of comments is on another host "
            "(https://elsewhere.example/repos/o/r/issues/5/comments); not sending the token there");
  // Nothing was sent there, and nothing was created.
  EXPECT_EQ(api.sent(), std::vector<std::string>{wire("GET", "/repos/o/r/issues/5/comments?per_page=100")});
}

struct Artifact {
  int64_t id;
  std::string branch;
  bool expired;
  std::string created_at;
  int64_t run_id;
  std::string digest;
};

std::string artifacts_json(const std::vector<Artifact>& list) {
  std::string out = "{\"total_count\":" + std::to_string(list.size()) + ",\"artifacts\":[";
  for (const Artifact& a : list) {
    if (out.back() != '[') out += ",";
    out += "{\"id\":" + std::to_string(a.id) +
           ",\"name\":\"treeprint-manifest\",\"expired\":" + (a.expired ? "true" : "false") + ",\"created_at\":\"" +
           a.created_at + "\",\"digest\":\"" + a.digest + "\",\"workflow_run\":{\"id\":" + std::to_string(a.run_id) +
           ",\"head_branch\":\"" + a.branch + "\",\"head_sha\":\"sha" + std::to_string(a.run_id) + "\"}}";
  }
  return out + "]}";
}

FakeAnswer run_answer(const std::string& conclusion) {
  return json(200, "{\"id\":1,\"status\":\"completed\",\"conclusion\":\"" + conclusion + "\"}");
}

/// The artifact's zip: a redirect to blob storage on another host, then the bytes.
std::vector<FakeAnswer> download(int64_t id, const std::string& zip) {
  return {
      FakeAnswer::respond(302, "", {{"Location", "https://blob.example.net/blob/" + std::to_string(id) + "?sig=s"}}),
      FakeAnswer::respond(200, zip, {{"Content-Type", "application/zip"}})};
}

/// The baseline zip the artifacts of these tests hold, and its digest as GitHub gives it.
const std::string& baseline_zip() {
  static const std::string zip = testing::make_zip({{"manifest.json", "{\"baseline\":true}"}});
  return zip;
}
std::string zip_digest() { return "sha256:" + to_hex(Sha256::of(baseline_zip())); }

TEST(GitHubApi, BaselineIsTheNewestUnexpiredArtifactOfASuccessfulRunOnTheBranch) {
  std::vector<FakeAnswer> script = {
      json(200, artifacts_json({
                    {1, "main", false, "2024-01-01T00:00:00Z", 10, zip_digest()},   // old, good
                    {2, "main", false, "2024-03-01T00:00:00Z", 11, zip_digest()},   // the answer
                    {3, "main", false, "2024-04-01T00:00:00Z", 12, zip_digest()},   // newer, but its run failed
                    {4, "main", true, "2024-05-01T00:00:00Z", 13, zip_digest()},    // expired
                    {5, "topic", false, "2024-06-01T00:00:00Z", 14, zip_digest()},  // another branch
                })),
      run_answer("failure"), run_answer("success")};
  for (FakeAnswer& a : download(2, baseline_zip())) script.push_back(std::move(a));
  Api api(std::move(script));
  auto r = api->find_baseline({"treeprint-manifest", "main", "manifest.json"});
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->artifact_id, 2);
  EXPECT_EQ(r->run_id, 11);
  EXPECT_EQ(r->head_sha, "sha11");
  EXPECT_EQ(r->content, "{\"baseline\":true}");
  // The blob storage gets GitHub's headers but not the token.
  EXPECT_EQ(api.sent(), (std::vector<std::string>{
                            wire("GET", "/repos/o/r/actions/artifacts?name=treeprint-manifest&per_page=100"),
                            wire("GET", "/repos/o/r/actions/runs/12"), wire("GET", "/repos/o/r/actions/runs/11"),
                            wire("GET", "/repos/o/r/actions/artifacts/2/zip"),
                            wire("GET", "https://blob.example.net/blob/2?sig=s", "", "")}));
  // The download, and only the download, may be as large as the query allows.
  const auto seen = api.transport->seen();
  EXPECT_EQ(seen[0].settings.max_body, HttpClientOptions{}.max_body);
  EXPECT_EQ(seen[3].settings.max_body, BaselineQuery{}.max_download);
  EXPECT_EQ(seen[4].settings.max_body, BaselineQuery{}.max_download);
}

// With a content sink the manifest goes there as it is inflated, not into the artifact's content; a sink's failure
// fails the search, naming the artifact.
TEST(GitHubApi, ABaselineContentSinkTakesTheManifest) {
  const auto script = [] {
    std::vector<FakeAnswer> s = {
        json(200, artifacts_json({{2, "main", false, "2024-03-01T00:00:00Z", 11, zip_digest()}})),
        run_answer("success")};
    for (FakeAnswer& a : download(2, baseline_zip())) s.push_back(std::move(a));
    return s;
  };
  BaselineQuery q{"treeprint-manifest", "main", "manifest.json"};
  std::string taken;
  q.content_sink = [&](std::string_view piece) {
    taken.append(piece);
    return ok_status();
  };
  Api api(script());
  auto r = api->find_baseline(q);
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->artifact_id, 2);
  EXPECT_EQ(taken, "{\"baseline\":true}");
  EXPECT_EQ(r->content, "");

  q.content_sink = [](std::string_view) { return Status::failure("cannot write it"); };
  Api failing(script());
  auto f = failing->find_baseline(q);
  ASSERT_FALSE(f);
  EXPECT_NE(f.error().find("artifact 2: cannot write it"), std::string::npos) << f.error();
}

TEST(GitHubApi, BaselineArtifactsAreListedPageByPage) {
  const std::string next = k_api + "/repos/o/r/actions/artifacts?name=treeprint-manifest&per_page=100&page=2";
  std::vector<FakeAnswer> script = {
      json(200, artifacts_json({{5, "topic", false, "2024-06-01T00:00:00Z", 14, zip_digest()}}),
           {{"Link", "<" + next + ">; rel=\"next\""}}),
      json(200, artifacts_json({{2, "main", false, "2024-03-01T00:00:00Z", 11, zip_digest()}})), run_answer("success")};
  for (FakeAnswer& a : download(2, baseline_zip())) script.push_back(std::move(a));
  Api api(std::move(script));
  auto r = api->find_baseline({"treeprint-manifest", "main", "manifest.json"});
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->artifact_id, 2);
  EXPECT_EQ(api.transport->lines(),
            (std::vector<std::string>{
                "GET " + k_api + "/repos/o/r/actions/artifacts?name=treeprint-manifest&per_page=100", "GET " + next,
                "GET " + k_api + "/repos/o/r/actions/runs/11", "GET " + k_api + "/repos/o/r/actions/artifacts/2/zip",
                "GET https://blob.example.net/blob/2?sig=s"}));
}

TEST(GitHubApi, BaselineWithAWrongDigestIsRefused) {
  std::vector<FakeAnswer> script = {
      json(200, artifacts_json({{2, "main", false, "2024-03-01T00:00:00Z", 11, "sha256:" + std::string(64, '0')}})),
      run_answer("success")};
  for (FakeAnswer& a : download(2, baseline_zip())) script.push_back(std::move(a));
  Api api(std::move(script));
  auto r = api->find_baseline({"treeprint-manifest", "main", "manifest.json"});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("artifact 2 does not match its digest"), std::string::npos) << r.error();
  EXPECT_EQ(api.transport->unanswered(), 0u);
}

TEST(GitHubApi, BaselineZipWithAnUnsafeNameIsRefused) {
  std::vector<FakeAnswer> script = {json(200, artifacts_json({{2, "main", false, "2024-03-01T00:00:00Z", 11, ""}})),
                                    run_answer("success")};
  for (FakeAnswer& a : download(2, testing::make_zip({{"manifest.json", "{}"}, {"../../etc/cron.d/x", "evil"}}))) {
    script.push_back(std::move(a));
  }
  Api api(std::move(script));
  auto r = api->find_baseline({"treeprint-manifest", "main", "manifest.json"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(),
            "looking for the baseline artifact 'treeprint-manifest' on branch 'main': artifact 2: the zip holds an "
            "unsafe name '../../etc/cron.d/x'; refusing the archive");
}

TEST(GitHubApi, NoBaselineIsAClearError) {
  Api api({json(200, artifacts_json({{5, "topic", false, "2024-06-01T00:00:00Z", 14, ""}}))});
  auto r = api->find_baseline({"treeprint-manifest", "main", "manifest.json"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(),
            "looking for the baseline artifact 'treeprint-manifest' on branch 'main': none found from a successful "
            "run (1 artifacts listed, 0 unexpired on that branch)");
  EXPECT_EQ(api.transport->count(), 1u);
}

TEST(GitHubApi, NotFoundIsAClearError) {
  Api api({});  // the fake's fallback: 404 {"message":"Not Found"}
  auto r = api->find_baseline({"treeprint-manifest", "main", "manifest.json"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(),
            "looking for the baseline artifact 'treeprint-manifest' on branch 'main': HTTP 404: Not Found (not found, "
            "or the token cannot see it)");
  EXPECT_EQ(api.transport->count(), 1u);
}

// Choosing the run to compare with (BaselineQuery): the artifacts below are listed newest first by created_at.
struct Listed {
  int64_t id;
  std::string branch;
  std::string head_sha;
  std::string created_at;
  int64_t run_id;
  bool expired = false;
  int64_t head_repository_id = 42;  // the repository's own id is 42
};

std::string listed_json(const std::vector<Listed>& list) {
  std::string out = "{\"total_count\":" + std::to_string(list.size()) + ",\"artifacts\":[";
  for (const Listed& a : list) {
    if (out.back() != '[') out += ",";
    out += "{\"id\":" + std::to_string(a.id) +
           ",\"name\":\"treeprint-manifest\",\"expired\":" + (a.expired ? "true" : "false") + ",\"created_at\":\"" +
           a.created_at + "\",\"digest\":\"" + zip_digest() +
           "\",\"workflow_run\":{\"id\":" + std::to_string(a.run_id) +
           ",\"repository_id\":42,\"head_repository_id\":" + std::to_string(a.head_repository_id) +
           ",\"head_branch\":\"" + a.branch + "\",\"head_sha\":\"" + a.head_sha + "\"}}";
  }
  return out + "]}";
}

/// A successful run whose head commit was made at `committed`.
FakeAnswer run_of(const std::string& committed, const std::string& conclusion = "success") {
  return json(200, "{\"id\":1,\"status\":\"completed\",\"conclusion\":\"" + conclusion +
                       "\",\"created_at\":\"2030-01-01T00:00:00Z\",\"head_commit\":{\"id\":\"x\",\"timestamp\":\"" +
                       committed + "\"}}");
}

FakeAnswer compare_answer(const std::string& merge_base, const std::string& date) {
  return json(200, "{\"status\":\"diverged\",\"ahead_by\":2,\"behind_by\":3,\"merge_base_commit\":{\"sha\":\"" +
                       merge_base + "\",\"commit\":{\"committer\":{\"name\":\"c\",\"date\":\"" + date + "\"}}}}");
}

const std::string k_list = "GET " + k_api + "/repos/o/r/actions/artifacts?name=treeprint-manifest&per_page=100";
std::string run_line(int64_t id) { return "GET " + k_api + "/repos/o/r/actions/runs/" + std::to_string(id); }
std::vector<std::string> download_lines(int64_t id) {
  return {"GET " + k_api + "/repos/o/r/actions/artifacts/" + std::to_string(id) + "/zip",
          "GET https://blob.example.net/blob/" + std::to_string(id) + "?sig=s"};
}
std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}
void add_download(std::vector<FakeAnswer>* script, int64_t id) {
  for (FakeAnswer& a : download(id, baseline_zip())) script->push_back(std::move(a));
}

BaselineQuery query_on(const std::string& branch) {
  BaselineQuery q;
  q.artifact_name = "treeprint-manifest";
  q.branch = branch;
  q.file_name = "manifest.json";
  return q;
}

TEST(GitHubApi, PushComparesWithTheRunOfTheCommitBefore) {
  std::vector<FakeAnswer> script = {json(200, listed_json({{1, "main", "newest", "2024-05-01T00:00:00Z", 11},
                                                           {2, "main", "before1", "2024-04-01T00:00:00Z", 12},
                                                           {3, "main", "older", "2024-03-01T00:00:00Z", 13}})),
                                    run_of("2024-04-01T00:00:00Z")};
  add_download(&script, 2);
  Api api(std::move(script));
  BaselineQuery q = query_on("main");
  q.commit = "before1";
  auto r = api->find_baseline(q);
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->artifact_id, 2);
  EXPECT_EQ(r->head_sha, "before1");
  EXPECT_EQ(r->chosen, "the run of the commit before the push");
  EXPECT_TRUE(r->notes.empty());
  EXPECT_EQ(api.transport->lines(), concat({k_list, run_line(12)}, download_lines(2)));
}

TEST(GitHubApi, ForcePushWithNoRunOfTheCommitBeforeTakesTheNewestOnTheBranch) {
  std::vector<FakeAnswer> script = {json(200, listed_json({{1, "topic", "other", "2024-06-01T00:00:00Z", 10},
                                                           {2, "main", "newest", "2024-05-01T00:00:00Z", 11},
                                                           {3, "main", "older", "2024-03-01T00:00:00Z", 13}})),
                                    run_of("2024-05-01T00:00:00Z")};
  add_download(&script, 2);
  Api api(std::move(script));
  BaselineQuery q = query_on("main");
  q.commit = "gone0000";  // rewritten away by the force-push: no run has it
  auto r = api->find_baseline(q);
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->artifact_id, 2);
  EXPECT_EQ(r->chosen, "the newest successful run on 'main'");
  EXPECT_EQ(r->notes, (std::vector<std::string>{"no successful run of the commit before the push gone0000 with an "
                                                "unexpired artifact: comparing with the newest successful run on "
                                                "'main'"}));
  EXPECT_EQ(api.transport->lines(), concat({k_list, run_line(11)}, download_lines(2)));
}

TEST(GitHubApi, PullRequestComparesWithTheRunOfTheMergeBase) {
  std::vector<FakeAnswer> script = {compare_answer("mergebase1", "2024-04-01T12:00:00Z"),
                                    json(200, listed_json({{1, "main", "basetip", "2024-05-01T00:00:00Z", 11},
                                                           {2, "feature", "head1", "2024-04-20T00:00:00Z", 12},
                                                           {3, "main", "mergebase1", "2024-04-01T13:00:00Z", 13}})),
                                    run_of("2024-04-01T12:00:00Z")};
  add_download(&script, 3);
  Api api(std::move(script));
  BaselineQuery q = query_on("main");
  q.pull_base_sha = "basetip";
  q.pull_head_sha = "head1";
  auto r = api->find_baseline(q);
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->artifact_id, 3);
  EXPECT_EQ(r->head_sha, "mergebase1");
  EXPECT_EQ(r->chosen, "the run of the merge base");
  EXPECT_TRUE(r->notes.empty());
  EXPECT_EQ(api.sent()[0], wire("GET", "/repos/o/r/compare/basetip...head1?per_page=1"));
  EXPECT_EQ(api.transport->lines(),
            concat({"GET " + k_api + "/repos/o/r/compare/basetip...head1?per_page=1", k_list, run_line(13)},
                   download_lines(3)));
}

TEST(GitHubApi, PullRequestWithoutARunOfTheMergeBaseTakesTheNewestBaseRunNoNewerThanIt) {
  std::vector<FakeAnswer> script = {
      compare_answer("mergebase1", "2024-04-01T12:00:00+02:00"),  // 10:00 UTC
      json(200, listed_json({{1, "main", "after", "2024-05-01T00:00:00Z", 11},
                             {2, "main", "before", "2024-04-01T10:30:00Z", 12},
                             {3, "main", "long-before", "2024-03-01T00:00:00Z", 13}})),
      run_of("2024-04-02T00:00:00Z"),   // committed after the merge base: its changes are not the PR's
      run_of("2024-04-01T09:59:59Z")};  // the answer (created after, committed before)
  add_download(&script, 2);
  Api api(std::move(script));
  BaselineQuery q = query_on("main");
  q.pull_base_sha = "after";
  q.pull_head_sha = "head1";
  auto r = api->find_baseline(q);
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->artifact_id, 2);
  EXPECT_EQ(r->chosen, "the newest successful run on 'main' no newer than the merge base");
  EXPECT_EQ(r->notes, (std::vector<std::string>{"no successful run of the merge base mergebase1 with an unexpired "
                                                "artifact: comparing with the newest successful run on 'main' no "
                                                "newer than it"}));
  EXPECT_EQ(api.transport->lines(),
            concat({"GET " + k_api + "/repos/o/r/compare/after...head1?per_page=1", k_list, run_line(11), run_line(12)},
                   download_lines(2)));
}

TEST(GitHubApi, PullRequestWhoseCompareFailsTakesTheNewestBaseRunWithANote) {
  std::vector<FakeAnswer> script = {json(404, "{\"message\":\"Not Found\"}"),
                                    json(200, listed_json({{1, "feature", "head1", "2024-06-01T00:00:00Z", 10},
                                                           {2, "main", "basetip", "2024-05-01T00:00:00Z", 11}})),
                                    run_of("2024-05-01T00:00:00Z")};
  add_download(&script, 2);
  Api api(std::move(script));
  BaselineQuery q = query_on("main");
  q.pull_base_sha = "basetip";
  q.pull_head_sha = "head1";
  auto r = api->find_baseline(q);
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->artifact_id, 2);
  EXPECT_EQ(r->chosen, "the newest successful run on 'main'");
  ASSERT_EQ(r->notes.size(), 1u);
  EXPECT_EQ(r->notes[0],
            "the merge base is unknown (finding the merge base of basetip and head1 (GET compare): HTTP 404: Not Found "
            "(not found, or the token cannot see it)): comparing with the newest successful run on 'main'");
}

TEST(GitHubApi, ExpiredArtifactsAreSkippedForTheNext) {
  // The wanted commit's artifact is listed as expired; the branch's newest one is gone when downloaded (410).
  std::vector<FakeAnswer> script = {json(200, listed_json({{1, "main", "newest", "2024-05-01T00:00:00Z", 11},
                                                           {2, "main", "before1", "2024-04-01T00:00:00Z", 12, true},
                                                           {3, "main", "older", "2024-03-01T00:00:00Z", 13}})),
                                    run_of("2024-05-01T00:00:00Z"), json(410, "{\"message\":\"Artifact has expired\"}"),
                                    run_of("2024-03-01T00:00:00Z")};
  add_download(&script, 3);
  Api api(std::move(script));
  BaselineQuery q = query_on("main");
  q.commit = "before1";
  auto r = api->find_baseline(q);
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->artifact_id, 3);
  EXPECT_EQ(r->notes, (std::vector<std::string>{
                          "no successful run of the commit before the push before1 with an unexpired artifact (1 "
                          "expired): comparing with the newest successful run on 'main'",
                          "artifact 1 of run 11 has expired: taking the next"}));
  EXPECT_EQ(api.transport->lines(),
            concat({k_list, run_line(11), "GET " + k_api + "/repos/o/r/actions/artifacts/1/zip", run_line(13)},
                   download_lines(3)));
}

TEST(GitHubApi, AForksRunAndThisRunAreNeverTheBaseline) {
  std::vector<FakeAnswer> script = {
      json(200, listed_json({{1, "main", "forked", "2024-06-01T00:00:00Z", 10, false, 777},  // a fork's "main"
                             {2, "main", "this", "2024-05-01T00:00:00Z", 4242},
                             {3, "main", "older", "2024-03-01T00:00:00Z", 13}})),
      run_of("2024-03-01T00:00:00Z")};
  add_download(&script, 3);
  Api api(std::move(script));
  BaselineQuery q = query_on("main");
  q.commit = "forked";
  q.current_run_id = 4242;
  auto r = api->find_baseline(q);
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->artifact_id, 3);
  EXPECT_EQ(api.transport->lines(), concat({k_list, run_line(13)}, download_lines(3)));
}

TEST(GitHubApi, Rfc3339Times) {
  EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_rfc3339("2011-04-14T16:00:49Z"), 1302796849);
  EXPECT_EQ(parse_rfc3339("2011-04-14T18:00:49+02:00"), 1302796849);
  EXPECT_EQ(parse_rfc3339("2007-10-29T02:42:39.000-07:00"), 1193650959);
  EXPECT_EQ(parse_rfc3339("2000-02-29T00:00:00Z"), 951782400);
  for (const char* bad : {"", "2011-04-14", "2011-04-14T16:00:49", "2011-04-14T16:00:49+0200", "2011-13-01T00:00:00Z",
                          "2011-04-14T16:00:49Zjunk", "2011-04-14T16:00:49.Z"}) {
    EXPECT_FALSE(parse_rfc3339(bad)) << bad;
  }
}

TEST(GitHubApi, BadRepositoryNameSendsNothing) {
  for (const std::string bad : {"", "noslash", "a/b/c", "/r", "o/", "o/r?x=1", "../x"}) {
    Api api({}, k_token, bad);
    auto r = api->create_commit_status({"abc", "success", "treeprint", "", ""});
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error(),
              "setting commit status 'treeprint': '" + bad + "' is not a repository name of the form owner/repo");
    EXPECT_EQ(api.transport->count(), 0u) << bad;
  }
}

TEST(GitHubApi, TruncationKeepsUtf8Whole) {
  EXPECT_EQ(truncate_utf8("short", 10, "!"), "short");
  EXPECT_EQ(truncate_utf8("abcdefghij", 6, "..."), "abc...");
  // "é" is two bytes: a cut in the middle of it moves back before it.
  EXPECT_EQ(truncate_utf8("aé" + std::string("bbbb"), 2, ""), "a");
  EXPECT_EQ(truncate_utf8("aébbbb", 4, ""), "aéb");
}

TEST(GitHubApi, NextLink) {
  EXPECT_EQ(
      next_link(R"(<https://api.github.com/x?page=2>; rel="next", <https://api.github.com/x?page=5>; rel="last")"),
      "https://api.github.com/x?page=2");
  EXPECT_EQ(next_link(R"(<https://a/x?page=1>; rel="prev", <https://a/x?page=3>; rel="next")"), "https://a/x?page=3");
  EXPECT_EQ(next_link(R"(<https://a/x?page=1>; rel="first")"), "");
  EXPECT_EQ(next_link(""), "");
}

}  // namespace
}  // namespace treeprint
