#include "publish/github_api.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <condition_variable>
#include <mutex>

#include "publish/local_server.h"
#include "publish/zip_fixture.h"
#include "util/format.h"
#include "util/sha256.h"
#include "util/text.h"

namespace treeprint {
namespace {

using testing::ServerThread;

struct Seen {
  std::string method;
  std::string path;  // with the query
  std::string body;
  httplib::Headers headers;
};

/// A fake GitHub on loopback that records every request.
class FakeGitHub {
 public:
  FakeGitHub() {
    // The logger runs after the answer has gone out; counting requests as they arrive lets seen() wait for it.
    m_server->set_pre_routing_handler([this](const httplib::Request&, httplib::Response&) {
      std::lock_guard lock(m_mutex);
      ++m_started;
      return httplib::Server::HandlerResponse::Unhandled;
    });
    m_server->set_logger([this](const httplib::Request& req, const httplib::Response&) {
      std::lock_guard lock(m_mutex);
      std::string path = req.path;
      if (!req.params.empty()) {
        path += "?";
        for (const auto& [k, v] : req.params) path += k + "=" + v + "&";
        path.pop_back();
      }
      m_seen.push_back({req.method, path, req.body, req.headers});
      m_logged.notify_all();
    });
  }
  httplib::Server& operator*() { return *m_server; }
  httplib::Server* operator->() { return &*m_server; }
  std::string url(const std::string& path = "") const { return m_server.url(path); }
  std::vector<Seen> seen() {
    std::unique_lock lock(m_mutex);
    m_logged.wait(lock, [this] { return m_seen.size() == m_started; });
    return m_seen;
  }

 private:
  /// One worker thread: requests are handled, and logged, in the order they came.
  static std::unique_ptr<httplib::Server> sequential() {
    auto s = std::make_unique<httplib::Server>();
    s->new_task_queue = [] { return new httplib::ThreadPool(1); };
    return s;
  }
  std::mutex m_mutex;
  std::condition_variable m_logged;
  size_t m_started = 0;
  std::vector<Seen> m_seen;
  ServerThread m_server{sequential()};  // last: stopped before what its handlers use is destroyed
};

struct Env {
  HttpClientOptions options;
  std::vector<std::string> log;
  Env() {
    options.sleep = [](std::chrono::milliseconds) {};
    options.getenv = [](const char*) -> std::optional<std::string> { return std::nullopt; };
    options.log = [this](const std::string& l) { log.push_back(l); };
    options.user_agent = "treeprint/test-1.2.3";
  }
};

// A GitHubApi for o/r at BASE, on an HTTP client that neither sleeps between retries nor reads the environment.
struct Api {
  Env env;
  HttpClient http{env.options};
  GitHubApi api;
  explicit Api(const std::string& base) : api(http, base, "ghs_test0123456789", "o/r") {}
  GitHubApi* operator->() { return &api; }
};

simdjson::dom::element parse(simdjson::dom::parser& parser, const std::string& body) {
  simdjson::dom::element e;
  EXPECT_FALSE(parser.parse(body).get(e)) << body;
  return e;
}

TEST(GitHubApi, CheckRunSendsTheFirst50AnnotationsThenPatchesTheRest) {
  FakeGitHub gh;
  gh->Post("/repos/o/r/check-runs", [](const httplib::Request&, httplib::Response& res) {
    res.status = 201;
    res.set_content(R"({"id": 77, "html_url": "https://github.com/o/r/runs/77"})", "application/json");
  });
  gh->Patch("/repos/o/r/check-runs/77", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"id": 77})", "application/json");
  });
  Api api(gh.url("/"));
  CheckRun run;
  run.name = "treeprint";
  run.head_sha = "abc123";
  run.conclusion = "failure";
  run.title = "3 files changed";
  run.summary = std::string(70'000, 's');
  for (int i = 0; i < 120; ++i)
    run.annotations.push_back({"f" + std::to_string(i), i + 1, i + 1, "warning", "changed"});
  auto r = api->create_check_run(run);
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->id, 77);
  EXPECT_EQ(r->html_url, "https://github.com/o/r/runs/77");

  const auto seen = gh.seen();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[1].method, "PATCH");
  EXPECT_EQ(seen[1].path, "/repos/o/r/check-runs/77");
  EXPECT_EQ(seen[2].method, "PATCH");
  simdjson::dom::parser parser;
  std::vector<size_t> batch;
  std::string first_path;
  for (const Seen& s : seen) {
    EXPECT_EQ(s.headers.find("Accept")->second, "application/vnd.github+json");
    EXPECT_EQ(s.headers.find("X-GitHub-Api-Version")->second, "2022-11-28");
    EXPECT_EQ(s.headers.find("User-Agent")->second, "treeprint/test-1.2.3");
    EXPECT_EQ(s.headers.find("Authorization")->second, "Bearer ghs_test0123456789");
    EXPECT_EQ(s.headers.find("Content-Type")->second, "application/json");
    auto output = parse(parser, s.body)["output"];
    simdjson::dom::array annotations;
    ASSERT_FALSE(output["annotations"].get_array().get(annotations));
    batch.push_back(annotations.size());
    std::string_view summary;
    ASSERT_FALSE(output["summary"].get_string().get(summary));
    EXPECT_EQ(summary.size(), 65535u);
    EXPECT_TRUE(summary.ends_with("*(cut: longer than GitHub allows)*"));
  }
  EXPECT_EQ(batch, (std::vector<size_t>{50, 50, 20}));
  auto doc = parse(parser, seen[0].body);
  EXPECT_EQ(std::string_view(doc["name"].get_string().value()), "treeprint");
  EXPECT_EQ(std::string_view(doc["head_sha"].get_string().value()), "abc123");
  EXPECT_EQ(std::string_view(doc["conclusion"].get_string().value()), "failure");
  EXPECT_EQ(std::string_view(doc["output"]["annotations"].at(0)["path"].get_string().value()), "f0");
  EXPECT_EQ(std::string_view(parse(parser, seen[2].body)["output"]["annotations"].at(0)["path"].get_string().value()),
            "f100");
}

// 20,000 unreadable files must not cost 400 requests: a bounded number is annotated, the rest counted in the text.
TEST(GitHubApi, CheckRunAnnotationsAreBounded) {
  FakeGitHub gh;
  gh->Post("/repos/o/r/check-runs", [](const httplib::Request&, httplib::Response& res) {
    res.status = 201;
    res.set_content(R"({"id": 77})", "application/json");
  });
  gh->Patch("/repos/o/r/check-runs/77", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"id": 77})", "application/json");
  });
  Api api(gh.url());
  CheckRun run;
  run.name = "treeprint";
  run.head_sha = "abc123";
  run.summary = "s";
  for (int i = 0; i < 20'000; ++i) run.annotations.push_back({"f" + std::to_string(i), 1, 1, "failure", "unreadable"});
  ASSERT_TRUE(api->create_check_run(run));
  const auto seen = gh.seen();
  ASSERT_EQ(seen.size(), k_check_annotations_max / k_check_annotations_per_request);
  simdjson::dom::parser parser;
  size_t sent = 0;
  for (const Seen& s : seen) sent += parse(parser, s.body)["output"]["annotations"].get_array().value().size();
  EXPECT_EQ(sent, k_check_annotations_max);
  std::string_view text;
  ASSERT_FALSE(parse(parser, seen[0].body)["output"]["text"].get_string().get(text));
  EXPECT_EQ(text, "*19,800 more entries are not annotated (a check run gets at most 200); all of them are in the "
                  "manifest's `errors`.*");
}

TEST(GitHubApi, ReadOnlyTokenIsAClearErrorAndNotRetried) {
  FakeGitHub gh;
  gh->Post("/repos/o/r/check-runs", [](const httplib::Request&, httplib::Response& res) {
    res.status = 403;
    res.set_content(R"({"message":"Resource not accessible by integration","documentation_url":"https://docs"})",
                    "application/json");
  });
  Api api(gh.url());
  auto r = api->create_check_run({"treeprint", "abc"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(),
            "creating check run 'treeprint': HTTP 403: Resource not accessible by integration (the token may not do "
            "this: check the workflow's `permissions:`; on a pull request from a fork the token is read-only)");
  EXPECT_EQ(gh.seen().size(), 1u);
}

TEST(GitHubApi, CommitStatusDescriptionIsCut) {
  FakeGitHub gh;
  gh->Post("/repos/o/r/statuses/abc", [](const httplib::Request&, httplib::Response& res) {
    res.status = 201;
    res.set_content("{}", "application/json");
  });
  Api api(gh.url());
  auto r = api->create_commit_status({"abc", "success", "treeprint", std::string(300, 'd'), "https://x/y"});
  ASSERT_TRUE(r) << r.error();
  const auto seen = gh.seen();
  ASSERT_EQ(seen.size(), 1u);
  simdjson::dom::parser parser;
  auto doc = parse(parser, seen[0].body);
  EXPECT_EQ(std::string_view(doc["state"].get_string().value()), "success");
  EXPECT_EQ(std::string_view(doc["context"].get_string().value()), "treeprint");
  EXPECT_EQ(std::string_view(doc["target_url"].get_string().value()), "https://x/y");
  EXPECT_EQ(std::string_view(doc["description"].get_string().value()), std::string(137, 'd') + "...");
}

/// Comments on two pages; `marked` (if not 0) carries our marker.
void serve_comments(FakeGitHub& gh, int64_t marked, const std::string& next_base) {
  gh->Get("/repos/o/r/issues/5/comments",
          [&gh, marked, next_base](const httplib::Request& req, httplib::Response& res) {
            const bool second = req.get_param_value("page") == "2";
            std::string body = "[";
            for (int64_t id = second ? 101 : 1; id <= (second ? 150 : 100); ++id) {
              if (body.size() > 1) body += ",";
              const std::string text = id == marked ? "old report\\n" + GitHubApi::comment_marker("treeprint") : "LGTM";
              body += "{\"id\":" + std::to_string(id) + ",\"body\":\"" + text +
                      "\",\"user\":{\"login\":\"github-actions[bot]\"}}";
            }
            body += "]";
            if (!second) {
              res.set_header("Link", "<" + (next_base.empty() ? gh.url() : next_base) +
                                         "/repos/o/r/issues/5/comments?per_page=100&page=2>; rel=\"next\", <" +
                                         gh.url() + "/repos/o/r/issues/5/comments?per_page=100&page=2>; rel=\"last\"");
            }
            res.set_content(body, "application/json");
          });
  gh->Patch(R"(/repos/o/r/issues/comments/(\d+))",
            [](const httplib::Request&, httplib::Response& res) { res.set_content("{}", "application/json"); });
  gh->Post("/repos/o/r/issues/5/comments", [](const httplib::Request&, httplib::Response& res) {
    res.status = 201;
    res.set_content(R"({"id": 999})", "application/json");
  });
}

TEST(GitHubApi, StickyCommentIsFoundOnALaterPageAndUpdated) {
  FakeGitHub gh;
  serve_comments(gh, 142, "");
  Api api(gh.url());
  auto r = api->upsert_sticky_comment(5, "treeprint", "new report");
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->id, 142);
  EXPECT_FALSE(r->created);
  const auto seen = gh.seen();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].path, "/repos/o/r/issues/5/comments?per_page=100");
  EXPECT_EQ(seen[1].path, "/repos/o/r/issues/5/comments?page=2&per_page=100");
  EXPECT_EQ(seen[2].method, "PATCH");
  EXPECT_EQ(seen[2].path, "/repos/o/r/issues/comments/142");
  EXPECT_EQ(seen[2].body, "{\"body\":\"new report\\n" + GitHubApi::comment_marker("treeprint") + "\"}");
}

TEST(GitHubApi, StickyCommentIsCreatedOnceWhenAbsent) {
  FakeGitHub gh;
  serve_comments(gh, 0, "");
  Api api(gh.url());
  auto r = api->upsert_sticky_comment(5, "treeprint", std::string(70'000, 'x'));
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->id, 999);
  EXPECT_TRUE(r->created);
  const auto seen = gh.seen();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[2].method, "POST");
  simdjson::dom::parser parser;
  std::string_view body = parse(parser, seen[2].body)["body"].get_string().value();
  EXPECT_LE(body.size(), k_comment_body_max);
  EXPECT_TRUE(body.ends_with(GitHubApi::comment_marker("treeprint")));
}

// The marker is predictable: anyone who can comment can plant it. Only the token's own comment is updated.
TEST(GitHubApi, StickyCommentPlantedBySomeoneElseIsNotTouched) {
  for (const bool ours_too : {false, true}) {
    FakeGitHub gh;
    const std::string marker = GitHubApi::comment_marker("treeprint");
    gh->Get("/repos/o/r/issues/5/comments", [&](const httplib::Request&, httplib::Response& res) {
      std::string body = R"([{"id": 41, "body": "hi", "user": {"login": "github-actions[bot]"}},)"
                         R"({"id": 42, "body": "gotcha\n)" + marker + R"(", "user": {"login": "mallory"}},)"
                         R"({"id": 43, "body": "no user\n)" + marker + R"("})";
      if (ours_too) body += R"(,{"id": 44, "body": "old\n)" + marker + R"(", "user": {"login": "github-actions[bot]"}})";
      res.set_content(body + "]", "application/json");
    });
    gh->Patch(R"(/repos/o/r/issues/comments/(\d+))",
              [](const httplib::Request&, httplib::Response& res) { res.set_content("{}", "application/json"); });
    gh->Post("/repos/o/r/issues/5/comments", [](const httplib::Request&, httplib::Response& res) {
      res.status = 201;
      res.set_content(R"({"id": 999})", "application/json");
    });
    Api api(gh.url());
    auto r = api->upsert_sticky_comment(5, "treeprint", "report");
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(r->foreign_markers, 2u);
    const auto seen = gh.seen();
    ASSERT_EQ(seen.size(), 2u);
    for (const Seen& s : seen) EXPECT_EQ(s.path.find("/issues/comments/42"), std::string::npos);
    if (ours_too) {
      EXPECT_EQ(seen[1].method + " " + seen[1].path, "PATCH /repos/o/r/issues/comments/44");
      EXPECT_EQ(r->id, 44);
    } else {
      EXPECT_EQ(seen[1].method + " " + seen[1].path, "POST /repos/o/r/issues/5/comments");
      EXPECT_TRUE(r->created);
    }
  }
}

// A token that is not an installation token (a personal one) is asked who it is.
TEST(GitHubApi, StickyCommentOfAPersonalTokenIsFoundByItsLogin) {
  FakeGitHub gh;
  const std::string marker = GitHubApi::comment_marker("treeprint");
  gh->Get("/user", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"login": "octo-user", "id": 1})", "application/json");
  });
  gh->Get("/repos/o/r/issues/5/comments", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"([{"id": 7, "body": "x\n)" + marker + R"(", "user": {"login": "github-actions[bot]"}},)"
                    R"({"id": 8, "body": "y\n)" + marker + R"(", "user": {"login": "octo-user"}}])",
                    "application/json");
  });
  gh->Patch(R"(/repos/o/r/issues/comments/(\d+))",
            [](const httplib::Request&, httplib::Response& res) { res.set_content("{}", "application/json"); });
  Env env;
  HttpClient http(env.options);
  GitHubApi api(http, gh.url(), "ghp_personal0123456789", "o/r");
  auto r = api.upsert_sticky_comment(5, "treeprint", "report");
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->id, 8);
  EXPECT_EQ(r->foreign_markers, 1u);
  const auto seen = gh.seen();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].path, "/user");
  EXPECT_EQ(seen[2].method + " " + seen[2].path, "PATCH /repos/o/r/issues/comments/8");
}

TEST(GitHubApi, StickyCommentDoesNotFollowPagesToAnotherHost) {
  FakeGitHub gh;
  serve_comments(gh, 0, "http://127.0.0.2:9");
  Api api(gh.url());
  auto r = api->upsert_sticky_comment(5, "treeprint", "report");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(),
            "updating the comment on pull request #5: the next page of comments is on another host "
            "(http://127.0.0.2:9/repos/o/r/issues/5/comments); not sending the token there");
  EXPECT_EQ(gh.seen().size(), 1u);  // and nothing was created
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

struct BaselineServers {
  FakeGitHub gh;
  ServerThread blob;
  std::vector<std::string> blob_auth;
  std::string zip = testing::make_zip({{"manifest.json", "{\"baseline\":true}"}});

  explicit BaselineServers(std::vector<Artifact> list) {
    for (Artifact& a : list) {
      if (a.digest == "auto") a.digest = "sha256:" + to_hex(Sha256::of(zip));
    }
    gh->Get("/repos/o/r/actions/artifacts", [list](const httplib::Request&, httplib::Response& res) {
      res.set_content(artifacts_json(list), "application/json");
    });
    gh->Get(R"(/repos/o/r/actions/runs/(\d+))", [](const httplib::Request& req, httplib::Response& res) {
      const bool failed = req.matches[1] == "12";  // run 12 failed
      res.set_content(std::string("{\"id\":1,\"status\":\"completed\",\"conclusion\":\"") +
                          (failed ? "failure" : "success") + "\"}",
                      "application/json");
    });
    gh->Get(R"(/repos/o/r/actions/artifacts/(\d+)/zip)", [this](const httplib::Request& req, httplib::Response& res) {
      res.status = 302;
      res.set_header("Location", blob.url("/blob/" + std::string(req.matches[1]) + "?sig=s"));
    });
    blob->Get(R"(/blob/(\d+))", [this](const httplib::Request& req, httplib::Response& res) {
      blob_auth.push_back(req.has_header("Authorization") ? req.get_header_value("Authorization") : "<none>");
      res.set_content(zip, "application/zip");
    });
  }
};

TEST(GitHubApi, BaselineIsTheNewestUnexpiredArtifactOfASuccessfulRunOnTheBranch) {
  BaselineServers s({
      {1, "main", false, "2024-01-01T00:00:00Z", 10, "auto"},   // old, good
      {2, "main", false, "2024-03-01T00:00:00Z", 11, "auto"},   // the answer
      {3, "main", false, "2024-04-01T00:00:00Z", 12, "auto"},   // newer, but its run failed
      {4, "main", true, "2024-05-01T00:00:00Z", 13, "auto"},    // expired
      {5, "topic", false, "2024-06-01T00:00:00Z", 14, "auto"},  // another branch
  });
  Api api(s.gh.url());
  auto r = api->find_baseline({"treeprint-manifest", "main", "manifest.json"});
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->artifact_id, 2);
  EXPECT_EQ(r->run_id, 11);
  EXPECT_EQ(r->head_sha, "sha11");
  EXPECT_EQ(r->content, "{\"baseline\":true}");
  EXPECT_EQ(s.blob_auth, std::vector<std::string>{"<none>"});
  std::vector<std::string> paths;
  for (const Seen& seen : s.gh.seen()) paths.push_back(seen.method + " " + seen.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"GET /repos/o/r/actions/artifacts?name=treeprint-manifest&per_page=100",
                                             "GET /repos/o/r/actions/runs/12", "GET /repos/o/r/actions/runs/11",
                                             "GET /repos/o/r/actions/artifacts/2/zip"}));
}

TEST(GitHubApi, BaselineWithAWrongDigestIsRefused) {
  BaselineServers s({{2, "main", false, "2024-03-01T00:00:00Z", 11, "sha256:" + std::string(64, '0')}});
  Api api(s.gh.url());
  auto r = api->find_baseline({"treeprint-manifest", "main", "manifest.json"});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("artifact 2 does not match its digest"), std::string::npos) << r.error();
}

TEST(GitHubApi, BaselineZipWithAnUnsafeNameIsRefused) {
  BaselineServers s({{2, "main", false, "2024-03-01T00:00:00Z", 11, ""}});
  s.zip = testing::make_zip({{"manifest.json", "{}"}, {"../../etc/cron.d/x", "evil"}});
  Api api(s.gh.url());
  auto r = api->find_baseline({"treeprint-manifest", "main", "manifest.json"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(),
            "looking for the baseline artifact 'treeprint-manifest' on branch 'main': artifact 2: the zip holds an "
            "unsafe name '../../etc/cron.d/x'; refusing the archive");
}

TEST(GitHubApi, NoBaselineIsAClearError) {
  BaselineServers s({{5, "topic", false, "2024-06-01T00:00:00Z", 14, ""}});
  Api api(s.gh.url());
  auto r = api->find_baseline({"treeprint-manifest", "main", "manifest.json"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(),
            "looking for the baseline artifact 'treeprint-manifest' on branch 'main': none found from a successful "
            "run (1 artifacts listed, 0 unexpired on that branch)");
}

TEST(GitHubApi, NotFoundIsAClearError) {
  FakeGitHub gh;
  Api api(gh.url());
  auto r = api->find_baseline({"treeprint-manifest", "main", "manifest.json"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(),
            "looking for the baseline artifact 'treeprint-manifest' on branch 'main': HTTP 404 (not found, or the "
            "token cannot see it)");
}

TEST(GitHubApi, BadRepositoryNameSendsNothing) {
  FakeGitHub gh;
  Env env;
  HttpClient http(env.options);
  for (const std::string bad : {"", "noslash", "a/b/c", "/r", "o/", "o/r?x=1", "../x"}) {
    GitHubApi api(http, gh.url(), "ghs_test0123456789", bad);
    auto r = api.create_commit_status({"abc", "success", "treeprint", "", ""});
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error(),
              "setting commit status 'treeprint': '" + bad + "' is not a repository name of the form owner/repo");
  }
  EXPECT_TRUE(gh.seen().empty());
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
