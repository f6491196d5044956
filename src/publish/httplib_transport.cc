#include "publish/http_transport.h"

#include <fcntl.h>
#include <httplib.h>
#include <openssl/x509.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <memory>
#include <thread>

namespace treeprint {

namespace {

std::string seconds_text(std::chrono::milliseconds d) {
  const auto ms = d.count();
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ms) / 1000.0);
  return buf;
}

std::atomic<bool> g_tls_in_use{false};

// Cuts an attempt off when its time is up: a server that sends a byte now and then never trips the read timeout,
// which measures silence only. stop() is cpp-httplib's way to shut a client's socket from another thread. The
// thread waits in poll() on a pipe rather than on a condition variable: a timed wait on one is not safe in a static
// glibc binary (pthread_cond_clockwait is a weak symbol there).
class Watchdog {
 public:
  Watchdog(httplib::ClientImpl& client, std::chrono::milliseconds budget) {
    if (::pipe2(m_pipe, O_CLOEXEC) != 0) return;  // no watch: the read and connect timeouts still bound it
    m_thread = std::thread([this, &client, budget] {
      struct pollfd p {
        m_pipe[0], POLLIN, 0
      };
      const auto end = std::chrono::steady_clock::now() + budget;
      for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
        const int rc = ::poll(&p, 1, static_cast<int>(std::max<int64_t>(0, std::min<int64_t>(left.count(), 1 << 30))));
        if (rc > 0) return;  // finished in time
        if (rc < 0 && errno == EINTR) continue;
        if (rc == 0 && left.count() > 0) continue;
        m_fired = true;
        client.stop();
        return;
      }
    });
  }
  /// Ends the watch; true when it had cut the attempt off.
  bool finish() {
    if (m_thread.joinable()) {
      const char c = 0;
      [[maybe_unused]] const ssize_t n = ::write(m_pipe[1], &c, 1);
      m_thread.join();
    }
    for (int& fd : m_pipe) {
      if (fd >= 0) ::close(fd);
      fd = -1;
    }
    return m_fired;
  }
  ~Watchdog() { finish(); }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

 private:
  int m_pipe[2] = {-1, -1};
  std::atomic<bool> m_fired{false};
  std::thread m_thread;
};


}  // namespace

bool tls_in_use() { return g_tls_in_use.load(std::memory_order_acquire); }

TransportResult HttplibTransport::send(const HttpRequest& request, const Url& url, const TransportSettings& s) {
  TransportResult attempt;
  const std::string where = url.host + ":" + std::to_string(url.port);
  std::unique_ptr<httplib::ClientImpl> client;
  httplib::SSLClient* tls = nullptr;
  const std::string& ca_file = s.ca_file;
  if (url.scheme == "https") {
    g_tls_in_use.store(true, std::memory_order_release);  // before SSL_CTX_new initialises OpenSSL
    auto ssl = std::make_unique<httplib::SSLClient>(url.host, url.port);
    ssl->set_ca_cert_path(ca_file);
    ssl->enable_server_certificate_verification(true);
    tls = ssl.get();
    client = std::move(ssl);
  } else {
    client = std::make_unique<httplib::ClientImpl>(url.host, url.port);
  }
  const auto to_sec_usec = [](std::chrono::milliseconds d) {
    return std::pair<time_t, time_t>(static_cast<time_t>(d.count() / 1000),
                                     static_cast<time_t>(d.count() % 1000 * 1000));
  };
  const auto [cs, cus] = to_sec_usec(s.connect_timeout);
  const auto [rs, rus] = to_sec_usec(s.read_timeout);
  client->set_connection_timeout(cs, cus);
  client->set_read_timeout(rs, rus);
  client->set_write_timeout(rs, rus);
  client->set_follow_location(false);
  client->set_keep_alive(false);

  const bool proxied = s.proxy.has_value();
  if (proxied) {
    client->set_proxy(s.proxy->host, s.proxy->port);
    if (!s.proxy_user.empty() || !s.proxy_password.empty()) client->set_proxy_basic_auth(s.proxy_user, s.proxy_password);
  }

  httplib::Request req;
  req.method = request.method;
  req.path = url.target;
  for (const auto& [k, v] : request.headers) req.headers.emplace(k, v);
  req.body = request.body;
  const uint64_t limit = s.max_body;
  std::string body;
  bool too_big = false;
  req.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) {
    if (body.size() + n > limit) {
      too_big = true;
      return false;
    }
    body.append(data, n);
    return true;
  };

  httplib::Response res;
  httplib::Error err = httplib::Error::Success;
  Watchdog watchdog(*client, s.budget);
  const bool sent = client->send(req, res, err);
  if (watchdog.finish()) {
    attempt.error =
        "no complete response from " + where + " within the " + seconds_text(s.budget) + " left (deadline)";
    attempt.maybe_sent = true;
    return attempt;
  }
  if (sent && err == httplib::Error::Success) {
    HttpResponse out;
    out.status = res.status;
    for (const auto& [k, v] : res.headers) out.headers.emplace_back(k, v);
    out.body = std::move(body);
    attempt.response = std::move(out);
    return attempt;
  }

  const std::string read_timeout = seconds_text(s.read_timeout);
  switch (err) {
    case httplib::Error::Connection:
      attempt.error = "cannot connect to " + where + (proxied ? " (through the proxy)" : "");
      attempt.retryable = true;
      break;
    case httplib::Error::ConnectionTimeout:
      attempt.error = "connecting to " + where + " timed out after " + seconds_text(s.connect_timeout);
      attempt.retryable = true;
      break;
    case httplib::Error::Read:
      attempt.error = "no complete response from " + where + ": the connection was closed, or nothing arrived for " +
                      read_timeout + " (read timeout)";
      attempt.retryable = true;
      attempt.maybe_sent = true;
      break;
    case httplib::Error::Write:
      attempt.error =
          "sending the request to " + where + " failed: the connection was closed, or stalled for " + read_timeout;
      attempt.retryable = true;
      attempt.maybe_sent = true;
      break;
    case httplib::Error::SSLConnection:
      attempt.error = "TLS handshake with " + where + " failed";
      attempt.retryable = true;
      break;
    case httplib::Error::SSLLoadingCerts: attempt.error = "cannot load the CA bundle '" + ca_file + "'"; break;
    case httplib::Error::SSLServerVerification: {
      const long v = tls ? tls->get_openssl_verify_result() : X509_V_OK;
      if (v != X509_V_OK) {
        attempt.error = "TLS certificate verification failed for " + where + ": " + X509_verify_cert_error_string(v) +
                        " (CA bundle '" + ca_file + "')";
      } else {
        attempt.error =
            "TLS certificate verification failed for " + where + ": the certificate is not for host '" + url.host + "'";
      }
      break;
    }
    case httplib::Error::Canceled:
      attempt.error =
          too_big ? "the response from " + where + " is larger than the limit of " + std::to_string(limit) + " bytes"
                  : "the request to " + where + " was cancelled";
      break;
    case httplib::Error::Compression: attempt.error = "cannot decompress the response from " + where; break;
    default: attempt.error = "request to " + where + " failed: " + httplib::to_string(err); break;
  }
  return attempt;
}

}  // namespace treeprint
