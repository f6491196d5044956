#pragma once
// The transport seam under HttpClient: one attempt of one request, nothing else. No retries, no redirects, no
// secrets, no environment: the client (publish/http_client.h) decides all of that and hands the transport what it
// resolved (the CA bundle to trust, the proxy to go through, the limits). HttplibTransport is the real one, over
// cpp-httplib and OpenSSL; tests plug in a fake that records whole requests and scripts the answers.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace treeprint {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

/// The value of header `name` (case-insensitive), or nullptr.
const std::string* find_header(const HttpHeaders& headers, std::string_view name);

struct HttpRequest {
  std::string method = "GET";
  /// Absolute: http(s)://host[:port]/path[?query].
  std::string url;
  HttpHeaders headers;
  std::string body;
  /// Whether sending the request twice does no harm. Unset: true for GET, HEAD, PUT, DELETE and OPTIONS.
  std::optional<bool> idempotent;
  /// Overrides HttpClientOptions::max_body for this request (downloads).
  std::optional<uint64_t> max_body;
};

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;
  std::string body;
  /// The URL that answered, after redirects.
  std::string url;

  const std::string* header(std::string_view name) const { return find_header(headers, name); }
};

/// The parts of an absolute http(s) URL.
struct Url {
  std::string scheme;  // "http" or "https", lower case
  std::string host;    // lower case, without brackets
  int port = 0;        // explicit or the scheme's default
  std::string target;  // path and query, at least "/"
  std::string userinfo;

  /// scheme://host[:port], the port only when it is not the default.
  std::string origin() const;
};

/// What the client decided for one attempt.
struct TransportSettings {
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds read_timeout{30'000};  // longest silence while sending or receiving
  std::chrono::milliseconds budget{300'000};       // the whole attempt: a server dripping bytes is cut off
  uint64_t max_body = 32ull << 20;                  // after decompression
  std::string ca_file;                              // https: the bundle to verify against (readable)
  std::optional<Url> proxy;                         // an http:// proxy, credentials in its userinfo (decoded)
  std::string proxy_user, proxy_password;
};

/// One attempt's outcome: a response (any status), or a transport failure saying what happened.
struct TransportResult {
  std::optional<HttpResponse> response;
  std::string error;
  bool retryable = false;   // a transport failure worth another try
  bool maybe_sent = false;  // the server may have acted on the request
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  /// Sends `request` to `url` (request.url, parsed) once.
  virtual TransportResult send(const HttpRequest& request, const Url& url, const TransportSettings& settings) = 0;
};

/// Whether this process has made a TLS client yet. cpp-httplib initialises OpenSSL in a static constructor in every
/// process; the treeprint binary's link defers that until this turns true (src/openssl_lazy_init.cc), so a run that
/// never talks HTTPS never pays for it.
bool tls_in_use();

/// The real transport: cpp-httplib, TLS always verified, no keep-alive, redirects not followed.
class HttplibTransport final : public HttpTransport {
 public:
  TransportResult send(const HttpRequest& request, const Url& url, const TransportSettings& settings) override;
};

}  // namespace treeprint
