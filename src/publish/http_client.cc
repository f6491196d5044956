#include "publish/http_client.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <random>
#include <thread>

#include "util/format.h"

namespace treeprint {
namespace {

constexpr const char* k_default_ca_file = "/etc/ssl/certs/ca-certificates.crt";

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<int64_t> parse_int(std::string_view s) {
  s = trim(s);
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::string seconds_text(std::chrono::milliseconds d) {
  const auto ms = d.count();
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
  char buf[32];
  snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ms) / 1000.0);
  return buf;
}

std::optional<std::string> real_getenv(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

std::optional<std::string> first_env(const std::function<std::optional<std::string>(const char*)>& getenv,
                                     std::initializer_list<const char*> names) {
  for (const char* n : names) {
    auto v = getenv(n);
    if (v && !trim(*v).empty()) return std::string(trim(*v));
  }
  return std::nullopt;
}

bool is_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() + 0 && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

/// A header that carries a credential: Authorization, and GitLab's token headers (PRIVATE-TOKEN, JOB-TOKEN). Each is
/// kept off plain http to a remote host, dropped on a redirect to another origin, and never logged.
bool is_credential_header(std::string_view name) {
  return iequals(name, "Authorization") || iequals(name, "Private-Token") || iequals(name, "Job-Token");
}

bool has_credential(const HttpHeaders& headers) {
  for (const auto& h : headers) {
    if (is_credential_header(h.first)) return true;
  }
  return false;
}

}  // namespace

bool is_loopback_host(const std::string& host) {
  if (host == "localhost" || host.ends_with(".localhost") || host == "::1" || host == "0:0:0:0:0:0:0:1") return true;
  // 127.0.0.0/8, written as a dotted quad.
  if (!host.starts_with("127.")) return false;
  int parts = 0;
  for (std::string_view rest = host; !rest.empty();) {
    const size_t dot = rest.find('.');
    const std::string_view part = rest.substr(0, dot);
    if (part.empty() || part.size() > 3 || !std::all_of(part.begin(), part.end(), [](char c) {
          return c >= '0' && c <= '9';
        })) {
      return false;
    }
    if (std::stoi(std::string(part)) > 255) return false;
    ++parts;
    if (dot == std::string_view::npos) break;
    rest.remove_prefix(dot + 1);
    if (rest.empty()) return false;
  }
  return parts == 4;
}

const std::string* find_header(const HttpHeaders& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (iequals(k, name)) return &v;
  }
  return nullptr;
}

std::string Url::origin() const {
  const bool default_port = (scheme == "https" && port == 443) || (scheme == "http" && port == 80);
  const std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return scheme + "://" + h + (default_port ? "" : ":" + std::to_string(port));
}

Result<Url> parse_url(const std::string& text) {
  Url url;
  const size_t colon = text.find("://");
  if (colon == std::string::npos) return Result<Url>::failure("'" + text + "' is not an absolute URL");
  url.scheme = lower(std::string_view(text).substr(0, colon));
  if (url.scheme != "http" && url.scheme != "https") {
    return Result<Url>::failure("'" + text + "': only http and https URLs are supported");
  }
  std::string_view rest = std::string_view(text).substr(colon + 3);
  const size_t hash = rest.find('#');
  if (hash != std::string_view::npos) rest = rest.substr(0, hash);
  const size_t slash = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, slash);
  url.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (url.target[0] == '?') url.target.insert(0, "/");
  const size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    url.userinfo = std::string(authority.substr(0, at));
    authority = authority.substr(at + 1);
  }
  std::string_view port_text;
  if (!authority.empty() && authority[0] == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return Result<Url>::failure("'" + text + "': unterminated IPv6 address");
    url.host = lower(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return Result<Url>::failure("'" + text + "': bad host");
      port_text = after.substr(1);
    }
  } else {
    const size_t c = authority.rfind(':');
    url.host = lower(authority.substr(0, c));
    if (c != std::string_view::npos) port_text = authority.substr(c + 1);
  }
  if (url.host.empty()) return Result<Url>::failure("'" + text + "' has no host");
  url.port = url.scheme == "https" ? 443 : 80;
  if (!port_text.empty()) {
    auto p = parse_int(port_text);
    if (!p || *p < 1 || *p > 65535) return Result<Url>::failure("'" + text + "' has a bad port");
    url.port = static_cast<int>(*p);
  }
  return url;
}

std::string resolve_location(const Url& base, const std::string& location) {
  const std::string l = lower(location.substr(0, 8));
  if (l.rfind("http://", 0) == 0 || l.rfind("https://", 0) == 0) return location;
  if (location.rfind("//", 0) == 0) return base.scheme + ":" + location;
  if (!location.empty() && location[0] == '/') return base.origin() + location;
  std::string dir = base.target.substr(0, base.target.find('?'));
  dir = dir.substr(0, dir.rfind('/') + 1);
  return base.origin() + dir + location;
}

std::string proxy_for(const std::string& url_text,
                      const std::function<std::optional<std::string>(const char*)>& getenv) {
  auto url = parse_url(url_text);
  if (!url) return "";
  const auto proxy = url->scheme == "https" ? first_env(getenv, {"https_proxy", "HTTPS_PROXY"})
                                            : first_env(getenv, {"http_proxy", "HTTP_PROXY"});
  if (!proxy) return "";
  if (const auto no_proxy = first_env(getenv, {"no_proxy", "NO_PROXY"})) {
    std::string_view list = *no_proxy;
    while (!list.empty()) {
      const size_t comma = list.find(',');
      std::string entry = lower(trim(list.substr(0, comma)));
      list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
      if (entry == "*") return "";
      if (!entry.empty() && entry.front() == '[' && entry.back() == ']') entry = entry.substr(1, entry.size() - 2);
      while (!entry.empty() && entry.front() == '.') entry.erase(0, 1);
      if (entry.empty()) continue;
      if (url->host == entry) return "";
      if (url->host.size() > entry.size() && url->host.ends_with(entry) &&
          url->host[url->host.size() - entry.size() - 1] == '.') {
        return "";
      }
    }
  }
  return *proxy;
}

HttpClient::HttpClient(HttpClientOptions options) : m_options(std::move(options)) {
  if (!m_options.sleep) m_options.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  if (!m_options.now) m_options.now = [] { return static_cast<int64_t>(std::time(nullptr)); };
  if (!m_options.clock) m_options.clock = [] { return std::chrono::steady_clock::now(); };
  if (!m_options.random) {
    m_options.random = [] {
      thread_local std::mt19937_64 rng{std::random_device{}()};
      return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
    };
  }
  if (!m_options.getenv) m_options.getenv = real_getenv;
  if (m_options.max_attempts < 1) m_options.max_attempts = 1;
  m_transport = m_options.transport ? m_options.transport : std::make_shared<HttplibTransport>();
}

void HttpClient::add_secret(std::string secret) {
  if (secret.empty()) return;
  if (std::find(m_secrets.begin(), m_secrets.end(), secret) == m_secrets.end()) m_secrets.push_back(secret);
  // Longest first, so a secret that contains another is replaced whole.
  std::sort(m_secrets.begin(), m_secrets.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
}

std::string HttpClient::redact(std::string text) const {
  for (const std::string& s : m_secrets) {
    for (size_t at = text.find(s); at != std::string::npos; at = text.find(s, at + 3))
      text.replace(at, s.size(), "***");
  }
  return text;
}

void HttpClient::learn_secrets(const HttpHeaders& headers) {
  for (const auto& [k, v] : headers) {
    if (!is_credential_header(k) && !iequals(k, "Proxy-Authorization")) continue;
    add_secret(v);
    const size_t space = v.find(' ');
    if (space != std::string::npos && space + 1 < v.size()) add_secret(std::string(trim(v.substr(space + 1))));
  }
}

void HttpClient::log(const std::string& line) const {
  if (m_options.log) m_options.log(log_safe(redact(line)));
}

std::string HttpClient::loggable_url(const std::string& url) const {
  const size_t q = url.find('?');
  return q == std::string::npos ? url : url.substr(0, q) + "?...";
}

HttpClient::Attempt HttpClient::send_once(const HttpRequest& request, const Url& url,
                                          std::chrono::milliseconds budget) {
  TransportSettings t;
  t.connect_timeout = std::min(m_options.connect_timeout, budget);
  t.read_timeout = std::min(m_options.read_timeout, budget);
  t.budget = budget;
  t.max_body = request.max_body.value_or(m_options.max_body);
  if (url.scheme == "https") {
    t.ca_file = m_options.ca_file;
    if (t.ca_file.empty()) t.ca_file = m_options.getenv("SSL_CERT_FILE").value_or("");
    if (t.ca_file.empty()) t.ca_file = k_default_ca_file;
    if (access(t.ca_file.c_str(), R_OK) != 0) {
      Attempt attempt;
      attempt.error = "cannot read the CA bundle '" + t.ca_file + "': " + errno_text(errno) +
                      " (set SSL_CERT_FILE to a PEM file of trusted certificates)";
      return attempt;
    }
  }
  const std::string where = url.host + ":" + std::to_string(url.port);
  const std::string proxy = proxy_for(url.scheme + "://" + where, m_options.getenv);
  if (!proxy.empty()) {
    auto purl = parse_url(proxy.find("://") == std::string::npos ? "http://" + proxy : proxy);
    Attempt attempt;
    if (!purl) {
      attempt.error = "bad proxy setting: " + purl.error();
      return attempt;
    }
    if (purl->scheme != "http") {
      attempt.error = "proxy '" + purl->origin() + "': only http:// proxies are supported";
      return attempt;
    }
    if (!purl->userinfo.empty()) {
      const size_t c = purl->userinfo.find(':');
      t.proxy_user = percent_decode(purl->userinfo.substr(0, c));
      t.proxy_password = c == std::string::npos ? "" : percent_decode(purl->userinfo.substr(c + 1));
      add_secret(t.proxy_password);
    }
    t.proxy = std::move(*purl);
  }
  return m_transport->send(request, url, t);
}

std::optional<std::chrono::milliseconds> HttpClient::retry_delay(const Attempt& attempt, int attempt_number,
                                                                 bool idempotent) const {
  using std::chrono::milliseconds;
  const auto backoff = [&] {
    auto d = m_options.backoff_base.count();
    for (int i = 1; i < attempt_number && d < m_options.backoff_max.count(); ++i) d *= 2;
    d = std::min(d, m_options.backoff_max.count());
    return milliseconds(static_cast<int64_t>(static_cast<double>(d) * (0.5 + 0.5 * m_options.random())));
  };
  if (!attempt.response) {
    if (!attempt.retryable || (attempt.maybe_sent && !idempotent)) return std::nullopt;
    return backoff();
  }
  const HttpResponse& r = *attempt.response;
  if (r.status >= 500 && r.status != 501 && r.status != 505) return backoff();
  if (r.status != 403 && r.status != 429) return std::nullopt;

  std::optional<milliseconds> wait;
  if (const std::string* ra = r.header("Retry-After")) {
    if (auto s = parse_int(*ra); s && *s >= 0) wait = milliseconds(*s * 1000);
  }
  const std::string* remaining = r.header("x-ratelimit-remaining");
  const std::string* reset = r.header("x-ratelimit-reset");
  if (!wait && remaining && parse_int(*remaining) == 0 && reset) {
    if (auto at = parse_int(*reset)) wait = milliseconds(std::max<int64_t>(*at - m_options.now(), 0) * 1000 + 1000);
  }
  if (!wait) {
    if (r.status == 429) return backoff();
    // A 403 without rate-limit headers is a permission problem, unless GitHub says it is a secondary rate limit.
    if (lower(r.body).find("secondary rate limit") == std::string::npos) return std::nullopt;
    wait = std::max(milliseconds(60'000), backoff());
  }
  if (*wait > m_options.max_wait) return std::nullopt;
  return wait;
}

Result<HttpResponse> HttpClient::send(const HttpRequest& original) {
  using std::chrono::milliseconds;
  learn_secrets(original.headers);
  // Whatever a message holds (a Location, a host name, text a server sent), it leaves here without a secret and
  // safe for a log line.
  const auto fail = [this](const std::string& message) { return Result<HttpResponse>::failure(log_safe(redact(message))); };
  HttpRequest request = original;
  if (find_header(request.headers, "User-Agent") == nullptr) request.headers.emplace_back("User-Agent", m_options.user_agent);
  const bool idempotent =
      request.idempotent.value_or(request.method == "GET" || request.method == "HEAD" || request.method == "PUT" ||
                                  request.method == "DELETE" || request.method == "OPTIONS");
  auto end = m_options.clock() + m_options.request_deadline;
  bool phase_end = false;
  if (m_deadline && *m_deadline < end) {
    end = *m_deadline;
    phase_end = true;
  }
  const auto left = [&] {
    return std::max(milliseconds(0), std::chrono::duration_cast<milliseconds>(end - m_options.clock()));
  };
  const std::string deadline_text =
      phase_end ? "the deadline for all network requests (the api-timeout input)"
                : "the deadline of " + seconds_text(m_options.request_deadline) + " per request";
  std::optional<Url> previous;
  for (int redirects = 0;; ++redirects) {
    auto url = parse_url(request.url);
    // parse_url's message quotes the whole URL; a signed URL carries its key in the query, so name it without.
    if (!url) return fail("'" + loggable_url(request.url) + "' is not a valid http(s) URL");
    if (previous && previous->scheme == "https" && url->scheme == "http") {
      return fail("refusing a redirect from https to http: " + loggable_url(request.url));
    }
    const std::string what = request.method + " " + loggable_url(request.url);
    if (url->scheme == "http" && has_credential(request.headers) && !is_loopback_host(url->host)) {
      return fail(what + ": refusing to send the token over plain http to " + url->origin() +
                  ": it would cross the network unencrypted; use an https:// URL (plain http is only allowed to a "
                  "loopback address)");
    }
    Attempt attempt;
    for (int n = 1;; ++n) {
      const milliseconds budget = left();
      if (budget.count() == 0) {
        std::string msg = what + ": gave up at " + deadline_text;
        if (n > 1) msg += " (after " + std::to_string(n - 1) + " attempts: " +
                          (attempt.response ? "HTTP " + std::to_string(attempt.response->status) : attempt.error) + ")";
        log(msg);
        return fail(msg);
      }
      attempt = send_once(request, *url, budget);
      auto wanted = retry_delay(attempt, n, idempotent);
      std::string refused;
      if (wanted && n < m_options.max_attempts) {
        if (*wanted >= left()) {
          refused = "; the wait would pass " + deadline_text;
          wanted.reset();
        } else if (m_waited + *wanted > m_options.max_total_wait) {
          refused = "; waiting " + seconds_text(*wanted) + " more would pass the " +
                    seconds_text(m_options.max_total_wait) + " this run may spend waiting for servers";
          wanted.reset();
        }
      }
      const auto delay = n < m_options.max_attempts ? wanted : std::nullopt;
      if (!delay) {
        if (wanted || !refused.empty() || !attempt.response) {
          log(what + ": " + (attempt.response ? "HTTP " + std::to_string(attempt.response->status) : attempt.error) +
              "; " + (n > 1 ? "giving up after " + std::to_string(n) + " attempts" : "not retried") + refused);
        }
        if (!attempt.response) {
          std::string msg = what + ": " + attempt.error;
          if (n > 1) msg += " (after " + std::to_string(n) + " attempts)";
          return fail(msg);
        }
        break;
      }
      log(what + ": " + (attempt.response ? "HTTP " + std::to_string(attempt.response->status) : attempt.error) +
          "; retry " + std::to_string(n) + " of " + std::to_string(m_options.max_attempts - 1) + " in " +
          seconds_text(*delay));
      m_waited += *delay;
      m_options.sleep(*delay);
    }
    HttpResponse& response = *attempt.response;
    response.url = request.url;
    const std::string* location = response.header("Location");
    if (!is_redirect(response.status) || location == nullptr) return std::move(response);
    if (redirects >= m_options.max_redirects) {
      return fail(what + ": more than " + std::to_string(m_options.max_redirects) + " redirects");
    }
    const std::string next = resolve_location(*url, *location);
    auto next_url = parse_url(next);
    if (!next_url) return fail(what + ": bad redirect to '" + loggable_url(next) + "': not a valid http(s) URL");
    if (next_url->origin() != url->origin()) {
      std::erase_if(request.headers, [](const auto& h) { return is_credential_header(h.first); });
    }
    if (response.status == 303 || ((response.status == 301 || response.status == 302) && request.method == "POST")) {
      request.method = "GET";
      request.body.clear();
      std::erase_if(request.headers, [](const auto& h) { return iequals(h.first, "Content-Type"); });
    }
    log(what + ": HTTP " + std::to_string(response.status) + " to " + loggable_url(next));
    previous = *url;
    request.url = next;
  }
}

std::string url_encode(std::string_view s) {
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(ch);
    } else {
      char buf[4];
      snprintf(buf, sizeof buf, "%%%02X", c);
      out.append(buf);
    }
  }
  return out;
}

}  // namespace treeprint
