#pragma once
// The HTTP client: one request in, one response (or an error with a clear message) out. The policy lives here;
// each attempt goes through an HttpTransport (publish/http_transport.h: cpp-httplib and OpenSSL, or a test's fake).
//
// The client is made for talking to GitHub from a CI job:
// - TLS is always verified. The CA bundle is $SSL_CERT_FILE, else /etc/ssl/certs/ca-certificates.crt: a FROM scratch
//   image has no other place to look.
// - HTTPS_PROXY / HTTP_PROXY (either case) are honoured, and NO_PROXY with curl's rules: a comma-separated list of
//   host names that match themselves and their subdomains (a leading dot is ignored), or `*` for every host.
// - Transient failures are retried with exponential backoff and jitter: 5xx, 429, a dropped connection or a timeout,
//   and GitHub's rate limits (403/429 with Retry-After, or x-ratelimit-remaining: 0 with x-ratelimit-reset). A
//   Retry-After or reset time is honoured, but never longer than `max_wait`. Other 4xx answers are returned at once.
//   A request whose answer was lost (read error, timeout) is only sent again when it is idempotent.
// - Redirects are followed here, at most `max_redirects` of them; a redirect to another origin (scheme, host or port)
//   goes without the credential headers (Authorization, and GitLab's PRIVATE-TOKEN and JOB-TOKEN), and an https
//   URL never redirects to http.
// - Response bodies are bounded (`max_body`), after decompression: a size bomb is an error, not an allocation.
// - Secrets (every credential header's value, and whatever add_secret() is given) never appear in a log line or an error
//   message: both are passed through redact(). Logged URLs lose their query string (signed URLs carry keys there).
// - Everything a server sent that reaches a log line or an error message (a Location, a host name, a status, text
//   from a body) goes through log_safe (util/format.h): it cannot end the line or form a workflow command.
// - A credential header is never sent over plain http:// except to a loopback address (127.0.0.0/8, ::1,
//   localhost): elsewhere it would cross the network in clear, so the request fails before it is sent.
// - Time is bounded: every send() (retries, waits and redirects included) ends within `request_deadline`, every
//   attempt within what is left of it (a server that drips a byte now and then is cut off, not waited for), all
//   sends together end by the deadline given to set_deadline(), and the waits the servers ask for (Retry-After,
//   rate-limit resets) add up to at most `max_total_wait` over the client's life.
//
// Sleeping, the clock, the jitter and the environment are seams, so tests run retries without waiting.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "publish/http_transport.h"
#include "util/result.h"

namespace treeprint {

/// Percent-encodes everything but RFC 3986's unreserved characters, for a path segment or a query value.
std::string url_encode(std::string_view s);

struct HttpClientOptions {
  std::chrono::milliseconds connect_timeout{10'000};
  /// Longest silence while sending or receiving (not a total deadline).
  std::chrono::milliseconds read_timeout{30'000};
  /// Attempts per request, the first one included.
  int max_attempts = 4;
  /// Backoff before retry n (n = 1, 2, ...) is base * 2^(n-1), at most backoff_max, then a random 50-100% of it.
  std::chrono::milliseconds backoff_base{1'000};
  std::chrono::milliseconds backoff_max{30'000};
  /// Cap on a wait the server asks for (Retry-After, x-ratelimit-reset). Longer requests fail at once.
  std::chrono::milliseconds max_wait{120'000};
  /// Cap on all the waits a server asked for, added up over every request this client sends.
  std::chrono::milliseconds max_total_wait{300'000};
  /// Longest one send() may take, every attempt, wait and redirect included.
  std::chrono::milliseconds request_deadline{300'000};
  int max_redirects = 5;
  uint64_t max_body = 32ull << 20;
  /// CA bundle; empty: $SSL_CERT_FILE, else /etc/ssl/certs/ca-certificates.crt.
  std::string ca_file;
  /// Sent as User-Agent with every request that does not set one (the app passes "treeprint/<version>").
  std::string user_agent = "treeprint";

  /// Seams. Unset members use the real thing.
  std::function<void(std::chrono::milliseconds)> sleep;
  /// Seconds since the epoch (x-ratelimit-reset is an epoch time).
  std::function<int64_t()> now;
  /// A monotonic clock for the deadlines.
  std::function<std::chrono::steady_clock::time_point()> clock;
  /// A number in [0, 1) for the jitter.
  std::function<double()> random;
  /// Looks up an environment variable; nullopt when unset.
  std::function<std::optional<std::string>(const char*)> getenv;
  /// Receives one line per retry, redirect and failure, already redacted.
  std::function<void(const std::string&)> log;
  /// Makes each attempt; unset: HttplibTransport.
  std::shared_ptr<HttpTransport> transport;
};

/// Where a request to `url` should go: "" for direct, else the proxy URL, following curl's environment rules.
/// Exposed for tests.
std::string proxy_for(const std::string& url, const std::function<std::optional<std::string>(const char*)>& getenv);

Result<Url> parse_url(const std::string& url);

/// Whether `host` (as parse_url gives it) is a loopback address: localhost, 127.0.0.0/8 or ::1.
bool is_loopback_host(const std::string& host);

/// Resolves a Location header against the URL it came from.
std::string resolve_location(const Url& base, const std::string& location);

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options = {});

  /// Sends `request`, with retries and redirects as described above. Any status the server gives after that is a
  /// response (a 404 is a response, not an error); an error is a transport failure, a refused redirect, a body over
  /// the limit, or retries exhausted on a transient failure (the message then says what the last attempt got).
  Result<HttpResponse> send(const HttpRequest& request);

  /// No send() goes on past `deadline` (the end of a whole phase of requests); nullopt: no such limit.
  void set_deadline(std::optional<std::chrono::steady_clock::time_point> deadline) { m_deadline = deadline; }

  /// Adds a value that must never be logged (the token, when it is not sent as an Authorization header).
  void add_secret(std::string secret);
  /// `text` with every known secret replaced by "***".
  std::string redact(std::string text) const;

  const HttpClientOptions& options() const { return m_options; }

 private:
  using Attempt = TransportResult;
  /// One attempt, cut off after `budget`.
  Attempt send_once(const HttpRequest& request, const Url& url, std::chrono::milliseconds budget);
  std::optional<std::chrono::milliseconds> retry_delay(const Attempt& attempt, int attempt_number,
                                                       bool idempotent) const;
  void log(const std::string& line) const;
  std::string loggable_url(const std::string& url) const;
  void learn_secrets(const HttpHeaders& headers);

  HttpClientOptions m_options;
  std::shared_ptr<HttpTransport> m_transport;
  std::vector<std::string> m_secrets;
  std::optional<std::chrono::steady_clock::time_point> m_deadline;
  std::chrono::milliseconds m_waited{0};
};

}  // namespace treeprint
