// HttpClient over the real transport against servers on loopback: what needs sockets (timeouts, dropped
// connections, body limits, a dripping server, a real proxy, what cpp-httplib makes of hostile bytes). The policy
// itself is tested through a fake transport in http_policy_test.cc.

#include "publish/http_client.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <map>

#include "publish/client_seams.h"
#include "publish/local_server.h"

namespace treeprint {
namespace {

using std::chrono::milliseconds;
using testing::ScriptedSocketServer;
using testing::ServerThread;

/// A client whose seams record instead of acting (publish/client_seams.h), over the real transport.
using Harness = testing::ClientSeams;

HttpRequest get(const std::string& url, const std::string& token = "tok-123") {
  HttpRequest r;
  r.url = url;
  r.headers = {{"Authorization", "Bearer " + token}};
  return r;
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
