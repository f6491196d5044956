// HttpClient's policy (retries, waits, redirects, secrets, the headers it adds, the settings it hands each attempt)
// seen through an in-process transport that records whole requests. What needs real sockets and TLS is in
// http_client_test.cc and tls_test.cc.

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <memory>

#include "publish/client_seams.h"
#include "publish/fake_transport.h"
#include "publish/http_client.h"

namespace treeprint {
namespace {

using std::chrono::milliseconds;
using testing::FakeAnswer;
using testing::FakeTransport;

/// A client over a FakeTransport whose seams record instead of acting: sleeps are not slept, the environment is
/// `env` only, the clock stands still unless a test moves it.
struct Harness : testing::ClientSeams {
  std::shared_ptr<FakeTransport> transport =
      std::make_shared<FakeTransport>(std::vector<FakeAnswer>{}, FakeAnswer::respond(200, "done"));

  Harness() {
    options.clock = [] { return std::chrono::steady_clock::time_point{}; };
    options.user_agent = "treeprint/9.9.9";
    options.transport = transport;
  }
  void script(std::vector<FakeAnswer> answers) {
    for (FakeAnswer& a : answers) transport->then(std::move(a));
  }
};

HttpRequest get(const std::string& url, const std::string& token = "tok-123") {
  HttpRequest r;
  r.url = url;
  r.headers = {{"Authorization", "Bearer " + token}};
  return r;
}

FakeAnswer status(int code, HttpHeaders headers = {}, std::string body = R"({"message":"scripted"})") {
  return FakeAnswer::respond(code, std::move(body), std::move(headers));
}

const std::string k_url = "http://127.0.0.1:8080/x";
/// What get(k_url) looks like on the wire.
const std::string k_sent = "GET http://127.0.0.1:8080/x\nAuthorization: Bearer tok-123\nUser-Agent: treeprint/9.9.9\n\n";

TEST(HttpPolicy, RetriesServerErrorsWithBackoffThenSucceeds) {
  Harness h;
  h.script({status(500), status(502)});
  auto r = h.client().send(get(k_url));
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "done");
  EXPECT_EQ(r->url, k_url);
  // The same request three times.
  EXPECT_EQ(h.transport->described(), (std::vector<std::string>{k_sent, k_sent, k_sent}));
  // 1 s then 2 s, each times the jitter factor 0.75.
  EXPECT_EQ(h.sleeps, (std::vector<milliseconds>{milliseconds(750), milliseconds(1500)}));
  EXPECT_EQ(h.log, (std::vector<std::string>{"GET " + k_url + ": HTTP 500; retry 1 of 3 in 0.8 s",
                                             "GET " + k_url + ": HTTP 502; retry 2 of 3 in 1.5 s"}));
}

TEST(HttpPolicy, BackoffDoublesUpToItsCap) {
  Harness h;
  h.options.max_attempts = 6;
  h.options.backoff_max = milliseconds(5000);
  h.options.random = [] { return 0.0; };  // jitter factor 0.5
  h.script({status(503), status(503), status(503), status(503), status(503)});
  auto r = h.client().send(get(k_url));
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(h.sleeps, (std::vector<milliseconds>{milliseconds(500), milliseconds(1000), milliseconds(2000),
                                                 milliseconds(2500), milliseconds(2500)}));
}

TEST(HttpPolicy, ReturnsTheLastServerErrorWhenAttemptsRunOut) {
  Harness h;
  h.script({status(503), status(503), status(503), status(503), status(503)});
  auto r = h.client().send(get(k_url));
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(h.transport->count(), 4u);
  EXPECT_EQ(h.transport->unanswered(), 1u);
  EXPECT_EQ(h.sleeps.size(), 3u);
  EXPECT_EQ(h.log.back(), "GET " + k_url + ": HTTP 503; giving up after 4 attempts");
}

TEST(HttpPolicy, NotImplementedIsNotRetried) {
  for (const int code : {501, 505}) {
    Harness h;
    h.script({status(code)});
    auto r = h.client().send(get(k_url));
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(r->status, code);
    EXPECT_EQ(h.transport->count(), 1u) << code;
  }
}

TEST(HttpPolicy, TooManyRequestsHonoursRetryAfter) {
  Harness h;
  h.script({status(429, {{"Retry-After", "7"}})});
  auto r = h.client().send(get(k_url));
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(h.sleeps, (std::vector<milliseconds>{milliseconds(7000)}));
  EXPECT_EQ(h.transport->described(), (std::vector<std::string>{k_sent, k_sent}));
}

TEST(HttpPolicy, TooManyRequestsWithoutRetryAfterBacksOff) {
  Harness h;
  h.script({status(429)});
  auto r = h.client().send(get(k_url));
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(h.sleeps, (std::vector<milliseconds>{milliseconds(750)}));
}

TEST(HttpPolicy, WaitLongerThanTheCapIsNotWaited) {
  Harness h;
  h.options.max_wait = milliseconds(60'000);
  // Neither the request's deadline nor the total of waits is what refuses it here.
  h.options.request_deadline = std::chrono::hours(10);
  h.options.max_total_wait = std::chrono::hours(10);
  h.script({status(429, {{"Retry-After", "3600"}})});
  auto r = h.client().send(get(k_url));
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->status, 429);
  EXPECT_EQ(h.transport->count(), 1u);
  EXPECT_TRUE(h.sleeps.empty());
}

TEST(HttpPolicy, WaitAsLongAsTheCapIsWaited) {
  Harness h;
  h.options.max_wait = milliseconds(60'000);
  h.script({status(429, {{"Retry-After", "60"}})});
  auto r = h.client().send(get(k_url));
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(h.sleeps, (std::vector<milliseconds>{milliseconds(60'000)}));
}

TEST(HttpPolicy, PrimaryRateLimitWaitsForTheReset) {
  Harness h;
  h.script({status(403, {{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset", "1700000030"}})});
  auto r = h.client().send(get(k_url));
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(h.sleeps, (std::vector<milliseconds>{milliseconds(31'000)}));  // until the reset, plus a second
  EXPECT_EQ(h.transport->count(), 2u);
}

TEST(HttpPolicy, ResetInThePastWaitsOneSecond) {
  Harness h;
  h.script({status(429, {{"X-RateLimit-Remaining", "0"}, {"X-RateLimit-Reset", "1699999000"}})});
  auto r = h.client().send(get(k_url));
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(h.sleeps, (std::vector<milliseconds>{milliseconds(1000)}));
}

TEST(HttpPolicy, RateLimitWithRequestsLeftIsAPermissionProblem) {
  Harness h;
  h.script({status(403, {{"x-ratelimit-remaining", "12"}, {"x-ratelimit-reset", "1700000030"}})});
  auto r = h.client().send(get(k_url));
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->status, 403);
  EXPECT_EQ(h.transport->count(), 1u);
  EXPECT_TRUE(h.sleeps.empty());
}

TEST(HttpPolicy, SecondaryRateLimitWaitsAMinute) {
  Harness h;
  h.script({status(403, {},
                   R"({"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again."})")});
  auto r = h.client().send(get(k_url));
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(h.sleeps, (std::vector<milliseconds>{milliseconds(60'000)}));
}

TEST(HttpPolicy, SecondaryRateLimitWithRetryAfter) {
  Harness h;
  h.script({status(403, {{"Retry-After", "2"}})});
  auto r = h.client().send(get(k_url));
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(h.sleeps, (std::vector<milliseconds>{milliseconds(2000)}));
}

TEST(HttpPolicy, OtherClientErrorsAreNotRetried) {
  for (const int code : {400, 401, 403, 404, 410, 422}) {
    Harness h;
    h.script({status(code, {}, R"({"message":"Resource not accessible by integration"})"), status(code)});
    auto r = h.client().send(get(k_url));
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(r->status, code);
    EXPECT_EQ(r->body, R"({"message":"Resource not accessible by integration"})");
    EXPECT_EQ(h.transport->count(), 1u) << code;
    EXPECT_TRUE(h.sleeps.empty()) << code;
    EXPECT_TRUE(h.log.empty()) << code;
  }
}

TEST(HttpPolicy, RetryableTransportFailureIsRetriedOtherFailuresAreNot) {
  Harness h;
  h.script({FakeAnswer::failure("cannot connect to 127.0.0.1:8080", true, false)});
  auto r = h.client().send(get(k_url));
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->body, "done");
  EXPECT_EQ(h.transport->described(), (std::vector<std::string>{k_sent, k_sent}));
  EXPECT_EQ(h.log, std::vector<std::string>{"GET " + k_url + ": cannot connect to 127.0.0.1:8080; retry 1 of 3 in 0.8 s"});

  Harness g;
  g.script({FakeAnswer::failure("the certificate is not trusted", false, false)});
  auto e = g.client().send(get(k_url));
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error(), "GET " + k_url + ": the certificate is not trusted");
  EXPECT_EQ(g.transport->count(), 1u);
  EXPECT_TRUE(g.sleeps.empty());
}

// A lost answer (maybe_sent) is only asked again when sending twice does no harm.
TEST(HttpPolicy, NonIdempotentRequestIsNotSentAgainAfterItMayHaveBeenSent) {
  const auto lost = [] { return FakeAnswer::failure("no complete response from 127.0.0.1:8080", true, true); };
  HttpRequest post = get(k_url);
  post.method = "POST";
  post.body = "{}";
  {
    Harness h;
    h.script({lost()});
    auto r = h.client().send(post);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), "POST " + k_url + ": no complete response from 127.0.0.1:8080");
    EXPECT_EQ(h.transport->count(), 1u);
    EXPECT_TRUE(h.sleeps.empty());
  }
  for (const std::string method : {"PATCH"}) {
    Harness h;
    h.script({lost()});
    HttpRequest patch = post;
    patch.method = method;
    EXPECT_FALSE(h.client().send(patch));
    EXPECT_EQ(h.transport->count(), 1u) << method;
  }
  for (const std::string method : {"GET", "PUT", "DELETE"}) {
    Harness h;
    h.script({lost()});
    HttpRequest again = post;
    again.method = method;
    auto r = h.client().send(again);
    ASSERT_TRUE(r) << method << ": " << r.error();
    EXPECT_EQ(h.transport->count(), 2u) << method;
  }
  {  // A POST marked idempotent is sent again.
    Harness h;
    h.script({lost()});
    HttpRequest marked = post;
    marked.idempotent = true;
    ASSERT_TRUE(h.client().send(marked));
    EXPECT_EQ(h.transport->count(), 2u);
  }
  {  // A POST that never left (the connection failed) is sent again.
    Harness h;
    h.script({FakeAnswer::failure("cannot connect to 127.0.0.1:8080", true, false)});
    ASSERT_TRUE(h.client().send(post));
    const std::string sent = "POST " + k_url + "\nAuthorization: Bearer tok-123\nUser-Agent: treeprint/9.9.9\n\n{}";
    EXPECT_EQ(h.transport->described(), (std::vector<std::string>{sent, sent}));
  }
}

TEST(HttpPolicy, RedirectToAnotherHostDropsAuthorization) {
  Harness h;
  h.script({status(302, {{"Location", "https://blob.example.net/blob?sig=signature-secret"}}, ""),
            FakeAnswer::respond(200, "PK-bytes")});
  HttpRequest req = get("https://api.github.com/repos/o/r/zip");
  req.headers.emplace_back("Accept", "application/vnd.github+json");
  auto r = h.client().send(req);
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "PK-bytes");
  EXPECT_EQ(r->url, "https://blob.example.net/blob?sig=signature-secret");
  EXPECT_EQ(h.transport->described(),
            (std::vector<std::string>{
                "GET https://api.github.com/repos/o/r/zip\nAuthorization: Bearer tok-123\n"
                "Accept: application/vnd.github+json\nUser-Agent: treeprint/9.9.9\n\n",
                "GET https://blob.example.net/blob?sig=signature-secret\n"
                "Accept: application/vnd.github+json\nUser-Agent: treeprint/9.9.9\n\n"}));
  EXPECT_EQ(h.transport->seen()[1].url.host, "blob.example.net");
  // The signed query string is not logged.
  EXPECT_EQ(h.log, std::vector<std::string>{
                       "GET https://api.github.com/repos/o/r/zip: HTTP 302 to https://blob.example.net/blob?..."});
}

// GitLab's token headers are credentials as Authorization is: dropped on a redirect to another origin (an artifact
// in object storage), never sent over plain http off loopback, never logged.
TEST(HttpPolicy, GitLabTokenHeadersAreCredentialsToo) {
  for (const char* name : {"JOB-TOKEN", "PRIVATE-TOKEN"}) {
    Harness h;
    h.script({status(302, {{"Location", "https://storage.example.net/a?X-Amz-Signature=s"}}, ""),
              FakeAnswer::respond(200, "{}")});
    HttpRequest req;
    req.url = "https://gitlab.example.com/api/v4/projects/1/jobs/artifacts/main/raw/m.json?job=t";
    req.headers = {{name, "glsecret-123"}};
    HttpClient client = h.client();
    ASSERT_TRUE(client.send(req)) << name;
    EXPECT_EQ(h.transport->described().back(),
              "GET https://storage.example.net/a?X-Amz-Signature=s\nUser-Agent: treeprint/9.9.9\n\n")
        << name;
    for (const std::string& line : h.log) EXPECT_EQ(line.find("glsecret-123"), std::string::npos) << line;

    HttpRequest plain;
    plain.url = "http://gitlab.example.com/api/v4/user";
    plain.headers = {{name, "glsecret-123"}};
    auto r = client.send(plain);
    ASSERT_FALSE(r) << name;
    EXPECT_NE(r.error().find("refusing to send the token over plain http"), std::string::npos) << r.error();
    EXPECT_EQ(client.redact("x glsecret-123 y"), "x *** y");
  }
}

// The origin is scheme, host and port: another port on the same host is another server.
TEST(HttpPolicy, RedirectToAnotherPortDropsAuthorization) {
  Harness h;
  h.script({status(307, {{"Location", "http://127.0.0.1:9090/y"}}, "")});
  ASSERT_TRUE(h.client().send(get(k_url)));
  EXPECT_EQ(h.transport->described(),
            (std::vector<std::string>{k_sent, "GET http://127.0.0.1:9090/y\nUser-Agent: treeprint/9.9.9\n\n"}));
}

TEST(HttpPolicy, RedirectOnTheSameHostKeepsAuthorization) {
  Harness h;
  h.script({status(301, {{"Location", "/new?page=2"}}, ""), FakeAnswer::respond(200, "moved")});
  auto r = h.client().send(get("https://api.github.com/old"));
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->body, "moved");
  EXPECT_EQ(r->url, "https://api.github.com/new?page=2");
  EXPECT_EQ(h.transport->described(),
            (std::vector<std::string>{
                "GET https://api.github.com/old\nAuthorization: Bearer tok-123\nUser-Agent: treeprint/9.9.9\n\n",
                "GET https://api.github.com/new?page=2\nAuthorization: Bearer tok-123\nUser-Agent: treeprint/9.9.9\n\n"}));
}

TEST(HttpPolicy, SeeOtherTurnsAPostIntoAGetWithoutItsBody) {
  Harness h;
  h.script({status(303, {{"Location", "/result"}}, "")});
  HttpRequest post = get(k_url);
  post.method = "POST";
  post.headers.emplace_back("Content-Type", "application/json");
  post.body = R"({"a":1})";
  ASSERT_TRUE(h.client().send(post));
  EXPECT_EQ(h.transport->described(),
            (std::vector<std::string>{"POST " + k_url +
                                          "\nAuthorization: Bearer tok-123\nContent-Type: application/json\n"
                                          "User-Agent: treeprint/9.9.9\n\n{\"a\":1}",
                                      "GET http://127.0.0.1:8080/result\nAuthorization: Bearer tok-123\n"
                                      "User-Agent: treeprint/9.9.9\n\n"}));
}

TEST(HttpPolicy, RedirectFromHttpsToHttpIsRefused) {
  Harness h;
  h.script({status(302, {{"Location", "http://api.github.com/x?sig=s"}}, "")});
  HttpRequest req;  // no token, so the refusal is about the scheme alone
  req.url = "https://api.github.com/x";
  auto r = h.client().send(req);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), "refusing a redirect from https to http: http://api.github.com/x?...");
  EXPECT_EQ(h.transport->lines(), std::vector<std::string>{"GET https://api.github.com/x"});
}

TEST(HttpPolicy, RedirectLoopIsBounded) {
  Harness h;
  h.options.max_redirects = 3;
  h.transport = std::make_shared<FakeTransport>(std::vector<FakeAnswer>{},
                                                status(302, {{"Location", "/loop"}}, ""));
  h.options.transport = h.transport;
  auto r = h.client().send(get("http://127.0.0.1:8080/loop"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), "GET http://127.0.0.1:8080/loop: more than 3 redirects");
  EXPECT_EQ(h.transport->count(), 4u);
}

TEST(HttpPolicy, TokenNeverAppearsInLogsOrErrors) {
  Harness h;
  const std::string token = "ghs_SuperSecretToken0123456789";
  const std::string echo = "{\"message\":\"echo " + token + "\"}";
  h.script({status(500, {}, echo), status(500, {}, echo), status(500, {}, echo), status(500, {}, echo),
            // A transport failure whose text holds the token.
            FakeAnswer::failure("server said Bearer " + token, false, false)});
  HttpClient client = h.client();
  auto r = client.send(get("https://api.github.com/x", token));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  // A failure whose message would hold the token twice: in the transport's error and in the URL itself.
  auto e = client.send(get("https://api.github.com/" + token + "?t=" + token, token));
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error(), "GET https://api.github.com/***?...: server said ***");  // "Bearer <token>" is one secret
  // The token did go where it belongs.
  EXPECT_EQ(*find_header(h.transport->seen()[4].request.headers, "Authorization"), "Bearer " + token);
  ASSERT_EQ(h.log.size(), 5u);
  for (const std::string& line : h.log) EXPECT_EQ(line.find(token), std::string::npos) << line;
  EXPECT_EQ(client.redact("Authorization: Bearer " + token), "Authorization: ***");
  EXPECT_EQ(client.redact("Authorization: token " + token), "Authorization: token ***");
}

TEST(HttpPolicy, UserAgentIsAddedUnlessTheRequestSetsOne) {
  Harness h;
  HttpRequest plain;
  plain.url = "https://api.github.com/meta";
  ASSERT_TRUE(h.client().send(plain));
  HttpRequest own = plain;
  own.headers = {{"user-agent", "custom/1"}};
  ASSERT_TRUE(h.client().send(own));
  h.options.user_agent = "treeprint";
  ASSERT_TRUE(h.client().send(plain));
  EXPECT_EQ(h.transport->described(),
            (std::vector<std::string>{"GET https://api.github.com/meta\nUser-Agent: treeprint/9.9.9\n\n",
                                      "GET https://api.github.com/meta\nuser-agent: custom/1\n\n",
                                      "GET https://api.github.com/meta\nUser-Agent: treeprint\n\n"}));
}

TEST(HttpPolicy, ProxyIsHandedToTheTransportWithItsCredentialsDecoded) {
  Harness h;
  h.env = {{"https_proxy", "http://proxy%20user:p%40ss%3Aword@proxy.corp:3128"}, {"no_proxy", "internal.corp"}};
  HttpClient client = h.client();
  ASSERT_TRUE(client.send(get("https://api.github.com/x")));
  ASSERT_TRUE(client.send(get("https://git.internal.corp/x")));  // no_proxy: direct
  h.env["http_proxy"] = "proxy.corp:8080";                       // no scheme: http://
  ASSERT_TRUE(client.send(get(k_url)));
  const auto seen = h.transport->seen();
  ASSERT_EQ(seen.size(), 3u);
  ASSERT_TRUE(seen[0].settings.proxy);
  EXPECT_EQ(seen[0].settings.proxy->origin(), "http://proxy.corp:3128");
  EXPECT_EQ(seen[0].settings.proxy_user, "proxy user");
  EXPECT_EQ(seen[0].settings.proxy_password, "p@ss:word");
  EXPECT_EQ(seen[0].url.origin(), "https://api.github.com");
  EXPECT_FALSE(seen[1].settings.proxy);
  ASSERT_TRUE(seen[2].settings.proxy);
  EXPECT_EQ(seen[2].settings.proxy->origin(), "http://proxy.corp:8080");
  EXPECT_EQ(seen[2].settings.proxy_user, "");
  // The proxy password is a secret too.
  EXPECT_EQ(client.redact("auth p@ss:word failed"), "auth *** failed");
}

TEST(HttpPolicy, ProxyThatIsNotHttpIsAnErrorAndNothingIsSent) {
  Harness h;
  h.env = {{"HTTPS_PROXY", "https://proxy.corp:8443"}};
  auto r = h.client().send(get("https://api.github.com/x"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), "GET https://api.github.com/x: proxy 'https://proxy.corp:8443': only http:// proxies are supported");
  EXPECT_EQ(h.transport->count(), 0u);
}

/// A file that exists and can be read, removed at the end of the test.
struct TempFile {
  std::string path;
  explicit TempFile(const std::string& name) : path(::testing::TempDir() + name) { std::ofstream(path) << "PEM\n"; }
  ~TempFile() { std::remove(path.c_str()); }
};

TEST(HttpPolicy, CaBundleIsHandedToTheTransportForHttpsOnly) {
  TempFile from_env("treeprint-policy-env-ca.pem");
  TempFile from_option("treeprint-policy-option-ca.pem");
  Harness h;
  h.env = {{"SSL_CERT_FILE", from_env.path}};
  ASSERT_TRUE(h.client().send(get("https://api.github.com/x")));
  ASSERT_TRUE(h.client().send(get(k_url)));
  h.options.ca_file = from_option.path;  // the option wins over the environment
  ASSERT_TRUE(h.client().send(get("https://api.github.com/x")));
  const auto seen = h.transport->seen();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].settings.ca_file, from_env.path);
  EXPECT_EQ(seen[1].settings.ca_file, "");
  EXPECT_EQ(seen[2].settings.ca_file, from_option.path);

  // A bundle that cannot be read fails before anything is sent, and says what to do.
  h.options.ca_file = ::testing::TempDir() + "treeprint-policy-missing-ca.pem";
  auto r = h.client().send(get("https://api.github.com/x"));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("GET https://api.github.com/x: cannot read the CA bundle '" + h.options.ca_file + "': "),
            std::string::npos)
      << r.error();
  EXPECT_NE(r.error().find("(set SSL_CERT_FILE to a PEM file of trusted certificates)"), std::string::npos)
      << r.error();
  EXPECT_EQ(h.transport->count(), 3u);
}

TEST(HttpPolicy, LimitsAreHandedToTheTransport) {
  Harness h;
  h.options.connect_timeout = milliseconds(3000);
  h.options.read_timeout = milliseconds(7000);
  h.options.request_deadline = milliseconds(5000);
  h.options.max_body = 1000;
  HttpRequest big = get(k_url);
  big.max_body = 123'456;
  HttpClient client = h.client();
  ASSERT_TRUE(client.send(get(k_url)));
  ASSERT_TRUE(client.send(big));
  const auto seen = h.transport->seen();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].settings.connect_timeout, milliseconds(3000));
  EXPECT_EQ(seen[0].settings.read_timeout, milliseconds(5000));  // no longer than the whole request may take
  EXPECT_EQ(seen[0].settings.budget, milliseconds(5000));
  EXPECT_EQ(seen[0].settings.max_body, 1000u);
  EXPECT_EQ(seen[1].settings.max_body, 123'456u);
}

TEST(HttpPolicy, NoTokenOverPlainHttpExceptToLoopback) {
  Harness h;
  auto r = h.client().send(get("http://api.example.org/repos/x", "ghp_secret"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(),
            "GET http://api.example.org/repos/x: refusing to send the token over plain http to "
            "http://api.example.org: it would cross the network unencrypted; use an https:// URL (plain http is only "
            "allowed to a loopback address)");
  EXPECT_EQ(h.transport->count(), 0u);
  // Without a token, plain http goes; to loopback, so does the token.
  HttpRequest plain;
  plain.url = "http://api.example.org/repos/x";
  ASSERT_TRUE(h.client().send(plain));
  ASSERT_TRUE(h.client().send(get("http://localhost:3000/y")));
  EXPECT_EQ(h.transport->lines(),
            (std::vector<std::string>{"GET http://api.example.org/repos/x", "GET http://localhost:3000/y"}));
  // A redirect from loopback to plain http elsewhere drops the token (another origin), so it may go.
  h.script({status(302, {{"Location", "http://api.example.org/z"}}, "")});
  ASSERT_TRUE(h.client().send(get(k_url)));
  EXPECT_EQ(h.transport->described().back(), "GET http://api.example.org/z\nUser-Agent: treeprint/9.9.9\n\n");

  EXPECT_TRUE(is_loopback_host("127.0.0.1"));
  EXPECT_TRUE(is_loopback_host("127.255.0.9"));
  EXPECT_TRUE(is_loopback_host("::1"));
  EXPECT_TRUE(is_loopback_host("localhost"));
  EXPECT_FALSE(is_loopback_host("127.0.0.1.nip.io"));
  EXPECT_FALSE(is_loopback_host("128.0.0.1"));
  EXPECT_FALSE(is_loopback_host("localhost.example.org"));
}

// Retries stop at the phase deadline, and waits the servers ask for add up to at most max_total_wait.
TEST(HttpPolicy, WaitsAreBoundedInTotalAndByThePhaseDeadline) {
  Harness h;
  h.options.max_total_wait = milliseconds(150'000);
  auto t = std::chrono::steady_clock::time_point{};
  h.options.clock = [&] { return t; };
  h.options.sleep = [&](milliseconds d) {
    h.sleeps.push_back(d);
    t += d;
  };
  const auto wait = [](const char* seconds) { return status(429, {{"Retry-After", seconds}}); };
  h.script({wait("100"), wait("100"), wait("100")});
  HttpClient client = h.client();
  auto r = client.send(get(k_url));
  ASSERT_TRUE(r);  // the server's last answer, 429, after one wait: a second would pass the cap
  EXPECT_EQ(r->status, 429);
  EXPECT_EQ(h.transport->count(), 2u);
  EXPECT_EQ(h.sleeps, std::vector<milliseconds>{milliseconds(100'000)});
  EXPECT_NE(h.log.back().find("would pass the 150 s this run may spend waiting"), std::string::npos) << h.log.back();

  // The phase deadline: a wait that would pass it is not waited.
  Harness p;
  p.options.clock = h.options.clock;
  p.options.sleep = h.options.sleep;
  p.script({wait("30"), wait("30")});
  h.sleeps.clear();
  HttpClient phased = p.client();
  phased.set_deadline(t + milliseconds(10'000));
  auto a = phased.send(get(k_url));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 429);
  EXPECT_EQ(p.transport->count(), 1u);
  EXPECT_TRUE(h.sleeps.empty());
  EXPECT_EQ(p.transport->seen()[0].settings.budget, milliseconds(10'000));  // the attempt gets what is left
  // Once it has passed, nothing more is sent.
  t += milliseconds(20'000);
  auto late = phased.send(get(k_url));
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error(), "GET " + k_url + ": gave up at the deadline for all network requests (the api-timeout input)");
  EXPECT_EQ(p.transport->count(), 1u);
}

}  // namespace
}  // namespace treeprint
