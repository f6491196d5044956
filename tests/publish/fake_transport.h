#pragma once
// An in-process HttpTransport for the tests: every attempt the client makes is recorded whole (the request as the
// client finally built it, the parsed URL, and the TransportSettings it decided), and answered from a script, in
// order: a response (status, headers, body) or a transport failure (with retryable / maybe_sent as a real transport
// would set them). When the script runs out, the fallback answers every further attempt.
//
// What it cannot stand in for: sockets, TLS, timeouts, body limits and decompression belong to HttplibTransport and
// stay tested against real servers on loopback (local_server.h).

#include <deque>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "publish/http_transport.h"

namespace treeprint::testing {

/// One scripted answer.
struct FakeAnswer {
  int status = 200;
  HttpHeaders headers;
  std::string body;
  /// Not empty: a transport failure with this message instead of a response.
  std::string error;
  bool retryable = false;
  bool maybe_sent = false;

  static FakeAnswer respond(int status, std::string body = {}, HttpHeaders headers = {}) {
    FakeAnswer a;
    a.status = status;
    a.body = std::move(body);
    a.headers = std::move(headers);
    return a;
  }
  static FakeAnswer failure(std::string error, bool retryable, bool maybe_sent) {
    FakeAnswer a;
    a.error = std::move(error);
    a.retryable = retryable;
    a.maybe_sent = maybe_sent;
    return a;
  }
};

/// One attempt as the transport saw it.
struct FakeExchange {
  HttpRequest request;
  Url url;
  TransportSettings settings;
};

/// The request as text, for whole-request assertions: "METHOD URL", one "Name: value" line per header in the order
/// they were sent, an empty line, then the body.
inline std::string describe(const HttpRequest& r) {
  std::string out = r.method + " " + r.url + "\n";
  for (const auto& [k, v] : r.headers) out += k + ": " + v + "\n";
  return out + "\n" + r.body;
}

class FakeTransport final : public HttpTransport {
 public:
  explicit FakeTransport(std::vector<FakeAnswer> script = {},
                         FakeAnswer fallback = FakeAnswer::respond(404, R"({"message":"Not Found"})"))
      : m_script(script.begin(), script.end()), m_fallback(std::move(fallback)) {}

  /// Appends an answer to the script.
  void then(FakeAnswer answer) {
    std::lock_guard lock(m_mutex);
    m_script.push_back(std::move(answer));
  }

  TransportResult send(const HttpRequest& request, const Url& url, const TransportSettings& settings) override {
    std::lock_guard lock(m_mutex);
    m_seen.push_back({request, url, settings});
    FakeAnswer answer = m_fallback;
    if (!m_script.empty()) {
      answer = std::move(m_script.front());
      m_script.pop_front();
    }
    TransportResult result;
    if (!answer.error.empty()) {
      result.error = std::move(answer.error);
      result.retryable = answer.retryable;
      result.maybe_sent = answer.maybe_sent;
      return result;
    }
    HttpResponse response;
    response.status = answer.status;
    response.headers = std::move(answer.headers);
    response.body = std::move(answer.body);
    response.url = request.url;
    result.response = std::move(response);
    return result;
  }

  /// Every attempt so far, in order.
  std::vector<FakeExchange> seen() const {
    std::lock_guard lock(m_mutex);
    return m_seen;
  }
  /// describe() of every attempt's request, in order.
  std::vector<std::string> described() const {
    std::vector<std::string> out;
    for (const FakeExchange& e : seen()) out.push_back(describe(e.request));
    return out;
  }
  /// "METHOD URL" of every attempt, in order.
  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    for (const FakeExchange& e : seen()) out.push_back(e.request.method + " " + e.request.url);
    return out;
  }
  size_t count() const {
    std::lock_guard lock(m_mutex);
    return m_seen.size();
  }
  /// Answers left in the script.
  size_t unanswered() const {
    std::lock_guard lock(m_mutex);
    return m_script.size();
  }

 private:
  mutable std::mutex m_mutex;
  std::deque<FakeAnswer> m_script;
  FakeAnswer m_fallback;
  std::vector<FakeExchange> m_seen;
};

}  // namespace treeprint::testing
