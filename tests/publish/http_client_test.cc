#include "publish/http_client.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <map>

#include "publish/local_server.h"

namespace treeprint {
namespace {

using std::chrono::milliseconds;
using testing::ScriptedSocketServer;
using testing::ServerThread;

/// A client whose seams record instead of acting: sleeps are not slept, the environment is `env` only.
struct Harness {
  std::vector<milliseconds> sleeps;
  std::vector<std::string> log;
  std::map<std::string, std::string> env;
  HttpClientOptions options;

  Harness() {
    options.backoff_base = milliseconds(1000);
    options.sleep = [this](milliseconds d) { sleeps.push_back(d); };
    options.now = [] { return int64_t{1'700'000'000}; };
    options.random = [] { return 0.5; };  // jitter factor 0.75
    options.getenv = [this](const char* name) -> std::optional<std::string> {
      auto it = env.find(name);
      if (it == env.end()) return std::nullopt;
      return it->second;
    };
    options.log = [this](const std::string& line) { log.push_back(line); };
  }
  HttpClient client() { return HttpClient(options); }
};

HttpRequest get(const std::string& url, const std::string& token = "tok-123") {
  HttpRequest r;
  r.url = url;
  r.headers = {{"Authorization", "Bearer " + token}};
  return r;
}

/// Answers the statuses in `script` in turn (then 200 "done"), counting requests.
struct Scripted {
  std::vector<int> script;
  std::vector<HttpHeaders> extra_headers;
  std::string body;
  std::atomic<int> requests{0};

  void install(httplib::Server& s, const std::string& path = "/x") {
    s.Get(path, [this](const httplib::Request&, httplib::Response& res) { answer(res); });
    s.Post(path, [this](const httplib::Request&, httplib::Response& res) { answer(res); });
  }
  void answer(httplib::Response& res) {
    const size_t i = static_cast<size_t>(requests++);
    if (i >= script.size()) {
      res.set_content("done", "text/plain");
      return;
    }
    res.status = script[i];
    if (i < extra_headers.size()) {
      for (const auto& [k, v] : extra_headers[i]) res.set_header(k, v);
    }
    res.set_content(body.empty() ? "{\"message\":\"scripted\"}" : body, "application/json");
  }
};

TEST(HttpClient, RetriesServerErrorsWithBackoffThenSucceeds) {
  Harness h;
  Scripted s{{500, 502}};
  ServerThread server;
  s.install(*server);
  auto r = h.client().send(get(server.url("/x")));
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "done");
  EXPECT_EQ(s.requests, 3);
  // 1 s then 2 s, each times the jitter factor 0.75.
  EXPECT_EQ(h.sleeps, (std::vector<milliseconds>{milliseconds(750), milliseconds(1500)}));
  ASSERT_EQ(h.log.size(), 2u);
  EXPECT_EQ(h.log[0], "GET " + server.url("/x") + ": HTTP 500; retry 1 of 3 in 0.8 s");
}

TEST(HttpClient, ReturnsTheLastServerErrorWhenAttemptsRunOut) {
  Harness h;
  Scripted s{{503, 503, 503, 503, 503}};
  ServerThread server;
  s.install(*server);
  auto r = h.client().send(get(server.url("/x")));
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(s.requests, 4);
  EXPECT_EQ(h.sleeps.size(), 3u);
  EXPECT_EQ(h.log.back(), "GET " + server.url("/x") + ": HTTP 503; giving up after 4 attempts");
}

TEST(HttpClient, TooManyRequestsHonoursRetryAfter) {
  Harness h;
  Scripted s{{429}, {{{"Retry-After", "7"}}}};
  ServerThread server;
  s.install(*server);
  auto r = h.client().send(get(server.url("/x")));
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(h.sleeps, (std::vector<milliseconds>{milliseconds(7000)}));
}

TEST(HttpClient, WaitLongerThanTheCapIsNotWaited) {
  Harness h;
  h.options.max_wait = milliseconds(60'000);
  Scripted s{{429}, {{{"Retry-After", "3600"}}}};
  ServerThread server;
  s.install(*server);
  auto r = h.client().send(get(server.url("/x")));
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->status, 429);
  EXPECT_EQ(s.requests, 1);
  EXPECT_TRUE(h.sleeps.empty());
}

TEST(HttpClient, PrimaryRateLimitWaitsForTheReset) {
  Harness h;
  Scripted s{{403}, {{{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset", "1700000030"}}}};
  ServerThread server;
  s.install(*server);
  auto r = h.client().send(get(server.url("/x")));
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(h.sleeps, (std::vector<milliseconds>{milliseconds(31'000)}));  // until the reset, plus a second
}

TEST(HttpClient, SecondaryRateLimitWaitsAMinute) {
  Harness h;
  Scripted s{{403}};
  s.body = R"({"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again."})";
  ServerThread server;
  s.install(*server);
  auto r = h.client().send(get(server.url("/x")));
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(h.sleeps, (std::vector<milliseconds>{milliseconds(60'000)}));
}

TEST(HttpClient, SecondaryRateLimitWithRetryAfter) {
  Harness h;
  Scripted s{{403}, {{{"Retry-After", "2"}}}};
  ServerThread server;
  s.install(*server);
  auto r = h.client().send(get(server.url("/x")));
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(h.sleeps, (std::vector<milliseconds>{milliseconds(2000)}));
}

TEST(HttpClient, OtherClientErrorsAreNotRetried) {
  for (const int status : {400, 401, 403, 404, 410, 422}) {
    Harness h;
    Scripted s{{status, status}};
    s.body = R"({"message":"Resource not accessible by integration"})";
    ServerThread server;
    s.install(*server);
    auto r = h.client().send(get(server.url("/x")));
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(r->status, status);
    EXPECT_EQ(s.requests, 1) << status;
    EXPECT_TRUE(h.sleeps.empty()) << status;
  }
}

/// The first request stalls (until released) past the client's read timeout; later ones answer at once.
struct Stall {
  std::mutex mutex;
  std::condition_variable cv;
  bool released = false;
  std::atomic<int> requests{0};

  void install(httplib::Server& s) {
    auto handler = [this](const httplib::Request&, httplib::Response& res) {
      if (requests++ == 0) {
        std::unique_lock lock(mutex);
        cv.wait_for(lock, std::chrono::seconds(20), [this] { return released; });
      }
      res.set_content("late", "text/plain");
    };
    s.Get("/slow", handler);
    s.Post("/slow", handler);
  }
  void release() {
    std::lock_guard lock(mutex);
    released = true;
    cv.notify_all();
  }
};

TEST(HttpClient, SlowResponsePastTheReadTimeoutIsRetriedWhenIdempotent) {
  Harness h;
  h.options.read_timeout = milliseconds(200);
  ServerThread server;
  Stall stall;
  stall.install(*server);
  auto r = h.client().send(get(server.url("/slow")));
  stall.release();
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->body, "late");
  EXPECT_EQ(stall.requests, 2);
  ASSERT_EQ(h.log.size(), 1u);
  EXPECT_NE(h.log[0].find("nothing arrived for 0.2 s (read timeout); retry 1 of 3"), std::string::npos) << h.log[0];
}

TEST(HttpClient, SlowResponseToAPostIsNotSentAgain) {
  Harness h;
  h.options.read_timeout = milliseconds(200);
  ServerThread server;
  Stall stall;
  stall.install(*server);
  HttpRequest post = get(server.url("/slow"));
  post.method = "POST";
  post.body = "{}";
  auto r = h.client().send(post);
  stall.release();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), "POST " + server.url("/slow") +
                           ": no complete response from 127.0.0.1:" + std::to_string(server.port()) +
                           ": the connection was closed, or nothing arrived for 0.2 s (read timeout)");
  EXPECT_EQ(stall.requests, 1);
}

TEST(HttpClient, DroppedConnectionIsRetried) {
  Harness h;
  ScriptedSocketServer server({"", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"});
  auto r = h.client().send(get(server.url("/y")));
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->body, "ok");
  EXPECT_EQ(server.connections(), 2);
  EXPECT_EQ(h.sleeps.size(), 1u);
}

TEST(HttpClient, ConnectionRefusedIsAClearErrorAfterRetries) {
  Harness h;
  int port = 0;
  {
    ServerThread gone;  // a port that was free a moment ago, now closed
    port = gone.port();
  }
  auto r = h.client().send(get("http://127.0.0.1:" + std::to_string(port) + "/z"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), "GET http://127.0.0.1:" + std::to_string(port) +
                           "/z: cannot connect to 127.0.0.1:" + std::to_string(port) + " (after 4 attempts)");
  EXPECT_EQ(h.sleeps.size(), 3u);
}

TEST(HttpClient, RedirectToAnotherHostDropsAuthorization) {
  Harness h;
  ServerThread api;
  ServerThread blob;
  std::vector<std::string> api_auth;
  std::vector<std::string> blob_auth;
  api->Get("/zip", [&](const httplib::Request& req, httplib::Response& res) {
    api_auth.push_back(req.get_header_value("Authorization"));
    res.status = 302;
    res.set_header("Location", blob.url("/blob?sig=signature-secret"));
  });
  blob->Get("/blob", [&](const httplib::Request& req, httplib::Response& res) {
    blob_auth.push_back(req.has_header("Authorization") ? req.get_header_value("Authorization") : "<none>");
    EXPECT_EQ(req.get_param_value("sig"), "signature-secret");
    res.set_content("PK-bytes", "application/zip");
  });
  auto r = h.client().send(get(api.url("/zip")));
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "PK-bytes");
  EXPECT_EQ(r->url, blob.url("/blob?sig=signature-secret"));
  EXPECT_EQ(api_auth, std::vector<std::string>{"Bearer tok-123"});
  EXPECT_EQ(blob_auth, std::vector<std::string>{"<none>"});
  // The signed query string is not logged.
  ASSERT_EQ(h.log.size(), 1u);
  EXPECT_EQ(h.log[0], "GET " + api.url("/zip") + ": HTTP 302 to " + blob.url("/blob?..."));
}

TEST(HttpClient, RedirectOnTheSameHostKeepsAuthorization) {
  Harness h;
  ServerThread api;
  std::string seen;
  api->Get("/old", [&](const httplib::Request&, httplib::Response& res) {
    res.status = 301;
    res.set_header("Location", "/new");
  });
  api->Get("/new", [&](const httplib::Request& req, httplib::Response& res) {
    seen = req.get_header_value("Authorization");
    res.set_content("moved", "text/plain");
  });
  auto r = h.client().send(get(api.url("/old")));
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->body, "moved");
  EXPECT_EQ(seen, "Bearer tok-123");
}

TEST(HttpClient, RedirectLoopIsBounded) {
  Harness h;
  h.options.max_redirects = 3;
  ServerThread api;
  std::atomic<int> hits{0};
  api->Get("/loop", [&](const httplib::Request&, httplib::Response& res) {
    ++hits;
    res.status = 302;
    res.set_header("Location", "/loop");
  });
  auto r = h.client().send(get(api.url("/loop")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), "GET " + api.url("/loop") + ": more than 3 redirects");
  EXPECT_EQ(hits, 4);
}

TEST(HttpClient, BodyOverTheLimitIsAnError) {
  Harness h;
  ServerThread server;
  server->Get("/big", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(3 << 20, 'x'), "application/octet-stream");
  });
  HttpRequest req = get(server.url("/big"));
  req.max_body = 1 << 20;
  auto r = h.client().send(req);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("is larger than the limit of 1048576 bytes"), std::string::npos) << r.error();
  EXPECT_TRUE(h.sleeps.empty());  // not retried
  req.max_body = 4 << 20;
  auto ok = h.client().send(req);
  ASSERT_TRUE(ok) << ok.error();
  EXPECT_EQ(ok->body.size(), 3u << 20);
}

TEST(HttpClient, TokenNeverAppearsInLogsOrErrors) {
  Harness h;
  const std::string token = "ghs_SuperSecretToken0123456789";
  Scripted s{{500, 500, 500, 500}};
  s.body = "{\"message\":\"echo " + token + "\"}";
  ServerThread server;
  s.install(*server);
  HttpClient client = h.client();
  auto r = client.send(get(server.url("/x"), token));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  // A failure whose message would hold the token (here in the URL itself).
  HttpRequest bad = get("http://127.0.0.1:1/" + token + "?t=" + token, token);
  auto e = client.send(bad);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().find(token), std::string::npos) << e.error();
  EXPECT_NE(e.error().find("http://127.0.0.1:1/***?..."), std::string::npos) << e.error();
  ASSERT_FALSE(h.log.empty());
  for (const std::string& line : h.log) EXPECT_EQ(line.find(token), std::string::npos) << line;
  EXPECT_EQ(client.redact("Authorization: Bearer " + token), "Authorization: ***");
  EXPECT_EQ(client.redact("Authorization: token " + token), "Authorization: token ***");
}

/// True when `text` could end a log line or hold a workflow command.
bool could_forge(const std::string& text) {
  return text.find_first_of("\r\n") != std::string::npos || text.find("::") != std::string::npos ||
         text.find("##[") != std::string::npos;
}

// A hostile server's Location (cpp-httplib percent-decodes header values, so %0A and %0D are line breaks by then),
// status line and error text never reach a log line or an error message as they are.
TEST(HttpClient, WhatAServerSendsCannotFormWorkflowCommands) {
  const std::string evil = "%0D%0A::warning::pwned%0A##[add-mask]Failed%25";
  ScriptedSocketServer server({
      "HTTP/1.1 302 Found ::error::status %0A##[set-output name=x]y\r\nLocation: /next" + evil +
          "\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1" + evil + ":1/\r\nContent-Length: 0\r\n\r\n",
  });
  Harness h;
  h.options.max_attempts = 1;
  auto r = h.client().send(get(server.url("/start")));
  ASSERT_FALSE(r);
  ASSERT_FALSE(h.log.empty());
  for (const std::string& line : h.log) EXPECT_FALSE(could_forge(line)) << line;
  EXPECT_FALSE(could_forge(r.error())) << r.error();
  // The text is still there to read, made inert.
  EXPECT_NE(h.log[0].find("\\x0a:\\x3awarning:\\x3apwned"), std::string::npos) << h.log[0];
}

TEST(HttpClient, NoTokenOverPlainHttpExceptToLoopback) {
  Harness h;
  auto r = h.client().send(get("http://api.example.org/repos/x", "ghp_secret"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(),
            "GET http://api.example.org/repos/x: refusing to send the token over plain http to "
            "http://api.example.org: it would cross the network unencrypted; use an https:// URL (plain http is only "
            "allowed to a loopback address)");
  EXPECT_TRUE(is_loopback_host("127.0.0.1"));
  EXPECT_TRUE(is_loopback_host("127.255.0.9"));
  EXPECT_TRUE(is_loopback_host("::1"));
  EXPECT_TRUE(is_loopback_host("localhost"));
  EXPECT_FALSE(is_loopback_host("127.0.0.1.nip.io"));
  EXPECT_FALSE(is_loopback_host("128.0.0.1"));
  EXPECT_FALSE(is_loopback_host("localhost.example.org"));
  // Loopback (what the tests use) is allowed.
  ServerThread server;
  server->Get("/ok", [](const httplib::Request&, httplib::Response& res) { res.set_content("ok", "text/plain"); });
  EXPECT_TRUE(h.client().send(get(server.url("/ok"))));
}

/// Answers with a body of `total` bytes, one byte every `gap`: never silent long enough for a read timeout.
class DrippingServer {
 public:
  DrippingServer(int total, std::chrono::milliseconds gap) {
    m_server->Get("/drip", [total, gap, this](const httplib::Request&, httplib::Response& res) {
      res.set_chunked_content_provider("text/plain", [total, gap, this](size_t offset, httplib::DataSink& sink) {
        if (m_stop || offset >= static_cast<size_t>(total)) {
          sink.done();
          return true;
        }
        std::this_thread::sleep_for(gap);
        return sink.write("x", 1);
      });
    });
  }
  ~DrippingServer() { m_stop = true; }
  std::string url() const { return m_server.url("/drip"); }

 private:
  std::atomic<bool> m_stop{false};
  ServerThread m_server;
};

// A server that drips a byte every 50 ms for 4 s is cut off at the request's deadline, not waited for.
TEST(HttpClient, ADrippingServerIsCutOffAtTheDeadline) {
  DrippingServer server(80, milliseconds(50));
  Harness h;
  h.options.max_attempts = 1;
  h.options.request_deadline = milliseconds(500);
  auto r = h.client().send(get(server.url()));
  ASSERT_FALSE(r) << "the whole body came: " << r->body.size() << " bytes";
  EXPECT_NE(r.error().find("within the 0.5 s left (deadline)"), std::string::npos) << r.error();
}

// Retries stop at the phase deadline, and waits the servers ask for add up to at most max_total_wait.
TEST(HttpClient, WaitsAreBoundedInTotalAndByThePhaseDeadline) {
  Scripted s{{429, 429, 429, 429}, {{{"Retry-After", "100"}}, {{"Retry-After", "100"}}, {{"Retry-After", "100"}}}};
  ServerThread server;
  s.install(*server);
  Harness h;
  h.options.max_total_wait = milliseconds(150'000);
  auto t = std::chrono::steady_clock::time_point{};
  h.options.clock = [&] { return t; };
  h.options.sleep = [&](milliseconds d) {
    h.sleeps.push_back(d);
    t += d;
  };
  HttpClient client = h.client();
  auto r = client.send(get(server.url("/x")));
  ASSERT_TRUE(r);  // the server's last answer, 429, after one wait: a second would pass the cap
  EXPECT_EQ(r->status, 429);
  EXPECT_EQ(h.sleeps, std::vector<milliseconds>{milliseconds(100'000)});
  EXPECT_NE(h.log.back().find("would pass the 150 s this run may spend waiting"), std::string::npos) << h.log.back();

  // The phase deadline: a wait that would pass it is not waited.
  Scripted s2{{429, 429}, {{{"Retry-After", "30"}}, {{"Retry-After", "30"}}}};
  ServerThread server2;
  s2.install(*server2);
  h.sleeps.clear();
  HttpClient phased = h.client();
  phased.set_deadline(t + milliseconds(10'000));
  auto p = phased.send(get(server2.url("/x")));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->status, 429);
  EXPECT_EQ(s2.requests, 1);
  EXPECT_TRUE(h.sleeps.empty());
  // Once it has passed, nothing more is sent.
  t += milliseconds(20'000);
  auto late = phased.send(get(server2.url("/x")));
  ASSERT_FALSE(late);
  EXPECT_NE(late.error().find("gave up at the deadline for all network requests"), std::string::npos) << late.error();
  EXPECT_EQ(s2.requests, 1);
}

TEST(HttpClient, HttpProxyIsUsedUnlessNoProxyMatches) {
  Harness h;
  ServerThread proxy;
  std::vector<std::string> proxied;
  proxy->Get(".*", [&](const httplib::Request& req, httplib::Response& res) {
    proxied.push_back(req.path);
    res.set_content("via proxy", "text/plain");
  });
  ServerThread direct;
  direct->Get("/d", [](const httplib::Request&, httplib::Response& res) { res.set_content("direct", "text/plain"); });
  h.env = {{"http_proxy", proxy.url()}, {"no_proxy", "localhost, .example.com"}};
  HttpRequest plain;  // no token: one is never sent over plain http off loopback
  plain.url = "http://api.example.org/repos/x";
  auto r = h.client().send(plain);
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->body, "via proxy");
  EXPECT_EQ(proxied, std::vector<std::string>{"http://api.example.org:80/repos/x"});
  h.env["no_proxy"] = "127.0.0.1";
  auto d = h.client().send(get(direct.url("/d")));
  ASSERT_TRUE(d) << d.error();
  EXPECT_EQ(d->body, "direct");
}

TEST(HttpClient, ProxySelectionFollowsCurl) {
  std::map<std::string, std::string> env;
  const auto getenv = [&](const char* name) -> std::optional<std::string> {
    auto it = env.find(name);
    return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  EXPECT_EQ(proxy_for("https://api.github.com/x", getenv), "");
  env = {{"HTTPS_PROXY", "http://p:3128"}};
  EXPECT_EQ(proxy_for("https://api.github.com/x", getenv), "http://p:3128");
  EXPECT_EQ(proxy_for("http://api.github.com/x", getenv), "");  // HTTPS_PROXY is for https only
  env = {{"https_proxy", "http://lower:1"}, {"HTTPS_PROXY", "http://upper:2"}, {"HTTP_PROXY", "http://h:3"}};
  EXPECT_EQ(proxy_for("https://api.github.com/x", getenv), "http://lower:1");
  EXPECT_EQ(proxy_for("http://ghes.corp/x", getenv), "http://h:3");
  env["NO_PROXY"] = "github.com";
  EXPECT_EQ(proxy_for("https://api.github.com/x", getenv), "");  // subdomain
  EXPECT_EQ(proxy_for("https://github.com/x", getenv), "");      // the name itself
  EXPECT_EQ(proxy_for("https://notgithub.com/x", getenv), "http://lower:1");
  env["NO_PROXY"] = " .github.com ,other";
  EXPECT_EQ(proxy_for("https://API.GITHUB.COM/x", getenv), "");
  EXPECT_EQ(proxy_for("https://other/x", getenv), "");
  env["NO_PROXY"] = "*";
  EXPECT_EQ(proxy_for("https://anything.example/x", getenv), "");
  env["no_proxy"] = "example.org";  // lower case wins over NO_PROXY
  EXPECT_EQ(proxy_for("https://anything.example/x", getenv), "http://lower:1");
}

TEST(HttpClient, UrlsAndLocations) {
  auto u = parse_url("HTTPS://Api.GitHub.com/repos/a?x=1#frag");
  ASSERT_TRUE(u) << u.error();
  EXPECT_EQ(u->scheme, "https");
  EXPECT_EQ(u->host, "api.github.com");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->target, "/repos/a?x=1");
  EXPECT_EQ(u->origin(), "https://api.github.com");
  auto v6 = parse_url("http://[::1]:8080");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->target, "/");
  EXPECT_EQ(v6->origin(), "http://[::1]:8080");
  EXPECT_FALSE(parse_url("ftp://x/"));
  EXPECT_FALSE(parse_url("http://x:99999/"));
  EXPECT_FALSE(parse_url("/relative"));
  EXPECT_EQ(resolve_location(*u, "/other"), "https://api.github.com/other");
  EXPECT_EQ(resolve_location(*u, "sib"), "https://api.github.com/repos/sib");
  EXPECT_EQ(resolve_location(*u, "//blob.example/b"), "https://blob.example/b");
  EXPECT_EQ(resolve_location(*u, "http://elsewhere/"), "http://elsewhere/");
}

}  // namespace
}  // namespace treeprint
